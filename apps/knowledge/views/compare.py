"""The comparison of the two conceptions, and records side by side."""

from collections import Counter
from collections import defaultdict
from typing import Any
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import CharField
from django.db.models import Count
from django.db.models import F
from django.db.models import FilteredRelation
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import Value
from django.db.models import Window
from django.db.models import prefetch_related_objects
from django.db.models.functions import Cast
from django.db.models.functions import RowNumber
from django.http import Http404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from apps.core import pagecache
from apps.core import versions
from apps.core.models import published_q

from .. import addresses
from .. import codebook
from .. import filters
from .. import invalidation
from .. import limits
from ..dimensions import CONCEPTION
from ..dimensions import DIMENSIONS
from ..dimensions import conception_text
from ..footnotes import Footnotes
from ..footnotes import by_claim
from ..models import Case
from ..models import Citation
from ..models import Classification
from ..models import ComparisonRow
from ..models import Country
from ..models import MandateTask
from ..models import Mission
from ..models import Organisation
from ..models import Source
from ..models.base import LOCATOR_FIELDS
from ..models.base import CitedBasis
from ..models.base import basis_phrase
from ..models.choices import Claim
from ..models.choices import ComparisonSection
from ..models.choices import Conception
from ..models.choices import CreatorRole
from ..registry import PAGE_TYPES
from ..templatetags.knowledge import basis_html
from ..templatetags.knowledge import footnote
from .labels import CONCEPTIONS
from .query_strings import CanonicalQueryMixin
from .querysets import COMPARE_CHOICES
from .querysets import DATED_ROW_FIELDS
from .querysets import preferred_classifications
from .querysets import published_citations


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

    def row(decade):
        param = filters.NOT_CODED if decade is None else decade
        return {
            "decade": decade,
            "label": "Not coded" if decade is None else f"{decade}s",
            "url": f"{list_url}?decade={param}",
            # Each count links to the list it counts ("Westphalian missions of the
            # 1990s"), the list's own parameter order.
            "cells": [
                {
                    "n": counts[decade][value],
                    "url": f"{list_url}?conception={value}&decade={param}",
                }
                for value, _ in Conception.choices
            ],
            "total": sum(counts[decade].values()),
        }

    return [row(d) for d in sorted(counts, key=lambda d: (d is None, d or 0))]


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
# A citation as a footnote shows it; its source's label comes from source_labels().
_CITATION_FIELDS = ("content_type", "object_id", "source", *LOCATOR_FIELDS, "note")


class Compared(NamedTuple):
    """A compared record with what its cells cite: its own published citations, its
    preferred classification (or None) and that classification's published citations,
    and the labels of its many-valued dimensions ({dimension key: [label]}) where the
    page read them as values."""

    record: Any
    citations: list
    classification: Classification | None
    classification_citations: list
    listed: dict[str, list[str]]


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


def _compared(model, slugs) -> tuple[dict[str, Compared], dict[int, "SourceLabel"]]:
    """The published records of `model` among `slugs`, by slug, with everything a
    comparison cell shows and only that, and the labels of the sources they cite: the
    records with their preferred classification (one query, a record has at most one),
    the citations of both (one), the cited sources' labels (cached, source_labels()),
    and the many-valued dimensions (one query)."""
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
        return {}, {}
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
    cited, labels = _citations(model, records, classifications.values())
    listed: dict[int, dict[str, list[str]]] = defaultdict(dict)
    if model is Mission:
        listed.update({r.pk: {key: [] for key in _MISSION_LISTS} for r in records})
        for pk, key, names in _mission_lists([record.pk for record in records]):
            listed[pk][key] = names
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
            listed[record.pk],
        )
    return found, labels


# A mission's many-valued dimensions read by _mission_lists: each list's through
# table, the field naming the listed model there, and that model's fields for a label.
_MISSION_LISTS = {
    "mandate_tasks": (Mission.mandate_tasks.through, "mandatetask", MandateTask),
    "organisations": (Mission.organisations.through, "organisation", Organisation),
}


