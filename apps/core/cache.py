"""Django's Redis cache, degrading to "no cache" while Redis cannot be reached.

A cache is an optimisation: when Redis is down, reads become misses and stores are
skipped (pages are rendered, API throttles start counting afresh), instead of every page
answering 500. Each failure is logged as a warning, at most once a minute per process;
/readyz still reports the cache as unavailable.

A circuit breaker keeps a hanging Redis from slowing every request: after one failure
the cache is skipped (every read a miss) for REDIS_RETRY_AFTER seconds, so a page pays at
most one short socket timeout (REDIS_TIMEOUT) per process per period, not one per call.

`incr` and `decr` keep raising: they carry meaning (the public page cache bumps its
generation with them, and losing that bump silently could serve stale pages once Redis
is back), so their callers decide.

Why not django-redis with IGNORE_EXCEPTIONS: it swallows errors the same way but has no
breaker, so each call to a hanging Redis would still wait out its timeout.
"""

import logging
import time

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


def _unavailable_errors():
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class CacheSkipped(Exception):
    """Raised by incr (and decr) while the breaker is open."""


class ResilientRedisCache(RedisCache):
    _last_warning = 0.0
    _skip_until = 0.0  # per process: the breaker is open until then (monotonic time)

    @classmethod
    def reset_breaker(cls):
        cls._skip_until = 0.0

    @staticmethod
    def _skipping():
        return time.monotonic() < ResilientRedisCache._skip_until

    def _failed(self, operation):
        now = time.monotonic()
        ResilientRedisCache._skip_until = now + getattr(
            settings, "REDIS_RETRY_AFTER", 30
        )
        if now - ResilientRedisCache._last_warning >= 60:
            ResilientRedisCache._last_warning = now
            logger.warning(
                "cache unreachable during %s; serving without it",
                operation,
                exc_info=True,
            )

    def _or(self, fallback, operation, *args):
        """`operation` of Django's RedisCache, or `fallback` while Redis is unreachable."""
        if self._skipping():
            return fallback
        try:
            return getattr(super(), operation)(*args)
        except _unavailable_errors():
            self._failed(operation)
            return fallback

    def incr(self, key, delta=1, version=None):  # decr calls it too
        if self._skipping():
            raise CacheSkipped("the cache is skipped after a failure: not counted")
        try:
            return super().incr(key, delta, version)
        except _unavailable_errors():
            self._failed("incr")
            raise

    def get(self, key, default=None, version=None):
        return self._or(default, "get", key, default, version)

    def get_many(self, keys, version=None):
        return self._or({}, "get_many", keys, version)

    def has_key(self, key, version=None):
        return self._or(False, "has_key", key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(None, "set", key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, "add", key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that could not be stored.
        return self._or(list(data), "set_many", data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, "touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._or(False, "delete", key, version)

    def delete_many(self, keys, version=None):
        return self._or(None, "delete_many", keys, version)
