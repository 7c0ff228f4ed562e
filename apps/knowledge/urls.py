from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import views
from .sitemaps import SITEMAPS

app_name = "knowledge"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("compare/", views.CompareView.as_view(), name="compare"),
    path(
        "compare/<str:kind>/",
        views.CompareRecordsView.as_view(),
        name="compare-records",
    ),
    path("timeline/", views.TimelineView.as_view(), name="timeline"),
    path("search/", views.search, name="search"),
    path("about/", views.AboutView.as_view(), name="about"),
    path("missions/", views.MissionListView.as_view(), name="mission-list"),
    path(
        "missions/<slug:slug>/",
        views.MissionDetailView.as_view(),
        name="mission-detail",
    ),
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path("cases/<slug:slug>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("norms/", views.NormListView.as_view(), name="norm-list"),
    path("norms/<slug:slug>/", views.NormDetailView.as_view(), name="norm-detail"),
    path("documents/", views.DocumentListView.as_view(), name="document-list"),
    path(
        "documents/<slug:slug>/",
        views.DocumentDetailView.as_view(),
        name="document-detail",
    ),
    path(
        "organisations/", views.OrganisationListView.as_view(), name="organisation-list"
    ),
    path(
        "organisations/<slug:slug>/",
        views.OrganisationDetailView.as_view(),
        name="organisation-detail",
    ),
    path("glossary/", views.ConceptListView.as_view(), name="concept-list"),
    path(
        "glossary/<slug:slug>/",
        views.ConceptDetailView.as_view(),
        name="concept-detail",
    ),
    path("sources/", views.SourceListView.as_view(), name="source-list"),
    path(
        "sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source-detail"
    ),
    path(
        "cite/<str:model_name>/<slug:slug>.<str:ext>",
        views.cite_download,
        name="cite",
    ),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
]
