"""Public pages. Every queryset starts from .published(): the one door.

Lists take the shared FilterSets' parameters (the API takes the same), with several values
per parameter comma-separated; detail pages number every citation as a footnote.
"""

import hashlib
import operator
from collections import Counter, defaultdict
from functools import reduce
from itertools import chain
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import (
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Lower
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.views.generic import DetailView, ListView, TemplateView

from apps.core import pagecache
from apps.core.models import Status

from . import citeformats, filters, jsonld, timeline
from .api.querysets import citation_queryset
from .dimensions import CASE_DIMENSIONS, CONCEPTION, DIMENSIONS, MISSION_DIMENSIONS
from .footnotes import Footnotes, by_claim
from .models import (
    Case,
    Citation,
    Classification,
    ComparisonRow,
    Concept,
    Document,
    MandateTask,
    Mission,
    Norm,
    Organisation,
    Source,
    SourceCreator,
)
from .models.choices import (
    Claim,
    ComparisonSection,
    Conception,
    CreatorRole,
    NormConception,
)
from .search import SEARCH_TYPES, count_records, search_records, similar_names

PUBLISHED = Status.PUBLISHED

# The public record types, keyed by model name, in the order the site presents them.
RECORD_TYPES = {
    model._meta.model_name: model
    for model in (Mission, Case, Norm, Document, Organisation, Concept, Source)
}


# Querysets ------------------------------------------------------------------------------


def plural_label(model):
    """How the public pages name several records of a type: the concepts are the
    glossary's terms (nav, headings and counts say the same)."""
    return "glossary terms" if model is Concept else model._meta.verbose_name_plural


def list_heading(model):
    """The heading of a type's list page, and the breadcrumb back to it."""
    return "Glossary" if model is Concept else plural_label(model).capitalize()


def published_citations(name="citations", *, creators=True):
    """Citations whose source is published, with the source and its creators
    (`creators=False` for a caller that fetches them once for several sets)."""
    queryset = Citation.objects.filter(source__status=PUBLISHED).select_related(
        "source"
    )
    if creators:
        queryset = queryset.prefetch_related("source__creators")
    return Prefetch(name, queryset=queryset)


def preferred_classifications(to_attr=None):
    """With the citations and authors that say whose judgement it is (the basis)."""
    return Prefetch(
        "classifications",
        queryset=Classification.objects.filter(preferred=True).prefetch_related(
            published_citations()
        ),
        to_attr=to_attr,
    )


def classifications_with_citations(*, creators=True):
    return Prefetch(
        "classifications",
        queryset=Classification.objects.prefetch_related(
            published_citations(creators=creators)
        ),
    )


def published(model, name, *, related=(), prefetch=(), to_attr=None):
    """Prefetch a relation keeping only its published records."""
    queryset = model.objects.published().select_related(*related)
    return Prefetch(
        name, queryset=queryset.prefetch_related(*prefetch), to_attr=to_attr
    )


# Query strings --------------------------------------------------------------------------


def _encode(params):
    return urlencode(params, safe=",")


def canonical_params(querydict):
    """One value per parameter, several values comma-joined, empty parameters dropped."""
    params = {}
    for key in querydict:
        values = []
        for raw in querydict.getlist(key):
            for part in filters.split_values(raw) if key != "q" else [raw.strip()]:
                if part and part not in values:
                    values.append(part)
        if values:
            params[key] = ",".join(values)
    return params


def _needs_redirect(querydict, params):
    return any(
        len(querydict.getlist(key)) > 1 or querydict.get(key, "") != params.get(key)
        for key in querydict
    )


def toggled(params, param, value):
    """The query string with `value` added to or removed from `param`; page reset."""
    params = {k: v for k, v in params.items() if k != "page"}
    values = filters.split_values(params.get(param))
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    if values:
        params[param] = ",".join(values)
    else:
        params.pop(param, None)
    return "?" + _encode(params) if params else "?"


def without(params, param):
    """The query string without `param` (and without a page number)."""
    rest = {k: v for k, v in params.items() if k not in {param, "page"}}
    return "?" + _encode(rest) if rest else "?"


def api_url(model_name, params):
    try:
        path = reverse(f"api:{model_name}-list")
    except NoReverseMatch:
        path = f"/api/v1/{RECORD_TYPES[model_name]._meta.verbose_name_plural}/"
    query = {k: v for k, v in params.items() if k != "page"}
    return path + ("?" + _encode(query) if query else "")


def api_detail_url(record):
    try:
        return reverse(f"api:{record._meta.model_name}-detail", args=[record.slug])
    except NoReverseMatch:
        return f"/api/v1/{record._meta.verbose_name_plural}/{record.slug}/"


def facet_summary(filterset_class, params, queryset, *, page_filtered=None):
    """The facet groups of a list and how many records its filters match.

    Neither depends on the page number or the sort order, so every page of a list (and
    the timeline, for missions) shares one cache entry per content generation: a publish
    starts a new generation. `queryset` must be the published one.
    """
    key = None
    if settings.FACET_CACHE:
        used = sorted(
            (k, v)
            for k, v in params.items()
            if k in filterset_class.base_filters and k != "ordering"
        )
        digest = hashlib.sha1(_encode(used).encode()).hexdigest()
        model_name = filterset_class._meta.model._meta.model_name
        key = f"facets:{pagecache.current_generation()}:{model_name}:{digest}"
        summary = cache.get(key)
        if summary is not None:
            return summary
    if page_filtered is None:
        page_filtered = filterset_class(params, queryset=queryset).qs
    summary = (
        filters.facet_counts(
            filterset_class, params, queryset, page_filtered=page_filtered
        ),
        page_filtered.count(),
    )
    if key:
        cache.set(key, summary, pagecache.TIMEOUT)
    return summary


def _linked(groups, params):
    """The groups that have values, each value linking to its toggled query."""
    for group in groups:
        for value in group.values:
            value.url = toggled(params, group.param, value.value)
        group.clear_url = without(params, group.param)
    return [group for group in groups if group.values]


def linked_facets(filterset_class, params, queryset):
    """The facet groups that have values, each value linking to its toggled query."""
    groups, _ = facet_summary(filterset_class, params, queryset)
    return _linked(groups, params)


def filter_summary(facets, params):
    """The active filters in words, for the page title: "Westphalian, Africa, “Kosovo”"."""
    chosen = [value.label for group in facets for value in group.selected]
    if params.get("q"):
        chosen.append(f"“{params['q']}”")
    return ", ".join(chosen)


class CanonicalQueryMixin:
    """Repeated parameters (from checkbox forms) redirect to their comma-separated form,
    so that every page has one canonical, shareable address."""

    def get(self, request, *args, **kwargs):
        self.params = canonical_params(request.GET)
        if _needs_redirect(request.GET, self.params):
            query = _encode(self.params)
            return redirect(request.path + ("?" + query if query else ""))
        return super().get(request, *args, **kwargs)


# The three conceptions with their definitions, as the home and comparison pages list them.
CONCEPTIONS = [
    (value, label, Conception.DEFINITIONS[value]) for value, label in Conception.choices
]


# Home -----------------------------------------------------------------------------------


class HomeView(TemplateView):
    """The front page. Its counts and "recently updated" scan every record table and are
    the same for every reader: the template caches them per content generation and
    reads these properties only on a miss."""

    template_name = "knowledge/home.html"

    @cached_property
    def counts(self):
        return [
            (
                plural_label(model),
                model.objects.published().count(),
                f"knowledge:{name}-list",
            )
            for name, model in RECORD_TYPES.items()
        ]

    @cached_property
    def recent(self):
        recent = []
        for model in (Mission, Case, Norm, Document, Organisation, Concept):
            recent += model.objects.published().order_by("-updated_at")[:6]
        recent.sort(key=lambda record: record.updated_at, reverse=True)
        return recent[:8]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            pagecache.fragment_context(),
            conceptions=CONCEPTIONS,
        )
        return context


