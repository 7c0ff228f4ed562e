"""A Redis outage turns the cache into misses, not into server errors."""

import socket

import pytest
import redis
from django.core.cache import caches
from django.test import Client
from django.test import override_settings

from apps.core.cache import CacheSkipped
from apps.core.cache import ResilientRedisCache

UNREACHABLE = {
    "default": {
        "BACKEND": "apps.core.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
    }
}


def _redis_answers():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@override_settings(CACHES=UNREACHABLE)
def test_an_unreachable_redis_reads_as_misses_and_skips_stores(caplog, monkeypatch):
    monkeypatch.setattr(ResilientRedisCache, "_last_warning", 0.0)
    cache = caches["default"]
    assert cache.get("k", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert not cache.has_key("k")
    assert not cache.add("k", 1)
    cache.set("k", 1)
    cache.set_many({"a": 1})
    cache.delete("k")
    cache.delete_many(["a"])
    assert not cache.touch("k")
    with pytest.raises(CacheSkipped):
        cache.incr("generation")  # meaningful counters keep failing loudly
    ResilientRedisCache.reset_breaker()
    with pytest.raises(redis.exceptions.ConnectionError):
        cache.incr("generation")
    assert any("cache unreachable" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
@override_settings(CACHES=UNREACHABLE)
def test_pages_and_the_api_are_served_without_redis_and_readyz_says_so():
    client = Client()
    assert client.get("/").status_code == 200
    assert client.get("/missions/").status_code == 200
    assert client.get("/api/v1/missions/").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["cache"] == "unavailable"


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
@override_settings(
    CACHES={
        "default": {
            "BACKEND": "apps.core.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/11",
            "KEY_PREFIX": "pkb-test-cache",
        }
    }
)
def test_a_reachable_redis_is_an_ordinary_cache():
    cache = caches["default"]
    cache.set("k", {"x": 1}, 30)
    assert cache.get("k") == {"x": 1}
    cache.delete("n")
    assert cache.add("n", 0, 30) is True
    assert cache.incr("n") == 1
    cache.delete_many(["k", "n"])
    assert cache.get("k") is None
