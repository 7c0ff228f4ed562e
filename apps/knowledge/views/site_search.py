"""The search page."""

from django.shortcuts import render

from .. import filters
from ..registry import by_name
from ..search import SEARCH_TYPES, count_records, search_records, similar_names
from .query_strings import encode_query

SEARCH_PAGE_SIZE = 20
SEARCH_MAX_PAGE = 25  # ranking cost grows with the depth; 500 results is plenty


def search(request):
    query = request.GET.get("q", "").strip()[:200]
    chosen = [
        t for t in filters.split_values(request.GET.get("type")) if t in SEARCH_TYPES
    ]
    try:
        page = min(max(int(request.GET.get("page", 1)), 1), SEARCH_MAX_PAGE)
    except ValueError:
        page = 1
    type_counts = count_records(query) if query else {}
    total = sum(n for name, n in type_counts.items() if not chosen or name in chosen)
    start = (page - 1) * SEARCH_PAGE_SIZE
    hits = (
        search_records(query, types=chosen or None, limit=start + SEARCH_PAGE_SIZE)[
            start:
        ]
        if query
        else []
    )
    similar, suggestion = (
        similar_names(query, types=chosen or None) if query and not total else ([], "")
    )
    page_params = {"q": query, **({"type": ",".join(chosen)} if chosen else {})}
    type_filters = []
    for name in SEARCH_TYPES:
        if not type_counts.get(name):
            continue
        others = [t for t in chosen if t != name] if name in chosen else [*chosen, name]
        params = {"q": query}
        if others:
            params["type"] = ",".join(others)
        type_filters.append(
            {
                "name": name,
                "label": by_name(name).plural.capitalize(),
                "count": type_counts[name],
                "selected": name in chosen,
                "url": "?" + encode_query(params),
            }
        )
    return render(
        request,
        "knowledge/search.html",
        {
            "query": query,
            "hits": hits,
            "total": total,
            "first": start + 1,
            "last": start + len(hits),
            "previous_url": "?" + encode_query({**page_params, "page": page - 1})
            if page > 1
            else "",
            "next_url": "?" + encode_query({**page_params, "page": page + 1})
            if total > start + len(hits) and page < SEARCH_MAX_PAGE
            else "",
            "similar": similar,
            "suggestion": suggestion,
            "suggestion_url": "?" + encode_query({**page_params, "q": suggestion})
            if suggestion
            else "",
            "type_filters": type_filters,
            "chosen": chosen,
        },
    )
