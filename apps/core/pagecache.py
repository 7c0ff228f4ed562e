"""Whole-page caching for anonymous readers, with exact invalidation.

Every public page is a function of the published content. A single *content generation*
number, kept in the shared cache, names the current state of that content; cache keys and
ETags include it. Any committed write to a knowledge model bumps the generation, so the next
request renders afresh: nobody sees a stale page after an editor approves a change, and no
per-page bookkeeping can be forgotten. Conditional GETs are answered 304 from the stored ETag
without rendering anything.

Only anonymous GET/HEAD requests outside the admin and the API are cached (staff previews,
sessions and the API's own throttling and ETags are left alone), and only 200 responses that
set no cookie. Only canonical addresses are cached (`cache_address`): query parameters the
site knows, each once with a value, keyed in sorted order; any other variant
(`?utm_source=...`, `?page=1&page=2`) is answered fresh and never stored, so nobody can
fill the cache with variants. The
key includes the scheme and host, which absolute links (the sitemap, feeds) depend on. Several web processes share the generation through Redis (REDIS_URL); with the
local-memory cache each process has its own, which is right for a single process only.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)

GENERATION_KEY = "content-generation"
EXCLUDED_PREFIXES = ("/admin/", "/api/", "/healthz", "/readyz", "/bench/")
# Short enough that a bump lost to a cache outage cannot keep a stale page for long.
TIMEOUT = 5 * 60


def current_generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        generation = cache.get(GENERATION_KEY, 1)
    return generation


def bump_generation():
    """Invalidate every cached page, once the current transaction commits.

    Bumping before the commit would let a concurrent request cache the old content
    under the new generation."""

    def bump():
        try:
            try:
                cache.incr(GENERATION_KEY)
            except ValueError:  # the key expired or was never set
                cache.add(GENERATION_KEY, 1, timeout=None)
                cache.incr(GENERATION_KEY)
        except Exception:
            # The write is committed and must not turn into an error page. Cached pages
            # expire within TIMEOUT, which bounds how long this lost bump can show.
            logger.exception(
                "could not invalidate the page cache after a content change"
            )

    transaction.on_commit(bump)


def fragment_context():
    """Context for `{% cache fragment_timeout <name> generation %}` around a block that is
    costly and the same for every reader: cached even with the page cache off (a block
    that is shared by every page of a kind, not one URL), and invalidated by any publish
    with the pages."""
    return {"generation": current_generation(), "fragment_timeout": TIMEOUT}


# Every query parameter a public page or API read understands; the knowledge app
# registers its filter names at start-up (apps/knowledge/apps.py).
KNOWN_PARAMETERS = {
    "page",
    "page_size",
    "q",
    "type",
    "format",
    "fields",
    "ids",
    "limit",
}


def register_parameters(names):
    KNOWN_PARAMETERS.update(names)


def cache_address(request):
    """`scheme://host/path?query` with the query's parameters sorted, when each is a
    known one given once with a value; else None: such a request is not cached."""
    parts = sorted(request.META.get("QUERY_STRING", "").split("&"))
    if parts == [""]:
        parts = []
    names = [part.partition("=")[0] for part in parts]
    if len(set(names)) != len(names) or not KNOWN_PARAMETERS.issuperset(names):
        return None
    if not all(part.partition("=")[2] for part in parts):
        return None
    address = f"{request.scheme}://{request.get_host()}{request.path}"
    return f"{address}?{'&'.join(parts)}" if parts else address


def _cacheable(request):
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(EXCLUDED_PREFIXES):
        return False
    # A session or credentials may mean a signed-in curator who can preview drafts.
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        address = cache_address(request) if _cacheable(request) else None
        if address is None:
            return self.get_response(request)
        address_hash = hashlib.sha256(address.encode()).hexdigest()
        key = f"page:{current_generation()}:{address_hash}"
        entry = cache.get(key)
        if entry is not None:
            etag = entry["etag"]
            if etag in request.headers.get("If-None-Match", ""):
                response = HttpResponseNotModified()
                response["ETag"] = etag
                return response
            return self._build(entry)
        response = self.get_response(request)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.has_header("Cache-Control")
        ):
            etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
            entry = {
                "content": response.content,
                "content_type": response["Content-Type"],
                "etag": etag,
                "headers": {
                    name: value
                    for name, value in response.items()
                    if name.lower()
                    in {"content-language", "link", "x-robots-tag", "vary"}
                },
            }
            cache.set(key, entry, TIMEOUT)
            response["ETag"] = etag
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        return response

    @staticmethod
    def _build(entry):
        response = HttpResponse(entry["content"], content_type=entry["content_type"])
        for name, value in entry["headers"].items():
            response[name] = value
        response["ETag"] = entry["etag"]
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        return response
