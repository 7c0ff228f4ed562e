"""What a list page's rows print, read as plain values and prepared once in Python.

A page of 30 rows built as model instances with prefetched relations (a queryset per
row and relation), then read through template lookups and tags per row, cost more
than its queries. Here each relation is one `values()` query, and each row is a dict
of the strings its template prints (templates/knowledge/rows/<type>.html), labels
taken from the models' own helpers so the page reads the same.
"""

import functools
from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from typing import cast

from django.contrib.contenttypes.models import ContentType
from django.db.models import Field
from django.db.models import FilteredRelation
from django.db.models import Model
from django.db.models import Q
from django.db.models import QuerySet
from django.urls import reverse

from apps.core import fuzzydate
from apps.core.models import Status
from apps.core.models import published_q

from .. import codebook
from .. import models
from .. import registry
from ..addresses import slug_url
from ..models.base import CitedBasis
from ..models.base import basis_phrase
from ..models.base import locator_text
from ..models.choices import Claim
from ..models.choices import CreatorRole
from ..models.records import PERIOD_COLUMNS
from ..models.records import period_text
from ..templatetags.knowledge import basis_html

Row = dict[str, Any]


@functools.cache
def labels(model: type[Model], field: str) -> dict[Any, str]:
    """A field's choices as {value: label}: what `get_<field>_display` prints."""
    choices = cast(Field, model._meta.get_field(field)).flatchoices
    return {value: str(label) for value, label in choices}


def label(model: type[Model], field: str, value: Any) -> str:
    return labels(model, field).get(value, value)


