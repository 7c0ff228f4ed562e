"""HTTP caching done once for every read: a strong ETag over the representation,
Last-Modified from the records it shows, 304 on a matching conditional GET, and the
If-Match check that keeps writes from overwriting someone else's edit.

Views that set `cache_anonymous` also keep their anonymous answers in the shared cache,
valid while the content versions they show hold (apps/core/versions.py; which versions:
apps/knowledge/invalidation.py): a publish or an edit of what an answer shows empties it at
once, and leaves the others. A client that sends no credentials is answered from it before
DRF's request handling (a cached answer still counts against the throttles); a signed-in
client (who may see drafts) never reads or fills it.
"""

import hashlib
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.cache import patch_cache_control
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.renderers import JSONRenderer

from apps.core import pagecache
from apps.core import versions

from .. import invalidation
from .exceptions import PreconditionFailed
from .exceptions import PreconditionRequired
from .querysets import loaded_lists


def etag_for(data, *parts):
    """A strong ETag for a representation (`parts` distinguish formats): the one ETag
    computation (pagecache.etag) over its JSON as the API sends it (no indent): the tag
    of a JSON GET (`rendered_etag`), which If-Match and a write's answer compare with."""
    return pagecache.etag(*parts, JSONRenderer().render(data))


def rendered_etag(response, renderer):
    """The ETag of a DRF answer: a digest of the bytes it sends, rendered now, once (the
    response keeps them, so they are neither rendered nor serialised a second time).
    JSON asked with an indent (`Accept: application/json; indent=4`) is tagged as sent
    without one, so a tag names the representation whatever its whitespace; the
    browsable API's page holds a token per request, so its tag is its data's."""
    fmt = getattr(renderer, "format", "")
    if isinstance(renderer, BrowsableAPIRenderer):
        return etag_for(response.data, fmt)
    if isinstance(renderer, JSONRenderer) and renderer.get_indent(
        response.accepted_media_type, response.renderer_context
    ):
        return etag_for(response.data, fmt)
    response.render()
    return pagecache.etag(fmt, response.content)


def latest_change(obj, depth=2):
    """The latest `updated_at` of `obj` and of the related records already loaded with it
    (select_related and prefetch_related caches), `depth` levels deep."""
    latest = getattr(obj, "updated_at", None)
    if depth <= 0:
        return latest
    related = [item for items in loaded_lists(obj) for item in items]
    related += [v for v in obj._state.fields_cache.values() if v is not None]
    for item in related:
        if hasattr(item, "_state"):
            candidate = latest_change(item, depth - 1)
            if candidate and (latest is None or candidate > latest):
                latest = candidate
    return latest


# Headers of a stored answer besides Content-Type, ETag and Last-Modified.
KEPT_HEADERS = ("Link", "Content-Disposition", "X-Total-Count")


