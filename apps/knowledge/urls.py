from django.contrib.sitemaps.views import sitemap
from django.urls import path

from apps.core.errors import reads_only

from . import views
from .registry import PAGE_TYPES
from .sitemaps import SITEMAPS

app_name = "knowledge"

# Every record type with pages of its own: /missions/ and /missions/<slug>/, named
# "mission-list" and "mission-detail" (see registry.py).
record_pages = [
    route
    for record_type in PAGE_TYPES
    for route in (
        path(
            f"{record_type.page_path}/",
            record_type.list_view.as_view(),
            name=f"{record_type.name}-list",
        ),
        path(
            f"{record_type.page_path}/<slug:slug>/",
            record_type.detail_view.as_view(),
            name=f"{record_type.name}-detail",
        ),
    )
]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("compare/", views.CompareView.as_view(), name="compare"),
    path("compare/<kind>/", views.CompareRecordsView.as_view(), name="compare-records"),
    path("timeline/", views.TimelineView.as_view(), name="timeline"),
    path("search/", views.search, name="search"),
    path("about/", views.AboutView.as_view(), name="about"),
    *record_pages,
    path("cite/<model_name>/<slug:slug>.<ext>", views.cite_download, name="cite"),
    path("sitemap.xml", reads_only(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]
