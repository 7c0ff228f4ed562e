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

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except _unavailable_errors():
            self._failed("get")
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except _unavailable_errors():
            self._failed("get_many")
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except _unavailable_errors():
            self._failed("has_key")
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except _unavailable_errors():
            self._failed("set")
            return None

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except _unavailable_errors():
            self._failed("add")
            return False

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except _unavailable_errors():
            self._failed("set_many")
            return list(data)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except _unavailable_errors():
            self._failed("touch")
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except _unavailable_errors():
            self._failed("delete")
            return False

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except _unavailable_errors():
            self._failed("delete_many")
            return None