class ConditionalMixin:
    """For API views: set `self.last_modified` while building a GET response."""

    last_modified = None
    cache_anonymous = False  # keep anonymous answers in the shared cache
    cache_key = None
    shown = None  # the versions of what the answer shows, read before building it

    def dispatch(self, request, *args, **kwargs):
        # A client with no credentials at all is anonymous whatever DRF's authentication
        # would say: answer it from the cache before DRF builds its request, negotiates
        # and authenticates (most of a cached hit's time), keeping the throttles.
        if self.cache_anonymous and not (
            "HTTP_AUTHORIZATION" in request.META
            or settings.SESSION_COOKIE_NAME in request.COOKIES
        ):
            key = self.anonymous_cache_key(request)
            entry = self.fresh_entry(key) if key else None
            if entry is not None and all(
                throttle.allow_request(request, self)
                for throttle in self.get_throttles()
            ):
                response = self.cached_answer(entry, request)
                response["Allow"] = ", ".join(self.allowed_methods)
                patch_vary_headers(response, ["Accept"])
                return response
            # A refused request falls through: DRF answers 429 in the error shape.
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authenticate, permit, throttle
        if not (
            request.method in ("GET", "HEAD")
            and not request.user.is_authenticated
            and request.accepted_renderer.format != "api"  # HTML forms, CSRF cookie
        ):
            return
        self.cache_key = self.anonymous_cache_key(request._request)
        if not self.cache_key or self.shown is not None:
            return  # not cached, or dispatch() already missed
        entry = self.fresh_entry(self.cache_key)
        if entry is not None:
            # DRF looks the handler up after initial(): answer from the cache instead.
            self.get = self.head = partial(self.cached_answer, entry)

    def shown_names(self):
        """The content versions this answer shows (apps/knowledge/invalidation.py)."""
        return invalidation.answer_dependencies(
            getattr(self, "model", None), self.kwargs.get("slug")
        )

    def fresh_entry(self, key):
        """The stored answer under `key` if the versions it shows still hold (one round
        trip for both); remembers them for storing a new answer."""
        names = self.shown_names()
        found = cache.get_many([key, *map(versions.key, names)])
        self.shown = versions.read(names, found)
        entry = found.get(key)
        if entry is not None and entry.get("versions") == self.shown:
            return entry
        return None

    def anonymous_cache_key(self, request):
        """The key of the request's anonymous answer, from what the client sent (so that
        it can be found before DRF negotiates): the address, the query in any order and
        the Accept header. None where nothing is cached."""
        if not (
            self.cache_anonymous
            and settings.PAGE_CACHE
            and request.method in ("GET", "HEAD")
        ):
            return None
        # Canonical addresses only (known parameters, sorted: pagecache.cache_address),
        # with the scheme and host that absolute addresses in the body depend on; and
        # only the Accept values a renderer answers, so variants cannot fill the cache.
        address = pagecache.cache_address(request)
        accept = request.META.get("HTTP_ACCEPT", "")
        accepted = {"", "*/*", *(r.media_type for r in self.get_renderers())}
        if address is None or accept not in accepted:
            return None
        digest = hashlib.sha256(f"{address}\n{accept}".encode()).hexdigest()
        return f"api:{digest}"

    def cached_answer(self, entry, request, *args, **kwargs):
        response = HttpResponse(entry["content"], content_type=entry["content_type"])
        for name, value in entry["headers"].items():
            response[name] = value
        response["X-Cache"] = "hit"  # as the page cache says (apps/core/pagecache.py)
        return self.conditional(request, response, entry["etag"], entry["timestamp"])

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        data = getattr(response, "data", None)
        if data is None:
            return response
        etag = rendered_etag(response, request.accepted_renderer)
        timestamp = None
        if self.last_modified is not None:
            timestamp = int(self.last_modified.timestamp())
        answer = self.conditional(request, response, etag, timestamp)
        if answer is response and self.cache_key:
            response["X-Cache"] = "miss"
            response.add_post_render_callback(partial(self.store, etag, timestamp))
        return answer

    def conditional(self, request, response, etag, timestamp):
        response["ETag"] = etag
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            # Shared caches may keep it, and revalidate (a cheap 304) before each use,
            # as the public pages do: a publish shows at once.
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        if timestamp is not None:
            response["Last-Modified"] = http_date(timestamp)
        patch_vary_headers(response, ["Accept", "Authorization", "Cookie"])
        return get_conditional_response(
            request, etag=etag, last_modified=timestamp, response=response
        )

    def store(self, etag, timestamp, response):
        if response.cookies:
            return
        entry = {
            "content": response.content,
            "content_type": response["Content-Type"],
            "headers": {h: response[h] for h in KEPT_HEADERS if response.has_header(h)},
            "etag": etag,
            "timestamp": timestamp,
            "versions": self.shown,
        }
        cache.set(self.cache_key, entry, pagecache.TIMEOUT)

    def check_if_match(self, request, instance):
        """Refuse a write unless If-Match names the record's current ETag (or is `*`)."""
        header = request.headers.get("If-Match")
        if not header:
            raise PreconditionRequired()
        if header.strip() == "*":
            return
        serializer = self.get_serializer_class()(
            instance, context={**self.get_serializer_context(), "sparse": False}
        )
        current = etag_for(serializer.data, "json")
        # Weak tags never match for If-Match (RFC 9110, 13.1.1); ours are all strong.
        offered = {tag.strip() for tag in header.split(",")}
        if current not in offered:
            raise PreconditionFailed()
