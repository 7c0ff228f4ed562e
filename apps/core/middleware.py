"""Request hygiene applied before any view runs."""

from django.conf import settings
from django.http import HttpResponse
from django.http import JsonResponse
from django.middleware.gzip import GZipMiddleware


def _refuse(request, status, code, detail):
    """Plain text for pages, the API's one error shape under /api/."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"status": status, "code": code, "detail": detail}, status=status
        )
    return HttpResponse(detail + "\n", status=status, content_type="text/plain")


class RequestLimitsMiddleware:
    """Refuse oversized bodies (413) and NUL bytes in the address (400) up front.

    Django bounds form bodies itself (DATA_UPLOAD_MAX_MEMORY_SIZE), but parsers that read
    the stream, such as DRF's JSON parser, do not; and a NUL byte that reaches PostgreSQL
    is a server error rather than a bad request (a path part such as
    `/api/v1/export/<version>/` reaches a lookup as it is).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refuse(request, 400, "invalid", "Bad Content-Length.")
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return _refuse(
                request,
                413,
                "too_large",
                f"Request body too large (limit {settings.MAX_REQUEST_BODY_BYTES} bytes).",
            )
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in query or "%00" in query:
            return _refuse(
                request,
                400,
                "invalid",
                "NUL bytes are not allowed in the query string.",
            )
        if "\x00" in request.path_info:  # already percent-decoded
            return _refuse(
                request, 400, "invalid", "NUL bytes are not allowed in the path."
            )
        return self.get_response(request)


class PublicGZipMiddleware(GZipMiddleware):
    """gzip for answers that carry no secret: a client without credentials, and no
    cookie set. Compressing a response that mixes a secret (a CSRF token, a session)
    with text an attacker can reflect would open it to BREACH; public answers (the
    1.4 MB dataset.json, API lists, pages) gain most and risk nothing."""

    def process_response(self, request, response):
        if (
            "HTTP_AUTHORIZATION" in request.META
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or settings.CSRF_COOKIE_NAME in request.COOKIES
            or response.cookies
        ):
            return response
        return super().process_response(request, response)
