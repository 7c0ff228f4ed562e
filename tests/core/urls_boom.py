"""URLs for error-handling tests: one view that fails, one whose database is gone."""

from django.db.utils import OperationalError
from django.urls import include
from django.urls import path


def boom(request):
    raise RuntimeError("secret-detail")


def database_gone(request):
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [
    path("boom/", boom),
    path("database-gone/", database_gone),
    path("api/database-gone/", database_gone),
    path("api/boom/", boom),
    path("", include("config.urls")),
]

handler500 = "apps.core.errors.server_error"