# Lists ----------------------------------------------------------------------------------


class RecordListView(CanonicalQueryMixin, ListView):
    """A faceted list: the shared FilterSet, counts per facet value, sorting, pages."""

    paginate_by = 30
    template_name = "knowledge/record_list.html"
    filterset_class = None
    comparable = False  # rows get "add to comparison" checkboxes
    intro = ""

    def decorate(self, queryset):
        """What each row needs, prefetched (published relations only).

        Prefetches into lists (`to_attr`): a prefetch into the related manager costs a
        queryset per row, several times the cost of the query itself."""
        return queryset

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.params or None, queryset=self.model.objects.published()
        )
        # reading_order: an unbound FilterSet (no parameters) skips its ordering filter.
        return self.decorate(filters.reading_order(self.filterset.qs))

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        # Counted (and cached) with the facets: no second COUNT(*).
        paginator.count = self.facets_and_count[1]
        return paginator

    @cached_property
    def facets_and_count(self):
        return facet_summary(
            self.filterset_class,
            self.params,
            self.model.objects.published(),
            page_filtered=self.filterset.qs,
        )

    def get_facets(self):
        return _linked(self.facets_and_count[0], self.params)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        opts = self.model._meta
        ordering = self.filterset.filters.get("ordering")
        facets = self.get_facets()
        context.update(
            model_name=opts.model_name,
            type_plural=opts.verbose_name_plural,
            type_label=plural_label(self.model),
            list_heading=list_heading(self.model),
            intro=self.intro,
            filterset=self.filterset,
            errors=self.filterset.errors,
            # Parameters this list does not take (a misspelt filter): said, not applied.
            ignored=sorted(
                k
                for k in self.params
                if k not in self.filterset.base_filters and k != "page"
            ),
            facets=facets,
            filter_summary=filter_summary(facets, self.params),
            active_filter_count=sum(len(group.selected) for group in facets),
            params=self.params,
            hidden_params=[
                (k, v)
                for k, v in self.params.items()
                if k not in {"q", "ordering", "page"}
            ],
            sort_choices=ordering.extra["choices"] if ordering else [],
            page_query=_encode({k: v for k, v in self.params.items() if k != "page"}),
            api_url=api_url(opts.model_name, self.params),
            active=bool({k for k in self.params if k not in {"page", "ordering"}}),
            clear_url=self.request.path,
            comparable=self.comparable,
            compare_url=reverse(
                "knowledge:compare-records", args=[opts.verbose_name_plural]
            )
            if self.comparable
            else "",
            row_template=f"knowledge/rows/{opts.model_name}.html",
            compare_url_base=reverse("knowledge:compare"),
        )
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if self.filterset.errors:
            response.status_code = 400
        return response


