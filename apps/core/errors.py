"""Error pages: a database outage is a 503 (come back soon), anything else a plain 500;
under /api/ both in the API's one error shape (status, code, detail), which clients
generated from the schema parse.

Django logs the exception with its traceback (logger `django.request`) before calling
the handler; the public sees only the page, never the details.
"""

import sys
from functools import wraps

from django.db.utils import InterfaceError
from django.db.utils import OperationalError
from django.http import HttpResponse
from django.http import HttpResponseNotAllowed
from django.http import JsonResponse
from django.template import loader
from django.urls import Resolver404
from django.urls import resolve
from django.views.csrf import csrf_failure as django_csrf_failure

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


READ_METHODS = ["GET", "HEAD"]


def reads_only(view):
    """A function view that answers GET and HEAD only. Any other method is a 405 naming
    them, also when the CSRF check refuses the request before the view runs
    (csrf_failure reads `allowed_methods`)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in READ_METHODS:
            return _not_allowed(request, READ_METHODS)
        return view(request, *args, **kwargs)

    # A function attribute, like csrf_exempt's: read by _allowed_methods below.
    setattr(wrapper, "allowed_methods", READ_METHODS)  # noqa: B010
    return wrapper


def _not_allowed(request, allowed):
    return HttpResponseNotAllowed(
        allowed,
        content=f"{request.method} is not allowed here; this page answers "
        f"{', '.join(allowed)}.",
        content_type="text/plain; charset=utf-8",
    )


def _allowed_methods(request):
    """The methods the view at this address answers, or None if it is not known."""
    try:
        func = resolve(request.path_info).func
    except Resolver404:
        return None
    if hasattr(func, "allowed_methods"):
        return func.allowed_methods
    view_class = getattr(func, "view_class", None)
    if view_class is None:
        return None
    # View.setup() answers HEAD with GET.
    return [
        method.upper()
        for method in view_class.http_method_names
        if method != "options"
        and (
            hasattr(view_class, method)
            or (method == "head" and hasattr(view_class, "get"))
        )
    ]


def csrf_failure(request, reason=""):
    """A POST, PUT, PATCH or DELETE to a page that only reads is a 405 naming the
    methods it takes, not a form's "CSRF verification failed" 403."""
    allowed = _allowed_methods(request)
    if allowed is not None and request.method not in allowed:
        return _not_allowed(request, allowed)
    return django_csrf_failure(request, reason=reason)