def _mission_lists(ids: list[int]) -> list[tuple[int, str, list[str]]]:
    """(mission id, dimension key, labels) of the missions `ids`' mandate tasks and
    published organisations, each list in its model's order: one UNION of values rather
    than two prefetches of instances."""
    text = CharField()
    parts = []
    for key, (through, name, model) in _MISSION_LISTS.items():
        rows = through._default_manager.filter(mission_id__in=ids)
        if model is Organisation:
            rows = rows.filter(published_q(f"{name}__"))
        parts.append(
            rows.order_by().values(
                "mission_id",
                list=Cast(Value(key), text),
                position=Window(
                    RowNumber(),
                    order_by=[
                        f"{name}__{field}" for field in model._meta.ordering or ()
                    ],
                ),
                name=F(f"{name}__name"),
                acronym=F(f"{name}__acronym")
                if model is Organisation
                else Cast(Value(""), text),
            )
        )
    grouped: defaultdict = defaultdict(list)
    for row in sorted(
        parts[0].union(*parts[1:], all=True), key=lambda r: r["position"]
    ):
        label = (
            Organisation.label_for(row["name"], row["acronym"])
            if row["list"] == "organisations"
            else row["name"]
        )
        grouped[row["mission_id"], row["list"]].append(label)
    return [(pk, key, names) for (pk, key), names in grouped.items()]


def _citations(model, records, classifications) -> tuple[defaultdict, dict]:
    """The published citations of `records` and of `classifications`, grouped by what
    cites them ((content type id, object id)), in their order, and the cited sources'
    labels by id (source_labels())."""
    record_type = ContentType.objects.get_for_model(model)
    cites = Q(content_type=record_type, object_id__in=[r.pk for r in records])
    classification_ids = [c.pk for c in classifications]
    if classification_ids:
        classification_type = ContentType.objects.get_for_model(Classification)
        cites |= Q(content_type=classification_type, object_id__in=classification_ids)
    citations = list(Citation.objects.published().filter(cites).only(*_CITATION_FIELDS))
    labels = source_labels({citation.source_id for citation in citations})
    grouped: defaultdict = defaultdict(list)
    for citation in citations:
        # A source unpublished since the citations were read is left out with them.
        if citation.source_id in labels:
            grouped[citation.content_type_id, citation.object_id].append(citation)
    return grouped, labels


class SourceLabel(NamedTuple):
    """What a footnote and a classification's basis show of a cited source. Cached and
    shared by every request (source_labels()): the slug, not the address, which
    depends on the request's script prefix."""

    slug: str
    label: str  # str(source)
    authors: tuple[str, ...]  # its authors' family names, in order
    short_title: str  # its short title, else its title

    @property
    def url(self) -> str:
        return addresses.slug_url("knowledge:source-detail", self.slug)


def source_labels(ids: set[int]) -> dict[int, SourceLabel]:
    """The labels of the published sources `ids`, by id. Each is cached with the
    `type:source` version it was read under, which any change to a source or its
    authors moves: the version and every entry in one round trip to the cache, and
    the entries that are missing or older in one query."""
    if not ids:
        return {}
    name = invalidation.type_name("source")
    keys = {pk: f"compare-source-label:{pk}" for pk in sorted(ids)}
    found = cache.get_many([versions.key(name), *keys.values()])
    version = versions.read([name], found)[name]
    labels = {}
    for pk, key in keys.items():
        entry = found.get(key)
        if version is not None and entry is not None and entry[0] == version:
            labels[pk] = entry[1]
    missing = [pk for pk in keys if pk not in labels]
    if missing:
        read = _read_source_labels(missing)
        labels.update(read)
        if version is not None:
            cache.set_many(
                {keys[pk]: (version, label) for pk, label in read.items()},
                pagecache.TIMEOUT,
            )
    return labels


