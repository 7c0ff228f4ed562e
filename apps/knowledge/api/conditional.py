"""HTTP caching done once for every read: a strong ETag over the representation,
Last-Modified from the records it shows, 304 on a matching conditional GET, and the
If-Match check that keeps writes from overwriting someone else's edit."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from .exceptions import PreconditionFailed, PreconditionRequired
from .querysets import loaded_lists


def etag_for(data, *parts):
    """A strong ETag for a representation (`parts` distinguish formats)."""
    payload = json.dumps(
        data, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":")
    )
    digest = hashlib.sha256("\x00".join([*parts, payload]).encode()).hexdigest()
    return f'"{digest[:32]}"'


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


class ConditionalMixin:
    """For API views: set `self.last_modified` while building a GET response."""

    last_modified = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        data = getattr(response, "data", None)
        if data is None:
            return response
        renderer = getattr(request, "accepted_renderer", None)
        etag = etag_for(data, getattr(renderer, "format", ""))
        response["ETag"] = etag
        timestamp = None
        if self.last_modified is not None:
            timestamp = int(self.last_modified.timestamp())
            response["Last-Modified"] = http_date(timestamp)
        patch_vary_headers(response, ["Accept", "Authorization", "Cookie"])
        return get_conditional_response(
            request, etag=etag, last_modified=timestamp, response=response
        )

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