def _grouped(pairs: Iterable[tuple[int, Any]]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for key, value in pairs:
        out[key].append(value)
    return out


def authors(source_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each source's authors' family names, in order (Source.authors())."""
    ids = set(source_ids)
    if not ids:
        return {}
    return _grouped(
        # In SourceCreator's order (source, role, position).
        models.SourceCreator.objects.filter(
            role=CreatorRole.AUTHOR, source_id__in=ids
        ).values_list("source_id", "family")
    )


PREFERRED_COLUMNS = ("preferred__value", "preferred__basis", "preferred__rule")

# From this offset on, a page reads its preferred classifications in a query of their
# own: joined, PostgreSQL looks them up for every row it skips too (at 100x, page 200
# of the missions took 87 -> 115 ms; up to page 20 the join saves 2-4 ms).
JOIN_PREFERRED_BELOW = 900


def with_preferred(page: QuerySet, *columns: str) -> list[Row]:
    """The page's records as `columns`, with their preferred classification's id and
    columns (at most one: the constraint classification_one_preferred), joined to the
    page's own query instead of read in a query of their own."""
    if page.query.low_mark >= JOIN_PREFERRED_BELOW:
        records = list(page.values(*columns))
        found = {
            object_id: dict(
                zip(("preferred__id", *PREFERRED_COLUMNS), rest, strict=True)
            )
            for object_id, *rest in models.Classification.objects.filter(
                preferred=True,
                content_type=ContentType.objects.get_for_model(page.model),
                object_id__in=[record["id"] for record in records],
            ).values_list("object_id", "id", "value", "basis", "rule")
        }
        empty = dict.fromkeys(("preferred__id", *PREFERRED_COLUMNS))
        return [{**record, **found.get(record["id"], empty)} for record in records]
    # A new FilteredRelation each time: the query renames its condition in place.
    preferred = FilteredRelation(
        "classifications", condition=Q(classifications__preferred=True)
    )
    return list(
        page.annotate(preferred=preferred).values(
            *columns, "preferred__id", *PREFERRED_COLUMNS
        )
    )


def preferred_conceptions(records: list[Row]) -> dict[int, Row]:
    """Each record's preferred classification (read by `with_preferred`) as its
    conception, label and basis (`{% classification_basis c c.basis_citations %}`):
    for an author's judgement, the first classification citation whose source is
    published, with its authors."""
    found = [
        (record["preferred__id"], record["id"], *map(record.get, PREFERRED_COLUMNS))
        for record in records
        if record["preferred__id"] is not None
    ]
    authored = [pk for pk, _, _, basis, _ in found if basis == codebook.Basis.AUTHOR]
    cited: dict[int, tuple] = {}
    if authored:
        citations = (
            models.Citation.objects.published()
            .filter(
                claim=Claim.CLASSIFICATION,
                content_type=ContentType.objects.get_for_model(models.Classification),
                object_id__in=authored,
            )
            .values_list(  # in Citation's order: the first per classification first
                "object_id",
                "source_id",
                "source__title",
                "source__short_title",
                "locator_type",
                "locator",
                "page_start",
                "page_end",
                "reconstructed",
            )
        )
        for citation in citations:
            cited.setdefault(citation[0], citation)
    names = authors(citation[1] for citation in cited.values())
    data_url = reverse("apisite:data")
    conception_labels = labels(models.Classification, "value")
    out = {}
    for pk, object_id, value, basis, rule in found:
        basis_cited = None
        if pk in cited:
            _, source_id, title, short_title, kind, locator, start, end, mark = cited[
                pk
            ]
            basis_cited = CitedBasis(
                authors=names.get(source_id, []),
                title=short_title or title,
                locator=locator_text(
                    kind,
                    locator,
                    page_start=start,
                    page_end=end,
                    reconstructed=mark,
                ),
            )
        out[object_id] = {
            "value": value,
            "label": conception_labels.get(value, value),
            "basis": basis_html(rule, basis_phrase(basis, rule, basis_cited), data_url),
        }
    return out


def _period(record: Row) -> str:
    return period_text(**{name: record[name] for name in PERIOD_COLUMNS})


def _details(*parts: str) -> str:
    """What a row says after its conception, each part after " · " (escaped by the
    template, as each part was)."""
    return "".join(f" \u00b7 {part}" for part in parts if part)


def _dated_row(
    model: type[Model],
    type_field: str,
    record: Row,
    conceptions: dict[int, Row],
    names: dict[int, list[str]],
) -> Row:
    """A mission's or case's row: its address, name, conception, and its period, type
    and the names it lists (organisations, countries) after it."""
    return {
        "url": slug_url(registry.of(model).url_name("detail"), record["slug"]),
        "slug": record["slug"],
        "name": record["name"],
        "c": conceptions.get(record["id"]),
        "details": _details(
            _period(record),
            label(model, type_field, record[type_field]),
            ", ".join(names.get(record["id"], ())),
        ),
    }


def mission_rows(page: QuerySet) -> list[Row]:
    records = with_preferred(
        page, "id", "slug", "name", "acronym", "mission_type", *PERIOD_COLUMNS
    )
    ids = [record["id"] for record in records]
    conceptions = preferred_conceptions(records)
    run_by = models.Mission.organisations.through
    organisations = _grouped(
        (mission_id, models.Organisation.label_for(name, acronym))
        for mission_id, name, acronym in run_by.objects.filter(
            published_q("organisation__"), mission_id__in=ids
        )
        .order_by("organisation__name", "organisation_id")
        .values_list("mission_id", "organisation__name", "organisation__acronym")
    )
    return [
        {
            **_dated_row(
                models.Mission, "mission_type", record, conceptions, organisations
            ),
            "acronym": record["acronym"],
            "short_name": record["acronym"] or record["name"],
        }
        for record in records
    ]


def case_rows(page: QuerySet) -> list[Row]:
    records = with_preferred(
        page, "id", "slug", "name", "conflict_type", *PERIOD_COLUMNS
    )
    ids = [record["id"] for record in records]
    conceptions = preferred_conceptions(records)
    countries = _grouped(
        models.Case.countries.through.objects.filter(case_id__in=ids)
        .order_by("country__name", "country_id")
        .values_list("case_id", "country__name")
    )
    return [
        _dated_row(models.Case, "conflict_type", record, conceptions, countries)
        for record in records
    ]


def source_rows(page: QuerySet) -> list[Row]:
    records = list(
        page.values(
            "id", "slug", "title", "subtitle", "year", "kind", "container_title"
        )
    )
    names = authors(record["id"] for record in records)
    return [
        {
            "url": slug_url("knowledge:source-detail", record["slug"]),
            "name": models.Source.title_for(record["title"], record["subtitle"]),
            "authors": names.get(record["id"], []),
            "year": record["year"],
            "kind": label(models.Source, "kind", record["kind"]),
            "container_title": record["container_title"],
        }
        for record in records
    ]


def document_rows(page: QuerySet) -> list[Row]:
    records = page.values(
        "slug",
        "title",
        "short_title",
        "kind",
        "symbol",
        "date",
        "date_precision",
        "issuer__status",
        "issuer__name",
        "issuer__acronym",
    )
    return [
        {
            "url": slug_url("knowledge:document-detail", record["slug"]),
            "name": record["short_title"] or record["title"],
            "kind": label(models.Document, "kind", record["kind"]),
            "symbol": record["symbol"],
            "date": fuzzydate.display(record["date"], record["date_precision"]),
            # Only a published issuer (Document.issuer.is_published).
            "issuer": record["issuer__acronym"] or record["issuer__name"]
            if record["issuer__status"] == Status.PUBLISHED
            else "",
        }
        for record in records
    ]


def norm_rows(page: QuerySet) -> list[Row]:
    return [
        {
            "url": slug_url("knowledge:norm-detail", record["slug"]),
            "name": record["name"],
            "conception": record["conception"],
            "label": label(models.Norm, "conception", record["conception"]),
        }
        for record in page.values("slug", "name", "conception")
    ]


# The types whose list rows are built here (RecordListView.rows), by model.
BY_MODEL = {
    models.Mission: mission_rows,
    models.Case: case_rows,
    models.Source: source_rows,
    models.Document: document_rows,
    models.Norm: norm_rows,
}
