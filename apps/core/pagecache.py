"""Whole-page caching for anonymous readers, with exact invalidation, and the one ETag.

Every public page is a function of the published content it shows. Each cached page
remembers the content versions (apps/core/versions.py) of what it shows, named by the
rule the knowledge app registers (`register_dependencies`; apps/knowledge/invalidation.py):
a record's page names that record, a list its type and what its rows and facets show,
the home page, /compare/ and compared records what they show, any other page the whole
content (`versions.ALL`). A committed public change moves
the versions of what it changed, so the next request for a page that shows it renders
afresh, while the pages that do not show it stay cached. The entry and the versions are
read in one round trip. Conditional GETs are answered 304 from the stored ETag without
rendering anything.

Only anonymous GET/HEAD requests outside the admin and the API are cached (staff previews,
sessions and the API's own throttling and ETags are left alone), and only 200 responses that
set no cookie. Only canonical addresses are cached (`cache_address`): query parameters the
site knows, each once with a value, keyed in sorted order; any other variant
(`?utm_source=...`, `?page=1&page=2`) is answered fresh and never stored, so nobody can
fill the cache with variants. The key includes the scheme and host, which absolute links
(the sitemap, feeds) depend on. A cacheable answer says `X-Cache: hit` or `miss` (the
bench counts them after a publish).
"""

import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import HttpResponseNotModified
from django.http import QueryDict
from django.urls import Resolver404
from django.urls import ResolverMatch
from django.urls import resolve
from django.utils.cache import patch_cache_control

from . import versions

logger = logging.getLogger(__name__)

EXCLUDED_PREFIXES = ("/admin/", "/api/", "/healthz", "/readyz", "/bench/")
TIMEOUT = versions.TIMEOUT


def etag(*parts: str | bytes) -> str:
    """The one strong ETag: a digest of what a representation is made of (its bytes, or
    the version and name of a file). Pages, API answers and exports all use it."""
    digest = hashlib.sha256()
    for index, part in enumerate(parts):
        if index:
            digest.update(b"\x00")
        digest.update(part.encode() if isinstance(part, str) else part)
    return f'"{digest.hexdigest()[:32]}"'


def current_generation() -> int | None:
    """The content generation (`versions.ALL`): moves on every public change."""
    return versions.current_generation()


def fragment_context(names: list[str] | None = None) -> dict:
    """Context for `{% cache fragment_timeout <name> generation %}` around a block that is
    costly and the same for every reader: cached even with the page cache off (a block
    shared by every page of a kind, not one URL), and invalidated when the versions of
    `names` move (by default the whole content's)."""
    return {
        "generation": versions.stamp(names or [versions.ALL]),
        "fragment_timeout": TIMEOUT,
    }


def _everything(match: ResolverMatch, query: QueryDict) -> list[str]:
    return [versions.ALL]


Dependencies = Callable[[ResolverMatch, QueryDict], list[str]]
_dependencies: list[Dependencies] = [_everything]


def register_dependencies(function: Dependencies) -> None:
    """`function(resolver_match, query)` names the versions a page shows (apps.py)."""
    _dependencies[0] = function


def dependencies(request: HttpRequest) -> list[str]:
    """The content versions the page at `request.path_info` (with its query) shows."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return [versions.ALL]
    return _dependencies[0](match, request.GET)


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
        key = f"page:{address_hash}"
        names = dependencies(request)
        found = cache.get_many([key, *map(versions.key, names)])
        shown = versions.read(names, found)  # before rendering: a publish meanwhile
        entry = found.get(key)  # leaves what is stored under the old versions
        if entry is not None and entry.get("versions") == shown:
            stored = entry["etag"]
            if stored in request.headers.get("If-None-Match", ""):
                response = HttpResponseNotModified()
                response["ETag"] = stored
                return response
            return self._build(entry)
        response = self.get_response(request)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.has_header("Cache-Control")
        ):
            tag = etag(response.content)
            entry = {
                "versions": shown,
                "content": response.content,
                "content_type": response["Content-Type"],
                "etag": tag,
                "headers": {
                    name: value
                    for name, value in response.items()
                    if name.lower()
                    in {"content-language", "link", "x-robots-tag", "vary"}
                },
            }
            cache.set(key, entry, TIMEOUT)
            response["ETag"] = tag
            response["X-Cache"] = "miss"
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        return response

    @staticmethod
    def _build(entry):
        response = HttpResponse(entry["content"], content_type=entry["content_type"])
        for name, value in entry["headers"].items():
            response[name] = value
        response["ETag"] = entry["etag"]
        response["X-Cache"] = "hit"
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        return response
