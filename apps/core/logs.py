"""Structured logs: one JSON object per line on stdout, each carrying the request id.

`RequestIDMiddleware` takes the id from an incoming `X-Request-ID` header (a proxy or load
balancer may set one) or makes a new one, keeps it in a context variable for the duration
of the request, returns it in the response header and logs one line per request.
`RequestIDFilter` stamps it on every record, whichever logger wrote it.
"""

import contextvars
import json
import logging
import re
import sys
import time
import uuid

from django.core.signals import got_request_exception, request_finished

request_id = contextvars.ContextVar("request_id", default="-")

# Accepted from outside only if it is short and plain, so that it cannot forge log lines.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_QUIET_PATHS = {"/healthz", "/readyz"}

logger = logging.getLogger("apps.request")


class RequestIDMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        # Kept until the response is closed (request_finished), so that Django's own
        # "Not Found" and "Internal Server Error" lines, written after the middleware
        # returns, carry it too.
        request_id.set(rid)
        request.request_id = rid
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = rid
        if request.path_info not in _QUIET_PATHS:
            logger.info(
                "%s %s %s",
                request.method,
                request.path_info,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path_info,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        return response


def _forget_request_id(**kwargs):
    request_id.set("-")


request_finished.connect(_forget_request_id, dispatch_uid="apps.core.logs")


def _remember_exception(sender, request=None, **kwargs):
    """Django announces every unhandled exception while it is being handled."""
    if request is not None:
        request._unhandled_exception = sys.exc_info()[1]


got_request_exception.connect(_remember_exception, dispatch_uid="apps.core.logs")


class RequestIDFilter(logging.Filter):
    """Stamps the request id; gives a server-error line its traceback if it lacks one.

    Django's "Internal Server Error" line carries the traceback, except when the error
    happened while rendering an error page (a broken 404 template, say): then only the
    got_request_exception signal saw it, and this filter puts it back on the line.
    """

    def filter(self, record):
        record.request_id = request_id.get()
        if record.exc_info is None and record.levelno >= logging.ERROR:
            exc = getattr(
                getattr(record, "request", None), "_unhandled_exception", None
            )
            if exc is not None:
                record.exc_info = (type(exc), exc, exc.__traceback__)
        return True


# Attributes every LogRecord has; anything else was passed with `extra=` and is kept.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


class JSONFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request_id, extras, traceback."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S")
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key != "request":
                entry[key] = value if _is_plain(value) else repr(value)
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)

    converter = time.gmtime  # type: ignore[assignment]  # typeshed: gmtime() takes no required argument


def _is_plain(value):
    return value is None or isinstance(value, str | int | float | bool)
