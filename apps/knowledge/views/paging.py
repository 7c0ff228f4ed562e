"""A page number past the end of a list: a 404 that says how many pages there are and
links to the last one, with the same parameters. Something that is not a page number at
all (0, -5, 1.5, 1e3, abc): a 400 that says so and links to the first page, as the API
answers a 400 naming `page` (`limits.is_page_number` is the one rule for both).

Not a redirect to the last page: the old address is not the last page's, and a cache
or a crawler would file the last page's contents under it."""

from collections.abc import Mapping

from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render

from .query_strings import encode_query


def page_url(path: str, params: Mapping[str, str], number: int) -> str:
    """`path` with `params` and page `number` (page 1 is the list's own address)."""
    query = {k: v for k, v in params.items() if k != "page"}
    if number > 1:
        query["page"] = str(number)
    return path + ("?" + encode_query(query) if query else "")


def no_such_page(
    request: HttpRequest,
    params: Mapping[str, str],
    pages: int,
    *,
    of: str = "this list",
) -> HttpResponse:
    asked = request.GET.get("page", "")[:20]
    counted = f"pages run from 1 to {pages}" if pages > 1 else "it has one page"
    return render(
        request,
        "404.html",
        {
            "message": f"There is no page “{asked}” of {of}: {counted}.",
            "last_page": pages,
            "last_page_url": page_url(request.path, params, pages),
        },
        status=404,
    )


def not_a_page_number(
    request: HttpRequest,
    params: Mapping[str, str],
    *,
    of: str = "this list",
) -> HttpResponse:
    """The 400 for `?page=` that is not a whole number from 1.

    Not "400.html": Django's own handler400 renders that template without the request,
    which the site's header needs."""
    asked = request.GET.get("page", "")[:20]
    return render(
        request,
        "bad_request.html",
        {
            "message": f"“{asked}” is not a valid page number: the pages of {of} "
            "are numbered from 1.",
            "first_page_url": page_url(request.path, params, 1),
        },
        status=400,
    )
