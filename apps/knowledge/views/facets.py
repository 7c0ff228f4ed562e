"""The facet groups of a list page and their counts, cached while the list's content
versions hold (invalidation.list_names), and the facet block's HTML likewise."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.safestring import mark_safe

from apps.core import pagecache
from apps.core import versions

from .. import filters
from .. import invalidation
from .query_strings import encode_query
from .query_strings import toggled
from .query_strings import without


def _digest(params) -> str:
    return hashlib.sha1(encode_query(sorted(params)).encode()).hexdigest()


def _summary_key(filterset_class, params) -> str:
    """The cache key of a list's facet counts: the list's versions and its filters (the
    page number and sort order change neither)."""
    used = [
        (k, v)
        for k, v in params.items()
        if k in filterset_class.base_filters and k != "ordering"
    ]
    model_name = filterset_class._meta.model._meta.model_name
    text = invalidation.shows_text(dict(used))
    shown = versions.stamp(invalidation.list_names(model_name, text))
    return f"facets:{shown}:{model_name}:{_digest(used)}"


def facet_summary(filterset_class, params, queryset, *, page_filtered=None):
    """The facet groups of a list and how many records its filters match.

    Neither depends on the page number or the sort order, so every page of a list (and
    the timeline, for missions) shares one cache entry while the list's versions hold: a
    publish of its type or of a type it shows moves them. `queryset` must be the
    published one.
    """
    key = _summary_key(filterset_class, params) if settings.FACET_CACHE else None
    summary = cache.get(key) if key else None
    if summary is None:
        summary = _count(filterset_class, params, queryset, page_filtered, key)
    return summary


def _count(filterset_class, params, queryset, page_filtered, key):
    if page_filtered is None:
        page_filtered = filterset_class(params, queryset=queryset).qs
    summary = filters.facets_and_total(
        filterset_class, params, queryset, page_filtered=page_filtered
    )
    if key:
        cache.set(key, summary, pagecache.TIMEOUT)
    return summary


def facet_block(
    filterset_class,
    params,
    queryset,
    *,
    path,
    active,
    page_filtered=None,
    count_active=True,
) -> tuple[SafeString, list, int]:
    """The facet block's HTML (includes/facets.html), the facet groups that have values
    and the total.
    `count_active`: the panel's summary says how many filters are active (the timeline's
    does not, so far). The block is keyed on the page's path, so each page keeps its own.

    The block is about 200 links, each a toggled query string: rendering it cost a list
    page about a third of its time. It is cached beside the counts, under the same
    versions (a publish shows at once), per page address without its page number (its
    links drop the page number)."""
    summary_key = block_key = None
    found: dict = {}
    if settings.FACET_CACHE:
        summary_key = _summary_key(filterset_class, params)
        shown = _digest((k, v) for k, v in params.items() if k != "page")
        block_key = f"facetblock:{summary_key}:{int(active)}:{path}:{shown}"
        found = cache.get_many([summary_key, block_key])
    summary = found.get(summary_key)
    if summary is None:
        summary = _count(filterset_class, params, queryset, page_filtered, summary_key)
    groups, total = summary
    facets = [group for group in groups if group.values]
    html = found.get(block_key)
    if html is None:
        linked_groups(facets, params)
        html = render_to_string(
            "includes/facets.html",
            {
                "facets": facets,
                "active": active,
                "active_filter_count": (
                    sum(len(g.selected) for g in facets) if count_active else 0
                ),
                "clear_url": path,
            },
        )
        if block_key:
            cache.set(block_key, html, pagecache.TIMEOUT)
    return mark_safe(html), facets, total


def linked_groups(groups, params):
    """The groups that have values, each value linking to its toggled query."""
    for group in groups:
        for value in group.values:
            value.url = toggled(params, group.param, value.value)
        group.clear_url = without(params, group.param)
    return [group for group in groups if group.values]


def filter_summary(facets, params, filterset):
    """The active filters in words, for the page title: "Westphalian, Africa, “Kosovo”"."""
    chosen = [value.label for group in facets for value in group.selected]
    chosen += [values for _label, values in unfaceted_filters(facets, filterset)]
    if params.get("q"):
        chosen.append(f"“{params['q']}”")
    return ", ".join(chosen)


def filters_in_words(facets, params, filterset):
    """Each filter in force with its facet's name, for the line above the results that
    stays visible when phones fold the panel: ["region: Africa", "words: “Kosovo”"]."""
    phrases = [
        f"{group.label.lower()}: " + " or ".join(v.label for v in group.selected)
        for group in facets
        if group.selected
    ]
    phrases += [
        f"{label.lower()}: {values}"
        for label, values in unfaceted_filters(facets, filterset)
    ]
    if params.get("q"):
        phrases.append(f"words: “{params['q']}”")
    return phrases


def unfaceted_filters(facets, filterset):
    """The filters in force that no facet shows, as (label, values): the list a detail
    page's "see all" link opens (`?case=<slug>` names the case), a date bound. A record
    filter's values are the published records' names."""
    if not filterset.is_valid():
        return []  # the page says what is wrong instead
    shown = {group.param for group in facets if group.selected} | {"q", "ordering"}
    found = []
    for name, value in filterset.form.cleaned_data.items():
        if name in shown or value in (None, "", []):
            continue
        found.append((filterset.filters[name].label, _in_words(filterset, name, value)))
    return found


def _in_words(filterset, name, value):
    known = filterset.filters[name].extra.get("known")
    if known and isinstance(value, list):
        model, field = known
        records = model.objects.published().filter(**{f"{field}__in": value})
        return " or ".join(sorted(str(record) for record in records))
    if isinstance(value, list):
        return " or ".join(str(v) for v in value)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