class MissionListView(RecordListView):
    model = Mission
    filterset_class = filters.MissionFilter
    comparable = True
    intro = (
        "Interventions and operations, each coded on the dimensions that separate the "
        "two conceptions and classified with a sourced rationale."
    )

    def decorate(self, queryset):
        return queryset.prefetch_related(
            preferred_classifications(to_attr="preferred"),
            published(Organisation, "organisations", to_attr="published_organisations"),
        )


class CaseListView(RecordListView):
    model = Case
    filterset_class = filters.CaseFilter
    comparable = True
    intro = "Conflicts and crises the missions were sent into."

    def decorate(self, queryset):
        return queryset.prefetch_related(
            preferred_classifications(to_attr="preferred"),
            Prefetch("countries", to_attr="country_list"),
        )


class NormListView(RecordListView):
    model = Norm
    filterset_class = filters.NormFilter
    intro = "Principles of international order, and which conception each belongs to."


class DocumentListView(RecordListView):
    model = Document
    filterset_class = filters.DocumentFilter
    intro = (
        "Charters, treaties, resolutions and decisions that found norms and mandates."
    )

    def decorate(self, queryset):
        return queryset.select_related("issuer")


class OrganisationListView(RecordListView):
    model = Organisation
    filterset_class = filters.OrganisationFilter
    intro = "The bodies that authorise, run and lead interventions."

    def decorate(self, queryset):
        return queryset.select_related("parent")


class ConceptListView(RecordListView):
    model = Concept
    filterset_class = filters.ConceptFilter
    paginate_by = 200
    intro = "The terms a student of intervention needs, defined from the sources."


class SourceListView(RecordListView):
    model = Source
    filterset_class = filters.SourceFilter
    intro = "The bibliography every claim on this site cites, with page or section."

    def decorate(self, queryset):
        if not self.params.get("ordering"):
            # A bibliography reads by author: the first author's family name, then
            # year; works without an author file under their title.
            first_author = SourceCreator.objects.filter(
                source=OuterRef("pk"), role=CreatorRole.AUTHOR
            ).order_by("position", "id")
            queryset = queryset.annotate(
                sort_name=Lower(
                    Coalesce(Subquery(first_author.values("family")[:1]), "title")
                )
            ).order_by("sort_name", "year", Lower("title"), "pk")
        return queryset.prefetch_related(
            Prefetch(
                "creators",
                queryset=SourceCreator.objects.filter(role=CreatorRole.AUTHOR),
                to_attr="author_list",
            )
        )