def _read_source_labels(ids: list[int]) -> dict[int, SourceLabel]:
    """The labels of the published sources `ids`, with their authors: one query, a
    row per source and author (a source without authors has one, with no author)."""
    rows = (
        Source.objects.published()
        .filter(pk__in=ids)
        .annotate(
            author=FilteredRelation(
                "creators", condition=Q(creators__role=CreatorRole.AUTHOR)
            )
        )
        .order_by("pk", "author__position", "author__id")
        .values_list(
            "pk", "slug", "title", "subtitle", "short_title", "year", "author__family"
        )
    )
    sources: dict[int, tuple] = {}
    authors: defaultdict = defaultdict(list)
    for pk, *fields, family in rows:
        sources[pk] = tuple(fields)
        if family is not None:
            authors[pk].append(family)
    labels = {}
    for pk, (slug, title, subtitle, short_title, year) in sources.items():
        names = authors[pk]
        labels[pk] = SourceLabel(
            slug=slug,
            label=Source.label_for(
                names, year, Source.title_for(title, subtitle), slug
            ),
            authors=tuple(names),
            short_title=short_title or title,
        )
    return labels


def _basis(preferred: Classification, citations: list, labels: dict) -> str:
    """`{% classification_basis preferred citations %}` (Classification.basis_text),
    with the cited source read from `labels` rather than from a source instance."""
    cited = None
    if preferred.basis == codebook.Basis.AUTHOR:
        citation = next((c for c in citations if c.claim == Claim.CLASSIFICATION), None)
        if citation is not None:
            label = labels[citation.source_id]
            cited = CitedBasis(
                authors=list(label.authors),
                title=label.short_title,
                locator=citation.locator_display,
            )
    return basis_html(
        preferred.rule,
        basis_phrase(preferred.basis, preferred.rule, cited),
        addresses.site_paths()["data"],
    )


def _cells(dimension, compared, notes, labels):
    """One cell per record for `dimension`, each with its footnotes (the conception's
    from the preferred classification's citations)."""
    cells = []
    for record, citations, preferred, preferred_citations, listed in compared:
        if dimension is CONCEPTION:
            cells.append(
                {
                    "text": conception_text(preferred)
                    or dimension.not_established(record),
                    "value": preferred.value if preferred else "",
                    "classification": preferred,
                    "basis": _basis(preferred, preferred_citations, labels)
                    if preferred
                    else "",
                    "notes": notes.cite(preferred_citations),
                }
            )
            continue
        if dimension.key in listed:
            # Dimension.display_or_reason of a many-valued dimension, read as values.
            text = ", ".join(listed[dimension.key]) or dimension.not_established(record)
        else:
            text = dimension.display_or_reason(record)
        coded = notes.cite_dimension(
            dimension, record, citations, listed.get(dimension.key)
        )
        cells.append({"text": text, "classification": None, **coded})
    return cells


_FOOTNOTES = (
    '\n<section class="footnotes" aria-labelledby="footnotes-heading">\n'
    '  <h2 id="footnotes-heading">Sources cited</h2>\n  \n  <ol>\n    {}\n  </ol>\n'
    "  \n  \n</section>\n"
)
_FOOTNOTE = '\n    <li id="fn-{0}" value="{0}">\n      {1}\n    </li>\n    '


def _footnotes_html(notes: Footnotes, labels: dict[int, SourceLabel]) -> str:
    """The page's numbered footnotes as includes/footnotes.html renders them (a test
    holds the two the same), in Python: a template loop cost more than the table. The
    page numbers every citation it lists, so there are no further sources. The
    sources' labels and addresses come from `labels` (source_labels())."""
    if not notes.notes:
        return "\n"
    items = []
    for note in notes.notes:
        source = labels[note.citation.source_id]
        text = footnote(note, url=source.url, label=source.label)
        items.append(format_html(_FOOTNOTE, note.number, text))
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
        found, labels = _compared(model, slugs)
        compared = [found[slug] for slug in slugs if slug in found][
            : limits.COMPARE_MAX
        ]
        records = [c.record for c in compared]
        missing = [slug for slug in slugs if slug not in found]
        notes = Footnotes()
        rows = []
        if len(records) >= limits.COMPARE_MIN:
            rows = [
                {
                    "dimension": dimension,
                    "cells": _cells(dimension, compared, notes, labels),
                }
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
            footnotes_html=_footnotes_html(notes, labels),
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
