"""Request hygiene applied before any view runs."""

from django.conf import settings
from django.http import HttpResponse


class RequestLimitsMiddleware:
    """Refuse oversized bodies (413) and NUL bytes in the query string (400) up front.

    Django bounds form bodies itself (DATA_UPLOAD_MAX_MEMORY_SIZE), but parsers that read
    the stream, such as DRF's JSON parser, do not; and a NUL byte that reaches PostgreSQL
    is a server error rather than a bad request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse("Bad Content-Length.\n", status=400)
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return HttpResponse(
                f"Request body too large (limit {settings.MAX_REQUEST_BODY_BYTES} bytes).\n",
                status=413,
                content_type="text/plain",
            )
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in query or "%00" in query:
            return HttpResponse(
                "NUL bytes are not allowed in the query string.\n",
                status=400,
                content_type="text/plain",
            )
        return self.get_response(request)
