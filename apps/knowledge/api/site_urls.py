"""The two site pages about the API and the bulk data."""

from django.urls import path

from apps.core.errors import reads_only

from . import pages

app_name = "apisite"

urlpatterns = [
    path("api/", reads_only(pages.ApiPageView.as_view()), name="api"),
    path("data/", reads_only(pages.DataPageView.as_view()), name="data"),
]