# Details --------------------------------------------------------------------------------


class RecordDetailView(DetailView):
    """A record with its footnoted citations, related records and "cite this page".

    `related` lists (heading, relation) pairs shown as cross-links: many-valued relations
    are prefetched published-only, single foreign keys are shown only when published.
    """

    template_name = "knowledge/record_detail.html"
    select = ()
    related = ()
    prefetch = ()
    dimensions = ()
    comparable = False  # offers "compare with..." (missions and cases)
    # relation -> (list, parameter): the list page that shows all of a cut list
    see_all = {}

    def can_preview(self):
        """Staff who may change a record may preview it before it is published."""
        opts = self.model._meta
        user = self.request.user
        return user.is_authenticated and user.has_perm(
            f"{opts.app_label}.change_{opts.model_name}"
        )

    def get_queryset(self):
        opts = self.model._meta
        # The cited sources' creators are fetched once in get_context_data.
        prefetches = [published_citations(creators=False), *self.prefetch]
        selects = list(self.select)
        for _, name in self.related:
            if opts.get_field(name).many_to_one:
                selects.append(name)
        records = self.model.objects.all() if self.can_preview() else None
        return (
            (records if records is not None else self.model.objects.published())
            .select_related(*selects)
            .prefetch_related(*prefetches)
        )

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if not self.object.is_published:
            # A preview: never cached anywhere, never indexed.
            add_never_cache_headers(response)
            response["X-Robots-Tag"] = "noindex"
        return response

    @cached_property
    def _related_lists(self):
        return {}

    def related_items(self, name):
        """The first RELATED_LIMIT published records of a many-valued relation, and
        how many there are: one query, and a count only when the list is cut."""
        lists = self._related_lists
        if name not in lists:
            lists[name] = first_and_total(getattr(self.object, name).published())
        return lists[name]

    def related_groups(self):
        groups = []
        for heading, name in self.related:
            value = getattr(self.object, name)
            if hasattr(value, "all"):
                items, total = self.related_items(name)
            else:
                items = [value] if value is not None and value.is_published else []
                total = len(items)
            if not items:
                continue
            group = {"heading": heading, "items": items, "total": total}
            if total > len(items) and name in self.see_all:
                list_name, param = self.see_all[name]
                group["all_url"] = (
                    f"{reverse(f'knowledge:{list_name}-list')}?"
                    f"{_encode({param: self.object.slug})}"
                )
            groups.append(group)
        return groups

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        notes = Footnotes()
        citations = list(record.citations.all())
        record_classifications = (
            list(record.classifications.all())
            if hasattr(record, "classifications")
            else []
        )
        # One query for the creators of every source cited on the page.
        prefetch_related_objects(
            [
                citation.source
                for citation in chain(
                    citations, *(c.citations.all() for c in record_classifications)
                )
            ],
            "creators",
        )
        summary_notes = notes.cite(
            by_claim(citations, {Claim.SUMMARY, Claim.DEFINITION})
        )
        classifications = [
            {
                "object": classification,
                "notes": notes.cite(classification.citations.all()),
            }
            for classification in record_classifications
        ]
        rows = []
        list_url = reverse(f"knowledge:{record._meta.model_name}-list")
        for dimension in self.dimensions:
            if dimension is CONCEPTION:
                continue
            # A many-valued dimension shows its (published) items, not the text.
            items = self.dimension_items(dimension)
            text = dimension.display_or_reason(record) if items is None else ""
            if not items and not text:
                text = dimension.not_established(record)
            if not (items or text):
                continue
            value = dimension.value(record)
            rows.append(
                {
                    "dimension": dimension,
                    "text": text,
                    "items": items,
                    "similar_url": (
                        f"{list_url}?{dimension.param}={value}"
                        if value and dimension.param
                        else ""
                    ),
                    "definition": dimension.definitions().get(value, ""),
                    "notes": notes.cite(by_claim(citations, dimension.claims)),
                }
            )
        extra_notes = {
            # The only other cited statement a detail page prints.
            Claim.MANDATE: notes.cite(by_claim(citations, {Claim.MANDATE}))
            if getattr(record, "mandate_summary", "")
            else []
        }
        notes.add_further(citations)  # whatever remains (relations, other...)
        url = self.request.build_absolute_uri(record.get_absolute_url())
        context.update(
            footnotes=notes,
            summary_notes=summary_notes,
            classifications=classifications,
            coded_rows=rows,
            extra_notes=extra_notes,
            related_groups=self.related_groups(),
            cite=self.cite_context(url),
            canonical_url=url,
            jsonld=jsonld.for_record(record, url),
            model_name=record._meta.model_name,
            type_plural=record._meta.verbose_name_plural,
            list_heading=list_heading(type(record)),
            api_detail_url=api_detail_url(record),
        )
        if self.comparable:
            # A menu of thousands helps nobody and costs a render each: the first
            # COMPARE_CHOICES here, every record through the list's checkboxes.
            context["compare_choices"] = (
                self.model.objects.published()
                .exclude(pk=record.pk)
                .only("slug", "name", *(["acronym"] if self.model is Mission else []))
            )[:COMPARE_CHOICES]
        return context

    def dimension_items(self, dimension):
        """(label, url) links for a many-valued dimension, else None: organisations
        to their pages, mandate tasks and countries to the list filtered by them."""
        record = self.object
        if dimension.key == "organisations":
            organisations, _ = self.related_items("organisations")
            return [(str(o), o.get_absolute_url()) for o in organisations]
        list_url = reverse(f"knowledge:{record._meta.model_name}-list")
        if dimension.key == "mandate_tasks":
            return [
                (task.name, f"{list_url}?mandate_task={task.slug}")
                for task in record.mandate_tasks.all()
            ]
        if dimension.key == "countries":
            return [
                (country.name, f"{list_url}?country={country.code}")
                for country in record.countries.all()
            ]
        return None

    def cite_item(self, url):
        return citeformats.record_csl(self.object, url)

    def cite_context(self, url):
        item = self.cite_item(url)
        name, slug = self.object._meta.model_name, self.object.slug
        return {
            "apa": citeformats.apa(item, html=True),
            "chicago": citeformats.chicago(item, html=True),
            "downloads": [
                (label, reverse("knowledge:cite", args=[name, slug, ext]))
                for ext, (label, _, _) in CITE_FORMATS.items()
            ],
        }


