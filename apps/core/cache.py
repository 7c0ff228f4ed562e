"""Django's Redis cache, degrading to "no cache" while Redis cannot be reached.

A cache is an optimisation: when Redis is down, reads become misses and stores are
skipped (pages are rendered, API throttles start counting afresh), instead of every page
answering 500. Each failure is logged as a warning, at most once a minute per process;
/readyz still reports the cache as unavailable.

`incr` and `decr` keep raising: they carry meaning (the public page cache bumps its
generation with them, and losing that bump silently could serve stale pages once Redis
is back), so their callers decide.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


def _unavailable_errors():
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class ResilientRedisCache(RedisCache):
    _last_warning = 0.0

    def _failed(self, operation):
        now = time.monotonic()
        if now - ResilientRedisCache._last_warning >= 60:
            ResilientRedisCache._last_warning = now
            logger.warning(
                "cache unreachable during %s; serving without it",
                operation,
                exc_info=True,
            )

    def _or(self, fallback, operation, *args):
        """`operation` of Django's RedisCache, or `fallback` while Redis is unreachable."""
        try:
            return getattr(super(), operation)(*args)
        except _unavailable_errors():
            self._failed(operation)
            return fallback

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
