"""The search page."""

from math import ceil

from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from apps.core.errors import reads_only

from .. import filters
from .. import limits
from ..registry import by_name
from ..search import SEARCH_TYPES
from ..search import SearchResults
from ..search import find
from ..search import similar_names
from .paging import no_such_page
from .paging import not_a_page_number
from .query_strings import encode_query
from .search_hints import NamedMission
from .search_hints import search_hints

SEARCH_PAGE_SIZE = 20
SEARCH_MAX_PAGE = 25  # ranking cost grows with the depth; 500 results is plenty


def _page_number(raw: str) -> int | None:
    """The page asked for (1 when none is), or None when `raw` is no page number: the
    lists' rule (`limits.is_page_number`), less "last", which a ranking has no cheap
    way to find (the API's search refuses it too). A number too long to be a page is
    past the end, without int() (which refuses more than 4,300 digits)."""
    if not raw:
        return 1
    if raw == "last" or not limits.is_page_number(raw):
        return None
    digits = raw.lstrip("0")
    return int(digits) if len(digits) <= 6 else SEARCH_MAX_PAGE + 1


def _ranked(query: str, types: list[str] | None, limit: int) -> SearchResults:
    """Every type is counted, for the type links, and the chosen ones ranked."""
    if not query:
        return SearchResults([], {})
    return find(query, types=types, limit=limit, count_types=SEARCH_TYPES)


def _pages_if_past_the_end(query: str, page: int, ranked: int) -> int | None:
    """How many pages the results have if `page` is not one of them, else None.
    `ranked`: the hits ranked down to `page` (at most SEARCH_MAX_PAGE pages' worth);
    the last page is where they end."""
    start = (min(page, SEARCH_MAX_PAGE) - 1) * SEARCH_PAGE_SIZE
    if not query or page == 1 or (page <= SEARCH_MAX_PAGE and ranked > start):
        return None
    return min(max(ceil(ranked / SEARCH_PAGE_SIZE), 1), SEARCH_MAX_PAGE)


def _type_filters(
    query: str, chosen: list[str], results: SearchResults
) -> list[dict[str, object]]:
    """A link per type with hits that adds it to (or takes it from) the chosen types."""
    type_filters: list[dict[str, object]] = []
    for name in SEARCH_TYPES:
        if not results.counts.get(name):
            continue
        others = [t for t in chosen if t != name] if name in chosen else [*chosen, name]
        params = {"q": query}
        if others:
            params["type"] = ",".join(others)
        record_type = by_name(name)
        assert record_type is not None  # SEARCH_TYPES come from the registry
        type_filters.append(
            {
                "name": name,
                "label": record_type.plural.capitalize(),
                "count": results.counts[name],
                "more": name in results.more,  # "100+"
                "selected": name in chosen,
                "url": "?" + encode_query(params),
            }
        )
    return type_filters


def _corrections(
    query: str, types: list[str] | None, every_word_found: bool
) -> tuple[list, str]:
    """Names close to the query and the query corrected, when no record held every
    word of it: a misspelt word may be why."""
    if not query or every_word_found:
        return [], ""
    return similar_names(query, types=types)


def _link(params: dict[str, object], wanted: bool) -> str:
    """The query string of `params` if `wanted`, else "" (no link)."""
    return "?" + encode_query(params) if wanted else ""


def _compare_url(named: list[NamedMission]) -> str:
    """Missions named together ("how did UNMIK differ from UNEF I") side by side."""
    if not 2 <= len(named) <= 4:
        return ""
    return (
        reverse("knowledge:compare-records", args=["missions"])
        + "?ids="
        + ",".join(mission.slug for mission in named)
    )


@reads_only
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    chosen = [
        t
        for t in dict.fromkeys(filters.split_values(request.GET.get("type")))
        if t in SEARCH_TYPES
    ]
    types = chosen or None
    page_params = {"q": query, **({"type": ",".join(chosen)} if chosen else {})}
    page = _page_number(request.GET.get("page", ""))
    if page is None:
        return not_a_page_number(request, page_params, of="these results")
    # Past SEARCH_MAX_PAGE is no page; rank no deeper than the last one to say so.
    start = (min(page, SEARCH_MAX_PAGE) - 1) * SEARCH_PAGE_SIZE
    results = _ranked(query, types, limit=start + SEARCH_PAGE_SIZE)
    if pages := _pages_if_past_the_end(query, page, len(results.hits)):
        return no_such_page(request, page_params, pages, of="these results")
    shown = chosen or SEARCH_TYPES
    total = sum(n for name, n in results.counts.items() if name in shown)
    hits = results.hits[start:]
    similar, suggestion = _corrections(query, types, total > 0 and results.every_word)
    # A mission named in the query is pointed to unless the results hold it for every
    # word; among results holding only some of the words, it would be easy to miss.
    listed = {hit.url for hit in hits} if results.every_word else set()
    named, missions_hint, organisations = search_hints(query, shown=listed)
    more = total > start + len(hits) and page < SEARCH_MAX_PAGE
    return render(
        request,
        "knowledge/search.html",
        {
            "query": query,
            "hits": hits,
            "total": total,
            "every_word": results.every_word,
            "more_than": not results.more.isdisjoint(shown),
            "first": start + 1,
            "last": start + len(hits),
            "previous_url": _link({**page_params, "page": page - 1}, page > 1),
            "next_url": _link({**page_params, "page": page + 1}, more),
            "similar": similar,
            "suggestion": suggestion,
            "suggestion_url": _link({**page_params, "q": suggestion}, bool(suggestion)),
            "type_filters": _type_filters(query, chosen, results),
            "chosen": chosen,
            # "UN missions in the 1990s" is a question the missions list answers.
            "missions_hint": missions_hint,
            "named_missions": named,
            "named_compare_url": _compare_url(named),
            # "what do Flynn and Farrell say about the CSCE": the OSCE's own page.
            "named_organisations": organisations,
        },
    )
