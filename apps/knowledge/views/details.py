"""The detail pages: a record with its footnoted citations and related records."""

import operator
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from itertools import chain

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import F
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.views.generic import DetailView

from apps.core import pagecache
from apps.core import versions

from .. import citeformats
from .. import invalidation
from .. import jsonld
from .. import limits
from .. import models
from .. import registry
from ..dimensions import CASE_DIMENSIONS
from ..dimensions import CONCEPTION
from ..dimensions import MISSION_DIMENSIONS
from ..dimensions import Dimension
from ..footnotes import Footnotes
from ..footnotes import by_claim
from ..models.choices import Claim
from ..registry import RECORD_MODELS
from ..templatetags.knowledge import in_sentence
from ..visibility import visible
from .downloads import CITE_FORMATS
from .labels import list_heading
from .query_strings import api_detail_url
from .query_strings import encode_query
from .querysets import COMPARE_CHOICES
from .querysets import classifications_with_citations
from .querysets import first_and_total
from .querysets import published_citations
from .querysets import related_lists


@dataclass
class Fragments:
    """The costly blocks of a published record's page (its heading and main column),
    rendered once and cached while the versions they show hold. They are looked up
    before the record is read, in one round trip, so a page whose blocks are all found
    skips the queries and the work they need. A preview has no keys: its blocks are
    rendered afresh and never stored."""

    found: dict[str, str]
    keys: dict[str, str] | None = None

    @property
    def complete(self) -> bool:
        return self.keys is not None and self.found.keys() >= self.keys.keys()

    def render(self, name: str, render_block: Callable[[], str]) -> str:
        if name in self.found:
            return self.found[name]
        html = render_block()
        if self.keys is not None and name in self.keys:
            cache.set(self.keys[name], html, pagecache.TIMEOUT)
        return html


FRAGMENT_NAMES = ("head", "main")


def fragment_versions(model_name: str, slug: str) -> list[str]:
    """What a record page's blocks show: the record (and everything linked to it or
    cited by it, which moves its version), the vocabulary, and the mission acronyms
    its prose links (autolink.py). Not the compare menu, which stays outside them."""
    return [
        *invalidation.record_answer_names(model_name, slug),
        invalidation.ACRONYMS,
    ]


# Each detail page's cross-links, in page order: (heading, relation). Many-valued
# relations are prefetched published-only; a single link shows only when published.
RELATED_SECTIONS = {
    models.Mission: (
        ("Cases", "cases"),
        ("Run by", "organisations"),
        ("Lead state", "lead_state"),
        ("Authorised by", "authorised_by"),
        ("Norms invoked", "norms"),
        ("Preceded by", "predecessor"),
        ("Succeeded by", "successors"),
        ("Glossary", "concepts"),
    ),
    models.Case: (
        ("Missions", "missions"),
        ("Norms at stake", "norms"),
        ("Glossary", "concepts"),
    ),
    models.Norm: (
        ("Related norms", "related"),
        ("Documents that articulate it", "documents"),
        ("Missions that invoke it", "missions"),
        ("Cases where it is at stake", "cases"),
        ("Glossary", "concepts"),
    ),
    models.Document: (
        ("Issued by", "issuer"),
        ("Norms it articulates", "norms"),
        ("Missions it authorises", "authorised_missions"),
        ("Glossary", "concepts"),
    ),
    models.Organisation: (
        ("Part of", "parent"),
        ("Bodies within it", "children"),
        ("Missions it ran", "missions"),
        ("Missions it led", "led_missions"),
        ("Missions it authorised, run by others", "authorised_missions"),
        ("Documents it issued", "documents"),
    ),
    models.Concept: (
        ("Broader concept", "parent"),
        ("Narrower concepts", "children"),
        ("Related concepts", "related_concepts"),
        ("Norms", "norms"),
        ("Missions", "missions"),
        ("Cases", "cases"),
        ("Documents", "documents"),
    ),
}


