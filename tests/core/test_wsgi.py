"""The WSGI entry point that gunicorn serves."""

import pytest
from django.core.signals import request_started
from django.db import close_old_connections
from django.test import RequestFactory

from config.wsgi import application

pytestmark = pytest.mark.django_db


def call(method, path):
    environ = getattr(RequestFactory(), method.lower())(path).environ
    status = {}

    def start_response(line, headers, exc_info=None):
        status["line"], status["headers"] = line, dict(headers)

    # As Django's test client does: a request must not close the test's connection,
    # which sits inside the test's transaction (PostgreSQL would lose it for good).
    request_started.disconnect(close_old_connections)
    try:
        body = b"".join(application(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
    return status["line"], status["headers"], body


def test_head_answers_headers_without_body_bytes():
    line, headers, body = call("HEAD", "/about/")
    assert line.startswith("200")
    assert body == b""
    assert headers["Content-Type"].startswith("text/html")


def test_get_still_answers_the_page():
    line, _, body = call("GET", "/about/")
    assert line.startswith("200")
    assert b"<html" in body
