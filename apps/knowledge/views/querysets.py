"""What the public pages fetch: the published records and the published parts of
their relations, prefetched."""

import json
from collections.abc import Sequence
from typing import Any
from typing import TypeVar

from django.db.models import CharField
from django.db.models import DateField
from django.db.models import F
from django.db.models import Model
from django.db.models import Prefetch
from django.db.models import QuerySet
from django.db.models import TextField
from django.db.models import Value
from django.db.models import Window
from django.db.models.expressions import OrderBy
from django.db.models.functions import Cast
from django.db.models.functions import RowNumber

from apps.core.models import PublishableModel

from .. import limits
from ..models import Citation
from ..models import Classification
from ..models.records import PERIOD_COLUMNS
from ..models.records import PERIOD_DATES


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


# What a related list shows of a record: its address, its name (two text columns: a
# name and an acronym or short title) and, for a dated record, its period.
_LABEL_FIELDS = {
    "mission": ("name", "acronym"),
    "case": ("name", None),
    "organisation": ("name", "acronym"),
    "norm": ("name", None),
    "concept": ("term", None),
    "document": ("title", "short_title"),
    "source": ("title", "short_title"),
}
# What a row or a compared record shows of a dated record besides its coded values: its
# address, its name and its period (long texts are not read).
DATED_ROW_FIELDS = ("slug", "name", *PERIOD_COLUMNS)


def _ordering(model: type[Model]) -> list[OrderBy]:
    """The model's order as expressions (a window's `order_by`)."""
    terms: list[OrderBy] = []
    for name in model._meta.ordering or ():
        if isinstance(name, OrderBy):
            terms.append(name)
        else:
            name = str(name)
            terms.append(F(name[1:]).desc() if name.startswith("-") else F(name).asc())
    return terms


def _display_part(name: str, records: QuerySet, limit: int) -> QuerySet:
    """The first `limit` of `records` as the columns every related list shares, each
    row saying which list it belongs to and where in it."""
    model = records.model
    fields = {f.name for f in model._meta.concrete_fields}
    first, second = _LABEL_FIELDS[str(model._meta.model_name)]
    text = CharField()
    columns: dict[str, Any] = {
        "list": Cast(Value(name), text),
        "position": Window(RowNumber(), order_by=_ordering(model)),
        "record_pk": F("pk"),
        "record_slug": F("slug"),
        "text_1": F(first),
        "text_2": F(second) if second else Cast(Value(""), text),
    }
    for column in PERIOD_DATES:
        output = DateField() if column.endswith("_date") else text
        columns[f"shown_{column}"] = (
            F(column) if column in fields else Cast(Value(None), output)
        )
    columns["open_end"] = (
        Cast(F("not_established"), TextField())
        if "not_established" in fields
        else Cast(Value(None), TextField())
    )
    return (
        model.objects.filter(
            pk__in=records.order_by(*_ordering(model)).values("pk")[:limit]
        )
        .order_by()
        .values(**columns)
    )


def _display_record(model: type[_M], row: dict) -> _M:
    """A record with only what a related list shows; any other field, read, is
    fetched (a query the page's query budget would catch)."""
    first, second = _LABEL_FIELDS[str(model._meta.model_name)]
    values = {"id": row["record_pk"], "slug": row["record_slug"], first: row["text_1"]}
    if second:
        values[second] = row["text_2"]
    fields = {f.name for f in model._meta.concrete_fields}
    for column in PERIOD_DATES:
        if column in fields:
            values[column] = row[f"shown_{column}"]
    if "not_established" in fields:
        values["not_established"] = json.loads(row["open_end"] or "{}")
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db("default", names, [values[n] for n in names])


def related_lists(
    lists: dict[str, QuerySet],
) -> dict[str, tuple[list[Any], int]]:
    """For each named list of published records, its first limits.RELATED_LIMIT
    records (enough to link to them and show their periods) and how many there are:
    every list in one query (a UNION), and a count only for a list that is cut."""
    if not lists:
        return {}
    limit = limits.RELATED_LIMIT
    parts = [_display_part(name, records, limit + 1) for name, records in lists.items()]
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    found: dict[str, list[tuple[int, Any]]] = {name: [] for name in lists}
    for row in rows:
        model = lists[row["list"]].model
        found[row["list"]].append((row["position"], _display_record(model, row)))
    out = {}
    for name, items in found.items():
        records = [record for _position, record in sorted(items, key=lambda i: i[0])]
        if len(records) > limit:
            out[name] = (records[:limit], lists[name].count())
        else:
            out[name] = (records, len(records))
    return out
