"""Probes: /healthz says the process answers, /readyz that its database and cache do too."""

from unittest import mock

import pytest
from django.db import connections
from django.db.utils import OperationalError
from django.urls import reverse


def test_healthz_answers_without_the_database(client):
    # No django_db mark: any query here would fail the test.
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_checks_database_and_cache(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_is_unreachable(client):
    broken = mock.patch.object(
        connections["default"],
        "cursor",
        side_effect=OperationalError("connection refused"),
    )
    with broken:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert "connection refused" not in response.content.decode()


@pytest.mark.django_db
def test_readyz_is_503_when_the_cache_is_unreachable(client):
    with mock.patch("apps.core.health.cache.set", side_effect=ConnectionError("down")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "cache": "unavailable",
    }


@pytest.mark.django_db
def test_probes_skip_host_validation_and_the_https_redirect(client, settings):
    """Load balancers probe by IP over plain HTTP, whatever ALLOWED_HOSTS says."""
    settings.ALLOWED_HOSTS = ["example.org"]
    settings.SECURE_SSL_REDIRECT = True
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="10.0.0.7:8000")
        assert response.status_code == 200, path
    # Everything else still gets both.
    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400
    response = client.get("/", HTTP_HOST="example.org")
    assert response.status_code == 301
    assert response["Location"] == "https://example.org/"
