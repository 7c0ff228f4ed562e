"""The comparison of the two conceptions, and records side by side."""

from collections import Counter, defaultdict
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import (
    Count,
    F,
    Window,
    prefetch_related_objects,
)
from django.http import Http404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html_join
from django.views.generic import TemplateView

from apps.core import pagecache, versions

from .. import filters, invalidation, limits
from ..dimensions import CONCEPTION, DIMENSIONS
from ..footnotes import Footnotes, by_claim
from ..models import (
    Case,
    ComparisonRow,
    Mission,
    Organisation,
)
from ..models.choices import (
    Claim,
    ComparisonSection,
    Conception,
)
from ..registry import PAGE_TYPES
from .labels import CONCEPTIONS
from .query_strings import CanonicalQueryMixin
from .querysets import (
    COMPARE_CHOICES,
    classifications_with_citations,
    preferred_classifications,
    published,
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


def _compared(model):
    """The published records of `model` with everything a comparison cell shows."""
    # The cited sources' creators are fetched once for the page (see _with_creators).
    queryset = model.objects.published().prefetch_related(
        published_citations(creators=False),
        classifications_with_citations(creators=False),
    )
    if model is Mission:
        return queryset.select_related("authorising_body").prefetch_related(
            "mandate_tasks", published(Organisation, "organisations")
        )
    return queryset.prefetch_related("countries")


def _with_creators(records):
    """One query for the creators of every source the compared records cite, directly
    or through their classifications."""
    cited = []
    for record in records:
        cited += record.citations.all()
        for classification in record.classifications.all():
            cited += classification.citations.all()
    # A source cited many times is one instance for all its citations: the prefetch
    # then builds one set of creators per source, not one per citation.
    sources = {}
    for citation in cited:
        citation.source = sources.setdefault(citation.source_id, citation.source)
    prefetch_related_objects(list(sources.values()), "creators")


def _cells(dimension, records, notes):
    """One cell per record for `dimension`, each with its footnotes (the conception's
    from the preferred classification's citations)."""
    cells = []
    for record in records:
        preferred = None
        if dimension is CONCEPTION:
            preferred = record.preferred_classification()
            cited = list(preferred.citations.all()) if preferred else []
        else:
            cited = by_claim(record.citations.all(), dimension.claims)
        cells.append(
            {
                "text": dimension.display_or_reason(record),
                "value": dimension.value(record),
                "classification": preferred,
                "notes": notes.cite(cited),
            }
        )
    return cells


class Choice(NamedTuple):
    """A record the picker offers: its address and its label."""

    slug: str
    label: str

    def __str__(self):
        return self.label


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
    key = f"compare-picker:{menu_version}:{model_name}"
    menu = cache.get(key)
    if menu is None:
        # How many there are, counted in the same query (a window over every row
        # before the cut).
        shown = list(
            _labelled(model).annotate(total=Window(Count("pk")))[
                : COMPARE_CHOICES + limits.COMPARE_MAX
            ]
        )
        menu = ([Choice(r.slug, str(r)) for r in shown], shown[0].total if shown else 0)
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
        others = [Choice(r.slug, str(r)) for r in records[:COMPARE_CHOICES]]
    return others[:COMPARE_CHOICES], total


def _pick_items(choices, selected):
    """The picker's checkboxes, the chosen ticked: Python rather than a template loop,
    as it runs some two hundred times a page."""
    ticked = set(selected)
    return format_html_join(
        "",
        '\n        <li><input type="checkbox" name="ids" value="{0}" id="choose-{0}"{1}>'
        ' <label for="choose-{0}">{2}</label></li>\n      ',
        ((c.slug, " checked" if c.slug in ticked else "", str(c)) for c in choices),
    )


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
        found = {
            record.slug: record for record in _compared(model).filter(slug__in=slugs)
        }
        _with_creators(found.values())
        records = [found[slug] for slug in slugs if slug in found][: limits.COMPARE_MAX]
        missing = [slug for slug in slugs if slug not in found]
        notes = Footnotes()
        rows = []
        if len(records) >= limits.COMPARE_MIN:
            rows = [
                {"dimension": dimension, "cells": _cells(dimension, records, notes)}
                for dimension in DIMENSIONS[name]
            ]
        # The picker offers the chosen records first, then the first COMPARE_CHOICES
        # others: a list of thousands helps nobody and made this page 1.4 MB at 100x.
        # The list's checkboxes reach every record.
        chosen = [found[slug] for slug in dict.fromkeys(slugs) if slug in found]
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
            choices=choices,
            pick_items=_pick_items(choices, slugs),
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
