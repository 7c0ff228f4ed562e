"""After a publish, render the most read pages again before a reader asks for them.

A committed public change moves the content versions of what it changed
(apps/knowledge/invalidation.py), so the pages and shared blocks that show it are cold.
Once the transaction commits (after the versions moved: callbacks run in order), a background
thread requests the home page, the changed records' lists and pages, and /compare/ as an
anonymous reader would, on the host and scheme the editor used, which fills the page
cache and the data every page of a kind shares (facet counts, fragments, menus).

It cannot slow or fail the editor's request: the thread starts after the commit, and
anything that goes wrong in it is logged and dropped (readers then render the page
themselves, as they would without the warm-up). Off unless `PAGE_WARMUP` is set (on in
production, off in development and tests).
"""

import contextlib
import logging
import threading

from django.conf import settings
from django.db import connection
from django.db import transaction
from django.urls import NoReverseMatch
from django.urls import reverse

logger = logging.getLogger(__name__)

# At most this many pages per commit: a bulk load or import changes hundreds of records,
# and the pages every reader shares come first.
MAX_PAGES = 12

_pending = threading.local()
# The request being served on this thread (RequestOriginMiddleware), for its origin.
_current = threading.local()


class RequestOriginMiddleware:
    """Remembers the request on its thread, so the pages a commit changed are warmed
    for the editor's host and scheme."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _current.request = request
        try:
            return self.get_response(request)
        finally:
            _current.request = None


class _Batch:
    """The public records one transaction changed, warmed once it commits."""

    def __init__(self):
        request = getattr(_current, "request", None)
        # The editor's host and scheme: the page cache keys on them.
        self.origin = (request.get_host(), request.is_secure()) if request else None
        self.records = []

    def start(self):
        try:
            urls = pages_for(self.records)
            threading.Thread(
                target=_background,
                args=(urls, self.origin),
                name="page-warmup",
                daemon=True,
            ).start()
        except Exception:  # never let the warm-up fail the request that committed
            logger.exception("could not start the page warm-up")


def _waiting(batch):
    """Whether `batch` still waits for its transaction (not run, not rolled back)."""
    return connection.in_atomic_block and any(
        entry[1] == batch.start for entry in connection.run_on_commit
    )


def remember_change(record):
    """Called for each changed public record: warm its pages once the transaction
    commits (at once outside a transaction)."""
    if not settings.PAGE_WARMUP:
        return
    batch = getattr(_pending, "batch", None)
    if batch is not None and _waiting(batch):
        if len(batch.records) < MAX_PAGES:
            batch.records.append(record)
        return
    batch = _pending.batch = _Batch()
    batch.records.append(record)
    transaction.on_commit(batch.start)


def pages_for(records):
    """The addresses to warm: home, each changed type's list and each record's page
    (published ones only), and the comparison, in that order, without repeats."""
    urls = ["/"]
    for record in records:
        with contextlib.suppress(NoReverseMatch):  # comparison rows have no list
            urls.append(reverse(f"knowledge:{record._meta.model_name}-list"))
        published = getattr(record, "is_published", False) and record.pk
        if published and hasattr(record, "get_absolute_url"):
            urls.append(record.get_absolute_url())
    urls.append(reverse("knowledge:compare"))
    return list(dict.fromkeys(urls))[:MAX_PAGES]


def _background(urls, origin):
    try:
        warm(urls, origin)
    finally:
        connection.close()  # the thread's own connection


def warm(urls, origin=None):
    """Request each address as an anonymous reader would; return {url: status}."""
    from django.test import Client  # a plain in-process request, no network

    host, secure = origin or (_default_host(), not settings.DEBUG)
    client = Client(HTTP_HOST=host)
    statuses = {}
    for url in urls:
        try:
            statuses[url] = client.get(url, secure=secure).status_code
        except Exception:
            logger.exception("page warm-up failed for %s", url)
            statuses[url] = None
    return statuses


def _default_host():
    hosts = [h for h in settings.ALLOWED_HOSTS if h and "*" not in h]
    return hosts[0].lstrip(".") if hosts else "localhost"
