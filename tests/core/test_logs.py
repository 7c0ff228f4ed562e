"""Structured logs: JSON lines on stdout, each with the request id."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from apps.core.logs import JSONFormatter
from apps.core.logs import RequestIDFilter
from apps.core.logs import request_id


class _Lines:
    def __init__(self):
        self.stream = io.StringIO()

    def readouterr(self):
        """What was logged since the last call, as parsed JSON lines."""
        text = self.stream.getvalue()
        self.stream.seek(0)
        self.stream.truncate()
        return [json.loads(line) for line in text.splitlines()]


@pytest.fixture
def logged():
    """The production handler set-up (filter and formatter), writing to a buffer."""
    lines = _Lines()
    handler = logging.StreamHandler(lines.stream)
    handler.addFilter(RequestIDFilter())
    handler.setFormatter(JSONFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lines
    root.removeHandler(handler)


@pytest.mark.django_db
def test_every_line_of_a_request_carries_its_id(client, logged):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    rid = response["X-Request-ID"]
    assert len(rid) == 32
    lines = logged.readouterr()
    assert {line["logger"] for line in lines} >= {"apps.request", "django.request"}
    assert all(line["request_id"] == rid for line in lines)
    access = next(line for line in lines if line["logger"] == "apps.request")
    assert access["status"] == 404
    assert access["path"] == "/no-such-page/"
    assert access["method"] == "GET"
    assert access["duration_ms"] >= 0
    assert request_id.get() == "-"  # forgotten once the response is closed


@pytest.mark.django_db
def test_an_incoming_request_id_is_honoured(client, logged):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234.abc")
    assert response["X-Request-ID"] == "lb-1234.abc"
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="proxy-42")
    assert response["X-Request-ID"] == "proxy-42"
    assert all(line["request_id"] == "proxy-42" for line in logged.readouterr())


@pytest.mark.parametrize(
    "forged", ["a\nfake log line", "x" * 500, "id with spaces", '{"level":"ERROR"}']
)
def test_an_unsafe_request_id_is_replaced(client, forged):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=forged)
    assert response["X-Request-ID"] != forged
    assert len(response["X-Request-ID"]) == 32


def test_errors_are_logged_with_their_traceback_and_never_shown(settings, logged):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.core.urls_boom"
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Traceback" not in body
    assert "secret-detail" not in body
    assert "Something went wrong" in body
    lines = logged.readouterr()
    error = next(line for line in lines if line["level"] == "ERROR")
    assert error["logger"] == "django.request"
    assert error["request_id"] == response["X-Request-ID"]
    assert "Traceback" in error["exc_info"]
    assert "RuntimeError: secret-detail" in error["exc_info"]


def test_an_error_while_rendering_an_error_page_keeps_its_traceback(settings, logged):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.core.urls_broken404"
    response = Client(raise_request_exception=False).get("/missing/")
    assert response.status_code == 500
    assert "the 404 template is broken" not in response.content.decode()
    error = next(line for line in logged.readouterr() if line["level"] == "ERROR")
    assert error["request_id"] == response["X-Request-ID"]
    assert "RuntimeError: the 404 template is broken" in error["exc_info"]


def test_formatter_keeps_extras_and_survives_odd_values():
    record = logging.makeLogRecord(
        {"msg": "hello %s", "args": ("wörld",), "levelname": "INFO", "name": "x"}
    )
    record.request_id = "r1"
    record.count = 3
    record.obj = object()
    entry = json.loads(JSONFormatter().format(record))
    assert entry["message"] == "hello wörld"
    assert entry["request_id"] == "r1"
    assert entry["count"] == 3
    assert entry["obj"].startswith("<object object")
    assert entry["time"].endswith("Z")


# What an operator sees from a line logged outside any request, configured as gunicorn's
# own logger is (gunicorn.conf.py, a handler without our filter) and as the app's is.
_LOG_OUTSIDE_A_REQUEST = {
    "gunicorn": (
        "import logging.config, runpy;"
        "logging.config.dictConfig(runpy.run_path('gunicorn.conf.py')['logconfig_dict']);"
        "logging.getLogger('gunicorn.error').info('Booting worker')"
    ),
    "django": (
        "import django, logging; django.setup();"
        "logging.getLogger('apps.knowledge').info('Booting worker')"
    ),
}


@pytest.mark.parametrize("config", sorted(_LOG_OUTSIDE_A_REQUEST))
@pytest.mark.parametrize("log_format", ["json", "text"])
def test_a_line_outside_a_request_carries_a_dash_for_its_request_id(config, log_format):
    env = {
        **os.environ,
        "DJANGO_LOG_FORMAT": log_format,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", _LOG_OUTSIDE_A_REQUEST[config]],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if "Booting worker" in line)
    if log_format == "json":
        assert json.loads(line)["request_id"] == "-"
    else:
        assert " [-] " in line