class RecordDetailView(DetailView):
    """A record with its footnoted citations, its cross-links (RELATED_SECTIONS) and
    "cite this page". A type without a subclass here gets this view (defaults.py)."""

    template_name = "knowledge/record_detail.html"
    select: tuple[str, ...] = ()
    prefetch: tuple[str | Prefetch, ...] = ()
    dimensions: Sequence[Dimension] = ()

    @property
    def related(self) -> tuple[tuple[str, str], ...]:
        return RELATED_SECTIONS.get(self.model, ())

    @property
    def comparable(self):
        """Offers "compare with..." (the registry says which types)."""
        return registry.of(self.model).comparable

    def get_queryset(self):
        opts = self.model._meta
        selects = list(self.select)
        for _, name in self.related:
            if opts.get_field(name).many_to_one:
                selects.append(name)
        # Drafts too for staff who may preview them (visibility.py: as in the API).
        # What the blocks show is prefetched only when they are rendered (body_context).
        return visible(self.model, self.request.user).select_related(*selects)

    def get_object(self, queryset=None):
        if not settings.BLOCK_CACHE:
            self.fragments = Fragments({})
            return super().get_object(queryset)
        # The versions are read before the record, so a block stored is never older
        # than the versions it is stored under.
        model_name, slug = (
            self.model._meta.model_name,
            self.kwargs.get(self.slug_url_kwarg),
        )
        stamp = versions.stamp(fragment_versions(model_name, slug))
        where = f"{self.request.scheme}://{self.request.get_host()}"
        keys = {
            name: f"record-block:{stamp}:{where}:{model_name}:{slug}:{name}"
            for name in FRAGMENT_NAMES
        }
        found = cache.get_many(list(keys.values()))
        record = super().get_object(queryset)
        if record.is_published:
            self.fragments = Fragments(
                {name: found[key] for name, key in keys.items() if key in found}, keys
            )
        else:
            self.fragments = Fragments({})
        return record

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if not self.object.is_published:
            # A preview: never cached anywhere, never indexed.
            add_never_cache_headers(response)
            response["X-Robots-Tag"] = "noindex"
        return response

    def related_records(self, name):
        """The published records of the many-valued relation `name`."""
        return getattr(self.object, name).published()

    @cached_property
    def _related_lists(self):
        """Every many-valued related list of the page, in one query."""
        names = [
            name
            for _heading, name in self.related
            if hasattr(getattr(self.object, name), "all")
        ]
        return related_lists({name: self.related_records(name) for name in names})

    def related_items(self, name):
        """The first RELATED_LIMIT published records of a many-valued relation, and
        how many there are (see querysets.related_lists)."""
        lists = self._related_lists
        if name not in lists:
            lists[name] = first_and_total(self.related_records(name))
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
            if total > len(items) and name in registry.of(self.model).capped:
                group["all_url"] = self.all_url(name)
            groups.append(group)
        return groups

    def all_url(self, name):
        """The list page of every record of the capped relation `name` (registry)."""
        listed = registry.of(self.model._meta.get_field(name).related_model)
        query = encode_query({registry.of(self.model).name: self.object.slug})
        return f"{reverse(listed.url_name())}?{query}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        url = self.request.build_absolute_uri(record.get_absolute_url())
        if not self.fragments.complete:
            context.update(self.body_context())
        context.update(
            fragments=self.fragments,
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
            context["compare_max"] = limits.COMPARE_MAX
            context["compare_choices"] = [
                (slug, label)
                for slug, label in compare_menu(self.model)
                if slug != record.slug
            ][:COMPARE_CHOICES]
        return context

    def body_context(self):
        """What the page's blocks (Fragments) show: the footnoted statements, the
        coded rows and the related records."""
        record = self.object
        # The cited sources' creators are fetched once below, for every citation.
        prefetch_related_objects(
            [record], published_citations(creators=False), *self.prefetch
        )
        notes = Footnotes()
        citations = list(record.citations.all())
        record_classifications = (
            list(record.classifications.all())
            if hasattr(record, "classifications")
            else []
        )
        # One query for the creators of every source cited on the page.
        cited = chain(citations, *(c.citations.all() for c in record_classifications))
        prefetch_related_objects([citation.source for citation in cited], "creators")
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
        rows = self.coded_rows(notes, citations)
        extra_notes = {
            # The only other cited statement a detail page prints.
            Claim.MANDATE: notes.cite(by_claim(citations, {Claim.MANDATE}))
            if getattr(record, "mandate_summary", "")
            else []
        }
        notes.add_further(citations)  # whatever remains (relations, other...)
        return {
            "footnotes": notes,
            "summary_notes": summary_notes,
            "classifications": classifications,
            "coded_rows": rows,
            "extra_notes": extra_notes,
            "related_groups": self.related_groups(),
        }

    def coded_rows(self, notes, citations):
        """A row per coded dimension that has something to say (a value, items, or
        why it is not established), each with its footnotes."""
        record = self.object
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
            coded = notes.cite_dimension(dimension, record, citations, items)
            value = coded["value"]
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
                    **coded,
                }
            )
        return rows

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
    model = models.Mission
    template_name = "knowledge/mission_detail.html"
    dimensions = MISSION_DIMENSIONS
    select = ("authorising_body",)
    prefetch = (classifications_with_citations(creators=False), "mandate_tasks")