class MissionDetailView(RecordDetailView):
    model = Mission
    template_name = "knowledge/mission_detail.html"
    dimensions = MISSION_DIMENSIONS
    comparable = True
    select = ("authorising_body",)
    related = (
        ("Cases", "cases"),
        ("Run by", "organisations"),
        ("Lead state", "lead_state"),
        ("Authorised by", "authorised_by"),
        ("Norms invoked", "norms"),
        ("Preceded by", "predecessor"),
        ("Succeeded by", "successors"),
        ("Glossary", "concepts"),
    )
    prefetch = (classifications_with_citations(creators=False), "mandate_tasks")


class CaseDetailView(RecordDetailView):
    model = Case
    template_name = "knowledge/mission_detail.html"
    dimensions = CASE_DIMENSIONS
    comparable = True
    related = (
        ("Missions", "missions"),
        ("Norms at stake", "norms"),
        ("Glossary", "concepts"),
    )
    see_all = {"missions": ("mission", "case")}
    prefetch = (classifications_with_citations(creators=False), "countries")


class NormDetailView(RecordDetailView):
    model = Norm
    related = (
        ("Related norms", "related"),
        ("Documents that articulate it", "documents"),
        ("Missions that invoke it", "missions"),
        ("Cases where it is at stake", "cases"),
        ("Glossary", "concepts"),
    )
    see_all = {
        "documents": ("document", "norm"),
        "missions": ("mission", "norm"),
        "cases": ("case", "norm"),
    }


class DocumentDetailView(RecordDetailView):
    model = Document
    related = (
        ("Issued by", "issuer"),
        ("Norms it articulates", "norms"),
        ("Missions it authorises", "authorised_missions"),
        ("Glossary", "concepts"),
    )


class OrganisationDetailView(RecordDetailView):
    model = Organisation
    related = (
        ("Part of", "parent"),
        ("Bodies within it", "children"),
        ("Missions it ran", "missions"),
        ("Missions it led", "led_missions"),
        ("Missions it authorised, run by others", "authorised_missions"),
        ("Documents it issued", "documents"),
    )
    see_all = {
        "missions": ("mission", "organisation"),
        "documents": ("document", "organisation"),
    }

    def related_items(self, name):
        # A body such as the HCNM authorises what it runs: list each mission once.
        if name == "authorised_missions" and name not in self._related_lists:
            self._related_lists[name] = first_and_total(
                self.object.authorised_missions.published().exclude(
                    organisations=self.object
                )
            )
        return super().related_items(name)


