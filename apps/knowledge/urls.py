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
            reads_only(record_type.list_view.as_view()),
            name=f"{record_type.name}-list",
        ),
        path(
            f"{record_type.page_path}/<slug:slug>/",
            reads_only(record_type.detail_view.as_view()),
            name=f"{record_type.name}-detail",
        ),
    )
]

# Every page reads only: another method (TRACE, or a POST that passes the CSRF check) is
# a 405 that names GET and HEAD, from every page alike (apps/core/errors.py).
urlpatterns = [
    path("", reads_only(views.HomeView.as_view()), name="home"),
    path("compare/", reads_only(views.CompareView.as_view()), name="compare"),
    path(
        "compare/<kind>/",
        reads_only(views.CompareRecordsView.as_view()),
        name="compare-records",
    ),
    path("timeline/", reads_only(views.TimelineView.as_view()), name="timeline"),
    path("search/", views.search, name="search"),
    path("about/", reads_only(views.AboutView.as_view()), name="about"),
    *record_pages,
    path("cite/<model_name>/<slug:slug>.<ext>", views.cite_download, name="cite"),
    path("sitemap.xml", reads_only(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]