class CaseDetailView(RecordDetailView):
    model = models.Case
    template_name = "knowledge/mission_detail.html"
    dimensions = CASE_DIMENSIONS
    prefetch = (classifications_with_citations(creators=False), "countries")


class OrganisationDetailView(RecordDetailView):
    model = models.Organisation

    def related_records(self, name):
        records = super().related_records(name)
        if name == "authorised_missions":
            # A body such as the HCNM authorises what it runs: list each mission once.
            return records.exclude(organisations=self.object)
        return records


class SourceDetailView(RecordDetailView):
    model = models.Source
    template_name = "knowledge/source_detail.html"
    prefetch = ("creators",)

    def cite_item(self, url):
        return citeformats.source_csl(self.object)

    def body_context(self):
        return {**super().body_context(), "citing": citing_records(self.object)}


def compare_menu(model):
    """[(slug, label)] of the first COMPARE_CHOICES + 1 published records of `model`: the
    "compare with" menu every detail page of the type shares (each leaves itself out),
    so one query while the type's menu version holds instead of one per page."""
    model_name = model._meta.model_name
    shown = versions.stamp([invalidation.menu_name(model_name)])
    key = f"compare-menu:{shown}:{model_name}"
    menu = cache.get(key)
    if menu is None:
        columns = ["slug", "name", *(["acronym"] if model is models.Mission else [])]
        records = model.objects.published().only(*columns)[: COMPARE_CHOICES + 1]
        menu = [(record.slug, str(record)) for record in records]
        cache.set(key, menu, pagecache.TIMEOUT)
    return menu


def citing_records(source):
    """The published records citing `source` (directly or through a classification),
    grouped by type: the first RELATED_LIMIT of each with their citations, and how
    many there are. A query or two per citing type, and two for the citations."""
    cited = models.Citation.objects.filter(source=source)
    # Most sources are cited by a type or two: query only those.
    citing_types = set(
        cited.order_by()
        .values_list("content_type", flat=True)
        .union(
            models.Classification.objects.filter(citations__source=source)
            .order_by()
            .values_list("content_type", flat=True)
        )
    )
    groups, shown = [], {}  # content type id -> {pk: entry}
    for model in RECORD_MODELS:
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
                models.Classification.objects.filter(
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
        for entries in shown.values():
            for entry in entries.values():
                entry["places"] = places_cited(entry["citations"])
    return groups


def places_cited(citations) -> list[dict]:
    """Where in the source `citations` point, each place once with what it supports,
    pages in page order ("p. 507 (summary, dates); pp. 521-522 (mission type)"): a
    student reading the source learns which pages to open, not the same page twice."""
    places: dict[str, list[str]] = {}
    by_page = sorted(citations, key=lambda c: (c.page_start is None, c.page_start or 0))
    for citation in by_page:
        claims = places.setdefault(citation.locator_display, [])
        claim = in_sentence(citation.get_claim_display())
        if claim not in claims:
            claims.append(claim)
    return [{"locator": place, "claims": claims} for place, claims in places.items()]
