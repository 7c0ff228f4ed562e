"""The comparison of the two conceptions, and records side by side."""

from collections import Counter, defaultdict
from typing import Any, NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import (
    Count,
    F,
    FilteredRelation,
    Prefetch,
    Q,
    Window,
    prefetch_related_objects,
)
from django.http import Http404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from apps.core import pagecache, versions

from .. import filters, invalidation, limits
from ..dimensions import CONCEPTION, DIMENSIONS, conception_text
from ..footnotes import Footnotes, by_claim
from ..models import (
    Case,
    Citation,
    Classification,
    ComparisonRow,
    Country,
    MandateTask,
    Mission,
    Organisation,
    SourceCreator,
)
from ..models.base import LOCATOR_FIELDS
from ..models.choices import (
    Claim,
    ComparisonSection,
    Conception,
    CreatorRole,
)
from ..registry import PAGE_TYPES
from ..templatetags.knowledge import footnote
from .labels import CONCEPTIONS
from .query_strings import CanonicalQueryMixin
from .querysets import (
    COMPARE_CHOICES,
    DATED_ROW_FIELDS,
    preferred_classifications,
    published_citations,
)


def _classified(model):
    """Published records of `model` that have a preferred classification, annotated with
    its value as `conception`. A plain join, since a record has at most one preferred
    classification (a constraint): counted and grouped in the database, so the comparison
    page costs about the same with sixty missions or six thousand."""
    return (
        model.objects.published()
        .filter(classifications__preferred=True)
        .annotate(conception=F("classifications__value"))
    )


