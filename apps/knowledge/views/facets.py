"""The facet groups of a list page and their counts, cached while the list's content
versions hold (invalidation.list_names)."""

import hashlib

from django.conf import settings
from django.core.cache import cache

from apps.core import pagecache, versions

from .. import filters, invalidation
from .query_strings import encode_query, toggled, without


def facet_summary(filterset_class, params, queryset, *, page_filtered=None):
    """The facet groups of a list and how many records its filters match.

    Neither depends on the page number or the sort order, so every page of a list (and
    the timeline, for missions) shares one cache entry while the list's versions hold: a
    publish of its type or of a type it shows moves them. `queryset` must be the
    published one.
    """
    key = None
    if settings.FACET_CACHE:
        used = sorted(
            (k, v)
            for k, v in params.items()
            if k in filterset_class.base_filters and k != "ordering"
        )
        digest = hashlib.sha1(encode_query(used).encode()).hexdigest()
        model_name = filterset_class._meta.model._meta.model_name
        text = invalidation.shows_text(dict(used))
        shown = versions.stamp(invalidation.list_names(model_name, text))
        key = f"facets:{shown}:{model_name}:{digest}"
        summary = cache.get(key)
        if summary is not None:
            return summary
    if page_filtered is None:
        page_filtered = filterset_class(params, queryset=queryset).qs
    summary = filters.facets_and_total(
        filterset_class, params, queryset, page_filtered=page_filtered
    )
    if key:
        cache.set(key, summary, pagecache.TIMEOUT)
    return summary


def linked_groups(groups, params):
    """The groups that have values, each value linking to its toggled query."""
    for group in groups:
        for value in group.values:
            value.url = toggled(params, group.param, value.value)
        group.clear_url = without(params, group.param)
    return [group for group in groups if group.values]


def linked_facets(filterset_class, params, queryset):
    """The facet groups that have values, each value linking to its toggled query."""
    groups, _ = facet_summary(filterset_class, params, queryset)
    return linked_groups(groups, params)


def filter_summary(facets, params):
    """The active filters in words, for the page title: "Westphalian, Africa, “Kosovo”"."""
    chosen = [value.label for group in facets for value in group.selected]
    if params.get("q"):
        chosen.append(f"“{params['q']}”")
    return ", ".join(chosen)
