"""The shared cache: django-redis, with a circuit breaker in front of Redis.

django-redis does the work, and with `IGNORE_EXCEPTIONS` turns a Redis outage into misses
and skipped stores instead of 500s (a cache is an optimisation). What it cannot do, and
the only code kept here: a circuit breaker. After one failure every call is skipped for
REDIS_RETRY_AFTER seconds, so a hanging Redis costs a page at most one short socket
timeout (REDIS_TIMEOUT) per process per period, not one per call; each failure is logged
as a warning at most once a minute per process. /readyz still reports the cache.

`incr` keeps raising: the content versions (apps/core/versions.py) are counters that
carry meaning, and losing a bump silently could serve stale pages, so the caller decides.
"""

import functools
import logging
import time

from django.conf import settings
from django_redis.cache import RedisCache
from django_redis.client import DefaultClient
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger(__name__)


class CacheSkipped(Exception):
    """Raised by incr (and decr) while the breaker is open."""


class ResilientRedisCache(RedisCache):
    """django-redis's cache; the breaker's state is per process (class attributes)."""

    _last_warning = 0.0
    _skip_until = 0.0  # the breaker is open until then (monotonic time)

    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        options.setdefault("CLIENT_CLASS", "apps.core.cache.BreakerClient")
        options.setdefault("IGNORE_EXCEPTIONS", True)
        super().__init__(server, params)

    @classmethod
    def reset_breaker(cls) -> None:
        cls._skip_until = 0.0

    @classmethod
    def skipping(cls) -> bool:
        return time.monotonic() < cls._skip_until

    @classmethod
    def trip(cls, operation: str) -> None:
        now = time.monotonic()
        cls._skip_until = now + getattr(settings, "REDIS_RETRY_AFTER", 30)
        if now - cls._last_warning >= 60:
            cls._last_warning = now
            logger.warning(
                "cache unreachable during %s; serving without it",
                operation,
                exc_info=True,
            )

    def incr(self, key, delta=1, version=None, client=None, ignore_key_check=False):
        # Not swallowed by IGNORE_EXCEPTIONS: a lost count must reach its caller.
        try:
            return self.client.incr(key, delta, version, client, ignore_key_check)
        except ConnectionInterrupted as error:
            if error.__cause__ is None:
                raise CacheSkipped(
                    "the cache is skipped after a failure: not counted"
                ) from None
            raise error.__cause__ from None

    def decr(self, key, delta=1, version=None, client=None):
        return self.incr(key, -delta, version, client)


def _tripping(method):
    """`method` of the client; a Redis failure in it opens the breaker."""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except ConnectionInterrupted as error:
            if error.__cause__ is not None:  # a real failure, not the open breaker
                ResilientRedisCache.trip(method.__name__)
            raise

    return guarded


class BreakerClient(DefaultClient):
    """django-redis's client; while the breaker is open it does not touch Redis."""

    def get_client(self, write=True, tried=None):
        if ResilientRedisCache.skipping():
            raise ConnectionInterrupted(connection=None)
        return super().get_client(write, tried)

    def get_client_with_index(self, write=True, tried=None):  # set() asks this way
        if ResilientRedisCache.skipping():
            raise ConnectionInterrupted(connection=None)
        return super().get_client_with_index(write, tried)


for _name in (
    "get",
    "set",
    "get_many",
    "set_many",
    "delete",
    "delete_many",
    "has_key",
    "touch",
    "_incr",
):
    setattr(BreakerClient, _name, _tripping(getattr(DefaultClient, _name)))