def _decade_table(model):
    """Counts of records by decade of start and preferred conception; records with no
    start coded form a last row of their own (decade None), never dropped."""
    rows = (
        _classified(model)
        .values("start_date__year", "conception")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = defaultdict(Counter)
    for row in rows:
        year = row["start_date__year"]
        counts[None if year is None else year - year % 10][row["conception"]] += row[
            "n"
        ]
    list_url = reverse(f"knowledge:{model._meta.model_name}-list")
    return [
        {
            "decade": decade,
            "label": "Not coded" if decade is None else f"{decade}s",
            "url": f"{list_url}?decade={filters.NOT_CODED if decade is None else decade}",
            "cells": [counts[decade][value] for value, _ in Conception.choices],
            "total": sum(counts[decade].values()),
        }
        for decade in sorted(counts, key=lambda d: (d is None, d or 0))
    ]


BUCKET_SIZE = 24  # records listed per conception on /compare/; the rest via the list


def _by_conception(model, model_name):
    counts = dict(
        _classified(model).values_list("conception").annotate(n=Count("pk")).order_by()
    )
    list_url = reverse(f"knowledge:{model_name}-list")
    buckets = [
        {
            "value": value,
            "label": label,
            "records": list(_classified(model).filter(conception=value)[:BUCKET_SIZE]),
            "count": counts.get(value, 0),
            "more_url": f"{list_url}?conception={value}"
            if counts.get(value, 0) > BUCKET_SIZE
            else "",
        }
        for value, label in Conception.choices
    ]
    # Whose judgement each listed record's classification is: one prefetch for all.
    prefetch_related_objects(
        [record for bucket in buckets for record in bucket["records"]],
        preferred_classifications(to_attr="preferred"),
    )
    return buckets


SECTION_HEADINGS = {
    ComparisonSection.DIMENSION: "Dimensions",
    ComparisonSection.ROUTE_TO_PEACE: "Routes to stable peace",
    ComparisonSection.ADVOCATES: "Who argues for each",
    ComparisonSection.CRITICISM: "Criticisms",
    ComparisonSection.DISAGREEMENT: "Where the texts disagree",
}


class CompareView(TemplateView):
    template_name = "knowledge/compare.html"

    @cached_property
    def comparison(self):
        """The cited rows of the comparison: the same for every reader and costly to
        render (Markdown in every cell), so the template caches its HTML while the
        versions it shows hold and reads this only on a miss."""
        notes = Footnotes()
        rows = ComparisonRow.objects.published().prefetch_related(published_citations())
        sections = []
        for value, label in ComparisonSection.choices:
            section_rows = []
            for row in rows:
                if row.section != value:
                    continue
                citations = list(row.citations.all())
                section_rows.append(
                    {
                        "row": row,
                        "notes": notes.cite(by_claim(citations, {Claim.SUMMARY})),
                        "westphalian_notes": notes.cite(
                            by_claim(citations, {Claim.WESTPHALIAN})
                        ),
                        "post_westphalian_notes": notes.cite(
                            by_claim(citations, {Claim.POST_WESTPHALIAN})
                        ),
                    }
                )
                notes.add_further(citations)
            if section_rows:
                sections.append(
                    {
                        "value": value,
                        "label": SECTION_HEADINGS.get(value, label),
                        "rows": section_rows,
                    }
                )
        return {"sections": sections, "footnotes": notes}

    @cached_property
    def classified(self):
        """Missions and cases counted by conception and decade: also the same for every
        reader, and cached by the template in the same way."""
        return [
            {
                "label": "Missions",
                "model_name": "mission",
                "by_conception": _by_conception(Mission, "mission"),
                "decades": _decade_table(Mission),
            },
            {
                "label": "Cases",
                "model_name": "case",
                "by_conception": _by_conception(Case, "case"),
                "decades": _decade_table(Case),
            },
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            # Each block is kept while what it shows holds: a mission's edit leaves the
            # rows' cells, and a comparison row's the missions by conception.
            rows_cache=pagecache.fragment_context(invalidation.COMPARISON_ROWS),
            classified_cache=pagecache.fragment_context(invalidation.CLASSIFIED),
            conceptions=CONCEPTIONS,
        )
        return context


# A preferred classification as its cell shows it: value, period and whose judgement.
_CLASSIFICATION_FIELDS = ("id", "value", "basis", "rule", "period_start", "period_end")
# A citation as a footnote shows it, with what its source's label and address need.
_CITATION_FIELDS = (
    "content_type",
    "object_id",
    *LOCATOR_FIELDS,
    "note",
    "source__slug",
    "source__title",
    "source__subtitle",
    "source__short_title",
    "source__year",
)


class Compared(NamedTuple):
    """A compared record with what its cells cite: its own published citations, its
    preferred classification (or None) and that classification's published citations."""

    record: Any
    citations: list
    classification: Classification | None
    classification_citations: list


def _record_fields(model) -> list[str]:
    name = model._meta.model_name
    coded = [d.key for d in DIMENSIONS[name] if d.choices and d is not CONCEPTION]
    fields = [*DATED_ROW_FIELDS, *coded]
    if model is Mission:
        # The legal basis names its authorising body when that is published.
        fields += [
            "acronym",
            "authorising_body",
            "authorising_body__name",
            "authorising_body__status",
        ]
    return fields


def _compared(model, slugs) -> dict[str, Compared]:
    """The published records of `model` among `slugs`, by slug, with everything a
    comparison cell shows and only that: the records with their preferred classification
    (one query, a record has at most one), the citations of both with their sources'
    labels (one), the cited authors (one) and each many-valued dimension (one each)."""
    classification = {
        f"classification_{field}": F(f"preferred_classification__{field}")
        for field in _CLASSIFICATION_FIELDS
    }
    queryset = (
        model.objects.published()
        .filter(slug__in=slugs)
        .annotate(
            preferred_classification=FilteredRelation(
                "classifications", condition=Q(classifications__preferred=True)
            ),
            **classification,
        )
        .only(*_record_fields(model))
    )
    if model is Mission:
        queryset = queryset.select_related("authorising_body")
    records = list(queryset)
    if not records:
        return {}
    classifications = {
        record.pk: Classification(
            preferred=True,
            **{
                f: getattr(record, f"classification_{f}")
                for f in _CLASSIFICATION_FIELDS
            },
        )
        for record in records
        if record.classification_id is not None
    }
    cited = _citations(model, records, classifications.values())
    if model is Mission:
        prefetch_related_objects(
            records,
            Prefetch("mandate_tasks", queryset=MandateTask.objects.only("name")),
            Prefetch(
                "organisations",
                queryset=Organisation.objects.published().only("name", "acronym"),
            ),
        )
    else:
        prefetch_related_objects(
            records, Prefetch("countries", queryset=Country.objects.only("name"))
        )
    record_type = ContentType.objects.get_for_model(model)
    classification_type = ContentType.objects.get_for_model(Classification)
    found = {}
    for record in records:
        preferred = classifications.get(record.pk)
        found[record.slug] = Compared(
            record,
            cited[record_type.pk, record.pk],
            preferred,
            cited[classification_type.pk, preferred.pk] if preferred else [],
        )
    return found


def _citations(model, records, classifications) -> defaultdict:
    """The published citations of `records` and of `classifications`, grouped by what
    cites them ((content type id, object id)), in their order; one source instance per
    cited source, with its authors (one query for all)."""
    record_type = ContentType.objects.get_for_model(model)
    cites = Q(content_type=record_type, object_id__in=[r.pk for r in records])
    classification_ids = [c.pk for c in classifications]
    if classification_ids:
        classification_type = ContentType.objects.get_for_model(Classification)
        cites |= Q(content_type=classification_type, object_id__in=classification_ids)
    citations = (
        Citation.objects.published()
        .filter(cites)
        .select_related("source")
        .only(*_CITATION_FIELDS)
    )
    grouped: defaultdict = defaultdict(list)
    sources: dict = {}
    for citation in citations:
        citation.source = sources.setdefault(citation.source_id, citation.source)
        grouped[citation.content_type_id, citation.object_id].append(citation)
    authors = SourceCreator.objects.filter(role=CreatorRole.AUTHOR).only(
        "source", "role", "family"
    )
    prefetch_related_objects(
        list(sources.values()), Prefetch("creators", queryset=authors)
    )
    return grouped


def _cells(dimension, compared, notes):
    """One cell per record for `dimension`, each with its footnotes (the conception's
    from the preferred classification's citations)."""
    cells = []
    for record, citations, preferred, preferred_citations in compared:
        if dimension is CONCEPTION:
            cells.append(
                {
                    "text": conception_text(preferred)
                    or dimension.not_established(record),
                    "value": preferred.value if preferred else "",
                    "classification": preferred,
                    "basis_citations": preferred_citations,
                    "notes": notes.cite(preferred_citations),
                }
            )
            continue
        cells.append(
            {
                "text": dimension.display_or_reason(record),
                "value": dimension.value(record),
                "classification": None,
                "notes": notes.cite(by_claim(citations, dimension.claims)),
            }
        )
    return cells


_FOOTNOTES = (
    '\n<section class="footnotes" aria-labelledby="footnotes-heading">\n'
    '  <h2 id="footnotes-heading">Sources cited</h2>\n  \n  <ol>\n    {}\n  </ol>\n'
    "  \n  \n</section>\n"
)
_FOOTNOTE = '\n    <li id="fn-{0}" value="{0}">\n      {1}\n    </li>\n    '


def _footnotes_html(notes: Footnotes) -> str:
    """The page's numbered footnotes as includes/footnotes.html renders them (a test
    holds the two the same), in Python: a template loop cost more than the table. The
    page numbers every citation it lists, so there are no further sources."""
    if not notes.notes:
        return "\n"
    items = [
        format_html(_FOOTNOTE, note.number, footnote(note)) for note in notes.notes
    ]
    return mark_safe(_FOOTNOTES.format("".join(items)) + "\n")


class Choice(NamedTuple):
    """A record the picker offers: its address, its label and its checkbox (unticked:
    the picker ticks only the chosen records, which it renders itself)."""

    slug: str
    label: str
    item: str

    def __str__(self):
        return self.label


_PICK_ITEM = (
    '\n        <li><input type="checkbox" name="ids" value="{0}" id="choose-{0}"{1}>'
    ' <label for="choose-{0}">{2}</label></li>\n      '
)


def _choice(slug: str, label: str) -> Choice:
    return Choice(slug, label, str(format_html(_PICK_ITEM, slug, "", label)))


def _labelled(model):
    """Published records of `model` with only what a label needs."""
    fields = ["slug", "name", *(["acronym"] if model is Mission else [])]
    return model.objects.published().only(*fields)


def _picker_menu(model) -> tuple[list[Choice], int]:
    """The first COMPARE_CHOICES + COMPARE_MAX published records of `model` in their
    order, and how many are published: the same for every comparison, so read once while
    the type's menu version holds (it moves when a record enters or leaves, or changes
    its label or place) instead of a count over every record per request. The margin
    covers the chosen records the picker leaves out of this list."""
    model_name = model._meta.model_name
    menu_version = versions.stamp([invalidation.menu_name(model_name)])
    key = f"compare-picker-items:{menu_version}:{model_name}"
    menu = cache.get(key)
    if menu is None:
        # How many there are, counted in the same query (a window over every row
        # before the cut).
        shown = list(
            _labelled(model).annotate(total=Window(Count("pk")))[
                : COMPARE_CHOICES + limits.COMPARE_MAX
            ]
        )
        menu = (
            [_choice(r.slug, str(r)) for r in shown],
            shown[0].total if shown else 0,
        )
        cache.set(key, menu, pagecache.TIMEOUT)
    return menu


def _other_choices(model, slugs) -> tuple[list[Choice], int]:
    """The first COMPARE_CHOICES published records of `model` not among `slugs`, and
    how many records of `model` are published."""
    menu, total = _picker_menu(model)
    left_out = set(slugs)
    others = [choice for choice in menu if choice.slug not in left_out]
    if (
        len(others) < COMPARE_CHOICES
        and len(menu) == COMPARE_CHOICES + limits.COMPARE_MAX
    ):
        # More of the chosen fell in the list than its margin covers: ask the database.
        records = _labelled(model).exclude(slug__in=slugs)
        others = [_choice(r.slug, str(r)) for r in records[:COMPARE_CHOICES]]
    return others[:COMPARE_CHOICES], total


def _pick_items(chosen, others, selected):
    """The picker's checkboxes, the chosen ticked, then the others (never ticked: they
    leave out every selected slug), whose HTML the cached menu holds: Python rather
    than a template loop, as it runs some two hundred times a page."""
    ticked = set(selected)
    items = [
        format_html(_PICK_ITEM, r.slug, " checked" if r.slug in ticked else "", str(r))
        for r in chosen
    ]
    return mark_safe("".join([*items, *(choice.item for choice in others)]))


class CompareRecordsView(CanonicalQueryMixin, TemplateView):
    """Two to limits.COMPARE_MAX missions (or cases) side by side on the coded
    dimensions, each cell cited."""

    template_name = "knowledge/compare_records.html"
    KINDS = {t.page_path: t.model for t in PAGE_TYPES if t.comparable}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        model = self.KINDS.get(kwargs["kind"])
        if model is None:
            raise Http404("Only missions and cases can be compared.")
        name = model._meta.model_name
        slugs = filters.split_values(self.params.get("ids"))
        found = _compared(model, slugs)
        compared = [found[slug] for slug in slugs if slug in found][
            : limits.COMPARE_MAX
        ]
        records = [c.record for c in compared]
        missing = [slug for slug in slugs if slug not in found]
        notes = Footnotes()
        rows = []
        if len(records) >= limits.COMPARE_MIN:
            rows = [
                {"dimension": dimension, "cells": _cells(dimension, compared, notes)}
                for dimension in DIMENSIONS[name]
            ]
        # The picker offers the chosen records first, then the first COMPARE_CHOICES
        # others: a list of thousands helps nobody and made this page 1.4 MB at 100x.
        # The list's checkboxes reach every record.
        chosen = [found[slug].record for slug in dict.fromkeys(slugs) if slug in found]
        others, choices_total = _other_choices(model, slugs)
        choices = [*chosen, *others]
        context.update(
            model_name=name,
            kind=kwargs["kind"],
            records=records,
            missing=missing,
            too_many=len(slugs) > limits.COMPARE_MAX,
            compare_max=limits.COMPARE_MAX,
            compare_min=limits.COMPARE_MIN,
            rows=rows,
            footnotes=notes,
            footnotes_html=_footnotes_html(notes),
            choices=choices,
            pick_items=_pick_items(chosen, others, slugs),
            choices_total=choices_total,
            selected=slugs,
            canonical_url=self.request.build_absolute_uri(),
            list_url=reverse(f"knowledge:{name}-list"),
        )
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if len(context["records"]) < limits.COMPARE_MIN and context["selected"]:
            response.status_code = 400
        return response
