"""The two site pages about the API and the bulk data."""

from django.urls import path

from . import pages

app_name = "apisite"

urlpatterns = [
    path("api/", pages.ApiPageView.as_view(), name="api"),
    path("data/", pages.DataPageView.as_view(), name="data"),
]
