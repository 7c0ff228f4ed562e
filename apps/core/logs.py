"""Structured logs: one JSON object per line on stdout, each carrying the request id.

`RequestIDMiddleware` takes the id from an incoming `X-Request-ID` header (a proxy or load
balancer may set one) or makes a new one, keeps it in a context variable for the duration
of the request, returns it in the response header and logs one line per request.
`RequestIDFilter` stamps it on every record, whichever logger wrote it. The JSON itself is
python-json-logger's; the request id and the access line stay here because no logging library
writes our access line or gives back a traceback lost while rendering an error page.
"""

import contextvars
import logging
import re
import sys
import time
import uuid
from typing import Any

from django.core.signals import got_request_exception
from django.core.signals import request_finished
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

# Lines logged outside a request (gunicorn's own, management commands) carry "-", in text
# and JSON alike, so one grep or jq select finds them all.
NO_REQUEST = "-"
request_id = contextvars.ContextVar("request_id", default=NO_REQUEST)

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
    request_id.set(NO_REQUEST)


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


def _with_request_id(record: logging.LogRecord) -> logging.LogRecord:
    """A handler without `RequestIDFilter` (gunicorn's) still gets the field."""
    if not hasattr(record, "request_id"):
        record.request_id = request_id.get()
    return record


class TextFormatter(logging.Formatter):
    """The plain-text line (DJANGO_LOG_FORMAT=text), the same for the app and gunicorn."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
        )

    def format(self, record: logging.LogRecord) -> str:
        return super().format(_with_request_id(record))


class JSONFormatter(JsonFormatter):
    """python-json-logger with our field names: time (UTC, ms, Z), level, logger, message,
    request_id, then any `extra=` fields; tracebacks as exc_info. Django's request object,
    attached to its own log records, is not a log field."""

    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"
    converter = time.gmtime  # type: ignore[assignment]  # typeshed: gmtime() takes no required argument

    def __init__(self) -> None:
        super().__init__(
            "{asctime}{levelname}{name}{message}{request_id}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            reserved_attrs=[*RESERVED_ATTRS, "request", "taskName"],
            json_default=repr,
            json_ensure_ascii=False,
        )

    def format(self, record: logging.LogRecord) -> str:
        # python-json-logger's `defaults` cannot do this: a field named in the format is
        # read from the record and written as null when the record lacks it.
        return super().format(_with_request_id(record))


def stdout_logging(
    log_format: str, *, request_filter: bool = True, **sections: Any
) -> dict[str, Any]:
    """A `dictConfig` with one handler, "console": each line on stdout, in JSON or text.

    The app's LOGGING (config/settings.py) and gunicorn's own (gunicorn.conf.py) both
    start from it, so that their lines look alike; `sections` adds the loggers. The app's
    handler stamps the request id with `RequestIDFilter`; gunicorn's (`request_filter=
    False`) leaves that to the formatters.
    """
    console: dict[str, Any] = {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stdout",
        "formatter": log_format,
    }
    config: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "apps.core.logs.JSONFormatter"},
            "text": {"()": "apps.core.logs.TextFormatter"},
        },
        "handlers": {"console": console},
    }
    if request_filter:
        config["filters"] = {"request_id": {"()": "apps.core.logs.RequestIDFilter"}}
        console["filters"] = ["request_id"]
    return {**config, **sections}
