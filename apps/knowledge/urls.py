from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("compare/", views.CompareView.as_view(), name="compare"),
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
]
