"""What the public pages fetch: the published records and the published parts of
their relations, prefetched."""

from collections.abc import Sequence
from typing import TypeVar

from django.db.models import Model, Prefetch, QuerySet

from apps.core.models import PublishableModel

from .. import limits
from ..models import (
    Citation,
    Classification,
)


def published_citations(name: str = "citations", *, creators: bool = True) -> Prefetch:
    """Citations whose source is published, with the source and its creators
    (`creators=False` for a caller that fetches them once for several sets)."""
    queryset = Citation.objects.published().select_related("source")
    if creators:
        queryset = queryset.prefetch_related("source__creators")
    return Prefetch(name, queryset=queryset)


def preferred_classifications(to_attr: str | None = None) -> Prefetch:
    """With the citations and authors that say whose judgement it is (the basis)."""
    return Prefetch(
        "classifications",
        queryset=Classification.objects.filter(preferred=True).prefetch_related(
            published_citations()
        ),
        to_attr=to_attr,
    )


def classifications_with_citations(*, creators: bool = True) -> Prefetch:
    return Prefetch(
        "classifications",
        queryset=Classification.objects.prefetch_related(
            published_citations(creators=creators)
        ),
    )


def published(
    model: type[PublishableModel],
    name: str,
    *,
    related: Sequence[str] = (),
    prefetch: Sequence[str | Prefetch] = (),
    to_attr: str | None = None,
) -> Prefetch:
    """Prefetch a relation keeping only its published records."""
    queryset = model.objects.published().select_related(*related)
    return Prefetch(
        name, queryset=queryset.prefetch_related(*prefetch), to_attr=to_attr
    )


_M = TypeVar("_M", bound=Model)

COMPARE_CHOICES = 200  # records offered in a detail page's "compare with" menu


def first_and_total(records: QuerySet[_M]) -> tuple[list[_M], int]:
    """The first limits.RELATED_LIMIT of `records` and how many there are: one query,
    and a count only when the list is cut."""
    limit = limits.RELATED_LIMIT
    items = list(records[: limit + 1])
    if len(items) > limit:
        return items[:limit], records.count()
    return items, len(items)