class ConceptDetailView(RecordDetailView):
    model = Concept
    related = (
        ("Broader concept", "parent"),
        ("Narrower concepts", "children"),
        ("Related concepts", "related_concepts"),
        ("Norms", "norms"),
        ("Missions", "missions"),
        ("Cases", "cases"),
        ("Documents", "documents"),
    )


class SourceDetailView(RecordDetailView):
    model = Source
    template_name = "knowledge/source_detail.html"
    prefetch = ("creators",)

    def cite_item(self, url):
        return citeformats.source_csl(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["citing"] = citing_records(self.object)
        return context


def citing_records(source):
    """The published records citing `source` (directly or through a classification),
    grouped by type: the first RELATED_LIMIT of each with their citations, and how
    many there are. A query or two per citing type, and two for the citations."""
    cited = Citation.objects.filter(source=source)
    # Most sources are cited by a type or two: query only those.
    citing_types = set(
        cited.order_by()
        .values_list("content_type", flat=True)
        .union(
            Classification.objects.filter(citations__source=source)
            .order_by()
            .values_list("content_type", flat=True)
        )
    )
    groups, shown = [], {}  # content type id -> {pk: entry}
    for model in (*RECORD_TYPES.values(), ComparisonRow):
        content_type = ContentType.objects.get_for_model(model)
        if content_type.pk not in citing_types:
            continue
        # One IN over a UNION (not an OR of two) lets PostgreSQL join from the
        # source's citations instead of testing every record.
        records = model.objects.published().filter(
            pk__in=cited.filter(content_type=content_type)
            .order_by()
            .values("object_id")
            .union(
                Classification.objects.filter(
                    content_type=content_type, citations__source=source
                )
                .order_by()
                .values("object_id")
            )
        )
        found, total = first_and_total(records)
        if not found:
            continue
        entries = [{"record": record, "citations": []} for record in found]
        shown[content_type.pk] = {entry["record"].pk: entry for entry in entries}
        groups.append(
            {
                "heading": model._meta.verbose_name_plural.capitalize(),
                "entries": entries,
                "total": total,
            }
        )
    if shown:
        # The citations of the records shown: direct ones first, then through
        # their classifications, each in citation order.
        def of_shown(prefix=""):
            return reduce(
                operator.or_,
                (
                    Q(
                        **{
                            f"{prefix}content_type": type_id,
                            f"{prefix}object_id__in": list(pks),
                        }
                    )
                    for type_id, pks in shown.items()
                ),
            )

        via = cited.filter(of_shown("classification__")).annotate(
            target_type=F("classification__content_type"),
            target_id=F("classification__object_id"),
        )
        for citation in cited.filter(of_shown()):
            shown[citation.content_type_id][citation.object_id]["citations"].append(
                citation
            )
        for citation in via:
            shown[citation.target_type][citation.target_id]["citations"].append(
                citation
            )
    return groups


# Cite this page: downloads ----------------------------------------------------------------

CITE_FORMATS = {
    "bib": ("BibTeX", citeformats.to_bibtex, "application/x-bibtex"),
    "ris": ("RIS", citeformats.to_ris, "application/x-research-info-systems"),
    "json": (
        "CSL-JSON",
        citeformats.to_csl_json,
        "application/vnd.citationstyles.csl+json",
    ),
}


def cite_download(request, model_name, slug, ext):
    model = RECORD_TYPES.get(model_name)
    if model is None or ext not in CITE_FORMATS:
        raise Http404("No such citation format.")
    try:
        record = model.objects.published().get(slug=slug)
    except model.DoesNotExist as error:
        raise Http404("No published record here.") from error
    if model is Source:
        item = citeformats.source_csl(record)
    else:
        item = citeformats.record_csl(
            record, request.build_absolute_uri(record.get_absolute_url())
        )
    _, render_items, content_type = CITE_FORMATS[ext]
    response = HttpResponse(
        render_items([item]), content_type=f"{content_type}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{slug}.{ext}"'
    return response


# The comparison ------------------------------------------------------------------------


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


COMPARE_CHOICES = 200  # records offered in a detail page's "compare with" menu
# Related records listed on a detail page, per relation and per type of citing record:
# above the largest curated list (37 missions invoke democracy), so only the
# generated data is ever cut.
RELATED_LIMIT = 50


def first_and_total(records):
    """The first RELATED_LIMIT of `records` and how many there are: one query, and a
    count only when the list is cut."""
    items = list(records[: RELATED_LIMIT + 1])
    if len(items) > RELATED_LIMIT:
        return items[:RELATED_LIMIT], records.count()
    return items, len(items)


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
        render (Markdown in every cell), so the template caches its HTML per content
        generation and reads this only on a miss."""
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
            pagecache.fragment_context(),
            conceptions=CONCEPTIONS,
        )
        return context


class CompareRecordsView(CanonicalQueryMixin, TemplateView):
    """2 to 4 missions (or cases) side by side on the coded dimensions, each cell cited."""

    template_name = "knowledge/compare_records.html"
    MIN, MAX = 2, 4
    KINDS = {"missions": Mission, "cases": Case}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        model = self.KINDS.get(kwargs["kind"])
        if model is None:
            raise Http404("Only missions and cases can be compared.")
        name = model._meta.model_name
        slugs = filters.split_values(self.params.get("ids"))
        queryset = model.objects.published().prefetch_related(
            published_citations(), classifications_with_citations()
        )
        if model is Mission:
            queryset = queryset.select_related("authorising_body").prefetch_related(
                "mandate_tasks", published(Organisation, "organisations")
            )
        else:
            queryset = queryset.prefetch_related("countries")
        found = {record.slug: record for record in queryset.filter(slug__in=slugs)}
        records = [found[slug] for slug in slugs if slug in found][: self.MAX]
        missing = [slug for slug in slugs if slug not in found]
        notes = Footnotes()
        rows = []
        if len(records) >= self.MIN:
            for dimension in DIMENSIONS[name]:
                cells = []
                for record in records:
                    preferred = None
                    if dimension is CONCEPTION:
                        preferred = record.preferred_classification()
                        cited = list(preferred.citations.all()) if preferred else []
                    else:
                        cited = by_claim(record.citations.all(), dimension.claims)
                    value = dimension.value(record)
                    cells.append(
                        {
                            "text": dimension.display_or_reason(record),
                            "value": value,
                            "classification": preferred,
                            "notes": notes.cite(cited),
                        }
                    )
                rows.append({"dimension": dimension, "cells": cells})
        # The picker offers the chosen records first, then the first COMPARE_CHOICES
        # others: a list of thousands helps nobody and made this page 1.4 MB at 100x.
        # The list's checkboxes reach every record.
        fields = [
            "slug",
            "name",
            "start_date",
            *(["acronym"] if model is Mission else []),
        ]
        published_records = model.objects.published()
        chosen = [found[slug] for slug in dict.fromkeys(slugs) if slug in found]
        others = published_records.exclude(slug__in=slugs).only(*fields)
        choices = [*chosen, *others[:COMPARE_CHOICES]]
        choices_total = published_records.count()
        context.update(
            model_name=name,
            kind=kwargs["kind"],
            records=records,
            missing=missing,
            too_many=len(slugs) > self.MAX,
            rows=rows,
            footnotes=notes,
            choices=choices,
            choices_total=choices_total,
            selected=slugs,
            canonical_url=self.request.build_absolute_uri(),
            list_url=reverse(f"knowledge:{name}-list"),
        )
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if len(context["records"]) < self.MIN and context["selected"]:
            response.status_code = 400
        return response


# Timeline -------------------------------------------------------------------------------


# Bars drawn at most: a chart a reader can follow (each bar is a row of the SVG and
# of the table), about twice the curated collection's 24 dated missions; the facets
# narrow larger sets.
TIMELINE_LIMIT = 50


class TimelineView(CanonicalQueryMixin, TemplateView):
    template_name = "knowledge/timeline.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        base = Mission.objects.published()
        filterset = filters.MissionFilter(self.params or None, queryset=base)
        dated = filterset.qs.filter(start_date__isnull=False)
        # Missions with no start cannot be drawn: say how many, and link to them.
        undated = filterset.qs.filter(start_date__isnull=True).count()
        undated_params = {**self.params, "decade": filters.NOT_CODED}
        # An SVG of thousands of bars is neither readable nor cheap: draw the first
        # TIMELINE_LIMIT and say how to narrow the rest down with the facets.
        missions = list(
            dated.order_by("start_date", "name").prefetch_related(
                preferred_classifications()
            )[: TIMELINE_LIMIT + 1]
        )
        total = len(missions)
        if total > TIMELINE_LIMIT:
            missions = missions[:TIMELINE_LIMIT]
            total = dated.count()
        context.update(
            chart=timeline.build(missions, today=timezone.localdate()),
            missions=missions,
            total=total,
            facets=linked_facets(filters.MissionFilter, self.params, base),
            params=self.params,
            errors=filterset.errors,
            active=bool(self.params),
            clear_url=self.request.path,
            api_url=api_url("mission", self.params),
            conceptions=Conception.choices,
            undated=undated,
            undated_url=reverse("knowledge:mission-list")
            + "?"
            + _encode(undated_params),
        )
        return context


# Search ---------------------------------------------------------------------------------


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
                "label": RECORD_TYPES[name]._meta.verbose_name_plural.capitalize(),
                "count": type_counts[name],
                "selected": name in chosen,
                "url": "?" + _encode(params),
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
            "previous_url": "?" + _encode({**page_params, "page": page - 1})
            if page > 1
            else "",
            "next_url": "?" + _encode({**page_params, "page": page + 1})
            if total > start + len(hits) and page < SEARCH_MAX_PAGE
            else "",
            "similar": similar,
            "suggestion": suggestion,
            "suggestion_url": "?" + _encode({**page_params, "q": suggestion})
            if suggestion
            else "",
            "type_filters": type_filters,
            "chosen": chosen,
        },
    )


# About: the coding scheme from live data ----------------------------------------------


def _value_counts(queryset, field):
    return dict(
        queryset.values_list(field).annotate(n=Count("pk", distinct=True)).order_by()
    )


def _classification_counts(model):
    return _value_counts(
        model.objects.published().filter(classifications__preferred=True),
        "classifications__value",
    )


class AboutView(TemplateView):
    template_name = "knowledge/about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["corrections_email"] = settings.CORRECTIONS_EMAIL
        missions = Mission.objects.published()
        mission_counts = _classification_counts(Mission)
        case_counts = _classification_counts(Case)
        scheme = [
            {
                "dimension": CONCEPTION,
                "applies": "missions and cases (preferred classification)",
                "values": [
                    {
                        "value": value,
                        "label": label,
                        "definition": Conception.DEFINITIONS.get(value, ""),
                        "counts": [
                            ("missions", mission_counts.get(value, 0), "mission"),
                            ("cases", case_counts.get(value, 0), "case"),
                        ],
                    }
                    for value, label in Conception.choices
                ],
            }
        ]
        for dimensions, queryset, noun in (
            (MISSION_DIMENSIONS, missions, "mission"),
            (CASE_DIMENSIONS, Case.objects.published(), "case"),
        ):
            for dimension in dimensions:
                if dimension is CONCEPTION or not dimension.choices:
                    continue
                counts = _value_counts(queryset, dimension.key)
                scheme.append(
                    {
                        "dimension": dimension,
                        "applies": f"{noun}s",
                        "values": [
                            {
                                "value": value,
                                "label": label,
                                "definition": dimension.definitions().get(value, ""),
                                "counts": [(f"{noun}s", counts.get(value, 0), noun)],
                            }
                            for value, label in dimension.choices.choices
                        ],
                    }
                )
        norm_counts = _value_counts(Norm.objects.published(), "conception")
        tasks = MandateTask.objects.annotate(
            n=Count("missions", filter=Q(missions__status=PUBLISHED), distinct=True)
        )
        context.update(
            scheme=scheme,
            norm_conceptions=[
                {
                    "value": value,
                    "label": label,
                    "definition": NormConception.DEFINITIONS.get(value, ""),
                    "count": norm_counts.get(value, 0),
                }
                for value, label in NormConception.choices
            ],
            tasks=tasks,
            totals={
                "missions": missions.count(),
                "cases": Case.objects.published().count(),
                "sources": Source.objects.published().count(),
                # Citations of published records (and their classifications) only.
                "citations": citation_queryset(None).count(),
            },
            site_name=settings.SITE_NAME,
        )
        return context


# Robots ---------------------------------------------------------------------------------


def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("knowledge:sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "Disallow: /cite/",
        "",
        f"Sitemap: {sitemap}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
