"""A site whose 404 page itself fails, as a broken template would."""

from django.http import Http404
from django.urls import path


def missing(request):
    raise Http404("no such record")


def broken_404(request, exception):
    raise RuntimeError("the 404 template is broken")


urlpatterns = [path("missing/", missing)]
handler404 = "tests.core.urls_broken404.broken_404"
handler500 = "apps.core.errors.server_error"
