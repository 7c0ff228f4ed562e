"""Error pages: a database outage is a 503 (come back soon), anything else a plain 500;
under /api/ both in the API's one error shape (status, code, detail), which clients
generated from the schema parse.

Django logs the exception with its traceback (logger `django.request`) before calling
the handler; the public sees only the page, never the details.
"""

import sys

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader

DATABASE_DOWN = (OperationalError, InterfaceError)


def _wants_json(request):
    return request.path_info.startswith("/api/")


def server_error(request, template_name="500.html"):
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_DOWN):
        if _wants_json(request):
            response = JsonResponse(
                {
                    "status": 503,
                    "code": "unavailable",
                    "detail": "The database is unavailable; please try again shortly.",
                },
                status=503,
            )
        else:
            response = HttpResponse(
                loader.get_template("503.html").render(), status=503
            )
        response["Retry-After"] = "30"
        return response
    if _wants_json(request):
        return JsonResponse(
            {"status": 500, "code": "server_error", "detail": "Server error."},
            status=500,
        )
    return HttpResponse(loader.get_template(template_name).render(), status=500)
