"""Probes for load balancers and orchestrators.

`/healthz`: the process is up and answering (no dependencies checked).
`/readyz`: the database and the cache answer too; 503 otherwise, so that a balancer
stops sending traffic to a web process that cannot serve it.

Probes come by IP address and plain HTTP from inside the network, so
`HealthCheckMiddleware` answers them before host validation and the HTTPS redirect.
Kept as our own code: probe apps such as django-health-check answer through the URLconf,
after both, and would replace only the two small checks below.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .errors import reads_only

logger = logging.getLogger(__name__)


@reads_only
@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database_ok():
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("readiness: database unreachable", exc_info=True)
        return False


def _cache_ok():
    key, value = "readyz-probe", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=10)
        return cache.get(key) == value
    except Exception:
        logger.warning("readiness: cache unreachable", exc_info=True)
        return False


@reads_only
@never_cache
def readyz(request):
    checks = {
        "database": "ok" if _database_ok() else "unavailable",
        "cache": "ok" if _cache_ok() else "unavailable",
    }
    ready = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", **checks},
        status=200 if ready else 503,
    )


PROBES = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    """Answer the probes before ALLOWED_HOSTS and SECURE_SSL_REDIRECT apply."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = PROBES.get(request.path_info)
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)
