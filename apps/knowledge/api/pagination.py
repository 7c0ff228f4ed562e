import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework import exceptions
from rest_framework import pagination

from apps.core import pagecache
from apps.core import versions

from .. import invalidation
from .. import limits
from ..filters import stable

# Parameters that change what a page shows, not which records match.
NOT_FILTERS = {"page", "page_size", "ordering", "fields", "format", "include", "limit"}


class CountCachingPaginator(Paginator):
    """A paginator whose total comes from the cache when `count_key` is set: a filtered
    COUNT(*) over semi-joins is a query as costly as the page's own, and the same for
    every page and order of a filter, like the list pages' facet totals."""

    count_key = None

    @cached_property
    def count(self):
        if self.count_key is None:
            return super().count
        total = cache.get(self.count_key)
        if total is None:
            total = super().count
            cache.set(self.count_key, total, pagecache.TIMEOUT)
        return total


class PageNumberPagination(pagination.PageNumberPagination):
    """Page numbers with a total count, for browsing; clients may ask for up to 100 a page.
    The neighbouring pages are also in a `Link` header (RFC 8288), for generic clients.
    To harvest everything at once, use /api/v1/export/ instead."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        """A page_size that is not a whole number from 1 to 100 is a 400 naming it (DRF
        would quietly fall back to the default)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or not 1 <= value <= self.max_page_size:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        f"A whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return value

    def get_page_number(self, request, paginator):
        """A page that is not a whole number from 1 is a 400 naming it, as page_size is
        (and as the search's page is); a page past the end stays a 404."""
        raw = str(super().get_page_number(request, paginator)).strip()
        if raw in self.last_page_strings:
            return raw
        if not limits.is_page_number(raw):
            raise exceptions.ValidationError(
                {self.page_query_param: ["A whole number from 1."]}
            )
        return raw

    def paginate_queryset(self, queryset, request, view=None):
        key = self.count_key(queryset, request)

        def paginator(object_list, page_size):
            built = CountCachingPaginator(object_list, page_size)
            built.count_key = key
            return built

        self.django_paginator_class = paginator
        # A total order: records that sort alike never move between pages.
        return super().paginate_queryset(stable(queryset), request, view)

    @staticmethod
    def count_key(queryset, request):
        """Where an anonymous reader's total for these filters is cached (with the facet
        cache, while the list's versions hold); None for a signed-in client, who may see
        drafts."""
        if not settings.FACET_CACHE or request.user.is_authenticated:
            return None
        filters = sorted(
            (name, value)
            for name, value in request.query_params.lists()
            if name not in NOT_FILTERS
        )
        digest = hashlib.sha1(repr(filters).encode()).hexdigest()
        model_name = queryset.model._meta.model_name
        text = invalidation.shows_text(request.query_params)
        shown = versions.stamp(invalidation.list_names(model_name, text))
        return f"api-count:{shown}:{model_name}:{digest}"

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (
                ("next", self.get_next_link()),
                ("prev", self.get_previous_link()),
            )
            if url
        ]
        if links:
            response["Link"] = ", ".join(links)
        return response
