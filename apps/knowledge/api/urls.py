from django.urls import include
from django.urls import path
from django.urls import re_path
from drf_spectacular.views import SpectacularAPIView
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from ..registry import RECORD_TYPES
from . import export
from . import views
from .auth import TokenView
from .exceptions import not_found

app_name = "api"

router = DefaultRouter()
for record_type in RECORD_TYPES:
    router.register(
        record_type.api_path, record_type.viewset, basename=record_type.name
    )
router.register("citations", views.CitationViewSet, basename="citation")
router.register(
    "classifications", views.ClassificationViewSet, basename="classification"
)

urlpatterns = [
    path("compare/", views.CompareView.as_view(), name="compare"),
    path(
        "compare/records/", views.CompareRecordsView.as_view(), name="compare-records"
    ),
    path("search/", views.SearchView.as_view(), name="search"),
    path("export/", export.ExportIndexView.as_view(), name="export"),
    path(
        "export/<str:name>.<str:fmt>",
        export.ExportFileView.as_view(),
        name="export-file",
    ),
    path("export/latest/", export.ExportLatestView.as_view(), name="export-latest"),
    path(
        "export/<str:version>/",
        export.ExportVersionView.as_view(),
        name="export-version",
    ),
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # GET and HEAD only: its one renderer is a template, and DRF's answer to
        # OPTIONS (the view's metadata) has none to render (a 500).
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", http_method_names=["get", "head"]
        ),
        name="docs",
    ),
    path("", include(router.urls)),
    re_path(r"^[\s\S]*$", not_found),  # any path, even with a newline
]
