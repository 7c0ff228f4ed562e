"""A database or a cache that accepts connections and never answers (tests/faultproxy.py
stands in for it): the site answers quickly anyway, 503 where it needs the database,
cached pages and /healthz as usual."""

import threading
import time
import uuid

import pytest
import redis.connection
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test import override_settings

from apps.core.cache import ResilientRedisCache
from tests.factories import MissionFactory
from tests.faultproxy import FaultProxy
from tests.live_server import database_url
from tests.live_server import get
from tests.live_server import gunicorn


def _timed(url):
    started = time.monotonic()
    status, body, _ = get(url, timeout=20)
    return status, body, time.monotonic() - started


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    db = connection.settings_dict
    return (db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_swallowing_database_gives_503_within_5_seconds_and_healthz_stays_up(
    postgres,
):
    with (
        FaultProxy() as proxy,
        gunicorn(
            database_url(connection.settings_dict, "127.0.0.1", proxy.port), workers=2
        ) as base,
    ):
        results = {}

        def fetch(name, path):
            results[name] = _timed(base + path)

        # Two requests hang on the database at once, as under real load.
        threads = [
            threading.Thread(target=fetch, args=(name, path))
            for name, path in [("page", "/missions/"), ("api", "/api/v1/missions/")]
        ]
        for thread in threads:
            thread.start()
        time.sleep(0.3)
        # Both sync workers are busy: the probe waits for one (about the 2 s connect
        # timeout), never for the database itself, and answers within compose's 5 s.
        status, _, took = _timed(base + "/healthz")
        assert status == 200
        assert took < 5, f"the probe took {took:.1f} s"
        for thread in threads:
            thread.join(20)
        for name, (status, body, took) in sorted(results.items()):
            assert (name, status, took < 5) == (name, 503, True), (took, body[:200])
        assert "database is unavailable" in results["api"][1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_cached_pages_are_served_while_the_database_hangs(postgres):
    MissionFactory()
    with (
        FaultProxy(target=postgres) as proxy,
        gunicorn(
            database_url(connection.settings_dict, "127.0.0.1", proxy.port), workers=1
        ) as base,
    ):
        assert get(base + "/missions/")[0] == 200  # now in the page cache
        proxy.swallow()
        status, _, took = _timed(base + "/missions/")
        assert (status, took < 1) == (200, True)
        status, _, took = _timed(f"{base}/missions/?q={uuid.uuid4().hex}")
        assert status == 503
        assert took < 5


# --------------------------------------------------------------------------- Redis


@pytest.mark.django_db
def test_a_swallowing_redis_is_asked_once_then_skipped(settings, monkeypatch):
    """A Redis that accepts and never answers costs one socket timeout, once: the first
    command that times out opens the circuit breaker, and every later cache call of that
    page and of the next pages is skipped without a connection or a command (how long
    that takes is `make bench`'s business, not a test's)."""
    MissionFactory()
    settings.FACET_CACHE = True  # the list page reads and fills the cache
    sent = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counting(self, command, *args, **kwargs):
        sent.append(command)
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(
        redis.connection.AbstractConnection, "send_packed_command", counting
    )
    client = Client()
    path = "/missions/?conception=westphalian"
    with FaultProxy() as proxy:
        swallowing = {
            "default": {
                "BACKEND": "apps.core.cache.ResilientRedisCache",
                "LOCATION": f"redis://127.0.0.1:{proxy.port}/0",
                "OPTIONS": {
                    "SOCKET_CONNECT_TIMEOUT": settings.REDIS_TIMEOUT,
                    "SOCKET_TIMEOUT": settings.REDIS_TIMEOUT,
                },
            }
        }
        ResilientRedisCache.reset_breaker()
        with override_settings(CACHES=swallowing):
            assert client.get(path).status_code == 200
            assert (proxy.connections, len(sent)) == (1, 1)  # asked once, no answer
            for _ in range(3):
                response = client.get(path)
                assert response.status_code == 200
                assert b"<html" in response.content
            assert caches["default"].get("anything") is None
            caches["default"].set("anything", 1)
            assert (proxy.connections, len(sent)) == (1, 1)  # never asked again
