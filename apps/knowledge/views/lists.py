"""The faceted list pages, one per record type."""

from django.db.models import OuterRef
from django.db.models import Prefetch
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.db.models.functions import Lower
from django.http import Http404
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import ListView

from .. import filters
from .. import limits
from .. import models
from .. import registry
from ..models.base import LOCATOR_FIELDS
from ..models.choices import Claim
from ..models.choices import CreatorRole
from . import rows as list_rows
from .facets import facet_block
from .facets import filter_summary
from .facets import filters_in_words
from .labels import list_heading
from .labels import plural_label
from .paging import no_such_page
from .paging import not_a_page_number
from .query_strings import CanonicalQueryMixin
from .query_strings import api_url
from .query_strings import encode_query

# What a basis names of its citation (Classification.basis_text).
BASIS_CITATION_FIELDS = (
    "content_type",
    "object_id",
    *LOCATOR_FIELDS,
    "source__title",
    "source__short_title",
)


def basis_citations() -> Prefetch:
    """What a classification's basis names (`{% classification_basis c
    c.basis_citations %}`): its own citations whose source is published, with the
    source's title and authors."""
    authors = models.SourceCreator.objects.filter(role=CreatorRole.AUTHOR)
    citations = (
        models.Citation.objects.published()
        .filter(claim=Claim.CLASSIFICATION)
        .select_related("source")
        .only(*BASIS_CITATION_FIELDS)
        .prefetch_related(Prefetch("source__creators", queryset=authors))
    )
    return Prefetch("citations", queryset=citations, to_attr="basis_citations")


def preferred_with_basis(to_attr: str = "preferred") -> Prefetch:
    """A row's preferred classification, with what its basis names (basis_citations).

    Into lists (`to_attr`): a prefetch into a related manager builds a queryset per
    object, which cost a list page more than its queries did."""
    return Prefetch(
        "classifications",
        queryset=models.Classification.objects.filter(preferred=True).prefetch_related(
            basis_citations()
        ),
        to_attr=to_attr,
    )


class NoSuchPage(Http404):
    """A list's page number past its last page (10**20)."""

    def __init__(self, pages: int):
        super().__init__(f"The list has {pages} page(s).")
        self.pages = pages


class NotAPageNumber(Exception):
    """A list's `?page=` that is not a whole number from 1 (0, -5, 1.5, 1e3, abc)."""


class RecordListView(CanonicalQueryMixin, ListView):
    """A faceted list: the shared FilterSet, counts per facet value, sorting, pages."""

    paginate_by = 30
    template_name = "knowledge/record_list.html"

    @property
    def filterset_class(self):
        """The FilterSet the API list takes too (the registry's)."""
        return registry.of(self.model).filterset

    @property
    def comparable(self):
        """Rows get "add to comparison" checkboxes (the registry says which types)."""
        return registry.of(self.model).comparable

    intro = ""

    def decorate(self, queryset):
        """What each row needs, prefetched (published relations only).

        Prefetches into lists (`to_attr`): a prefetch into the related manager costs a
        queryset per row, several times the cost of the query itself."""
        return queryset

    def rows(self, page):
        """The page's rows as its row template reads them (`rows`): plain dicts of what
        each row prints where `views/rows.py` builds them for the type, else the
        records themselves."""
        build = list_rows.BY_MODEL.get(self.model)
        return build(page) if build else page

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.params or None, queryset=self.model.objects.published()
        )
        # reading_order: an unbound FilterSet (no parameters) skips its ordering filter.
        return self.decorate(filters.reading_order(self.filterset.qs))

    def get(self, request, *args, **kwargs):
        # The list exists; say what is wrong with the number.
        try:
            return super().get(request, *args, **kwargs)
        except NotAPageNumber:
            return not_a_page_number(request, self.params)
        except NoSuchPage as error:
            return no_such_page(request, self.params, error.pages)

    def paginate_queryset(self, queryset, page_size):
        raw = self.request.GET.get(self.page_kwarg)
        if raw and not limits.is_page_number(raw):
            raise NotAPageNumber
        try:
            return super().paginate_queryset(queryset, page_size)
        except Http404 as error:
            pages = self.get_paginator(queryset, page_size).num_pages
            raise NoSuchPage(pages) from error

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        # Counted (and cached) with the facets: no second COUNT(*).
        paginator.count = self.facets[2]
        return paginator

    @cached_property
    def facets(self):
        """The facet block's HTML, the facet groups and how many records match."""
        return facet_block(
            self.filterset_class,
            self.params,
            self.model.objects.published(),
            path=self.request.path,
            active=self.active,
            page_filtered=self.filterset.qs,
        )

    @property
    def active(self):
        """Some filter or words narrow the list (a page number or an order does not)."""
        return bool({k for k in self.params if k not in {"page", "ordering"}})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        opts = self.model._meta
        ordering = self.filterset.filters.get("ordering")
        facets_html, facets, _total = self.facets
        context.update(
            rows=self.rows(context["object_list"]),
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
            facets_html=facets_html,
            facets=facets,
            filter_summary=filter_summary(facets, self.params, self.filterset),
            filters_in_words=filters_in_words(facets, self.params, self.filterset),
            params=self.params,
            hidden_params=[
                (k, v)
                for k, v in self.params.items()
                if k not in {"q", "ordering", "page"}
            ],
            sort_choices=ordering.extra["choices"] if ordering else [],
            page_query=encode_query(
                {k: v for k, v in self.params.items() if k != "page"}
            ),
            api_url=api_url(opts.model_name, self.params),
            active=self.active,
            clear_url=self.request.path,
            comparable=self.comparable,
            compare_url=reverse(
                "knowledge:compare-records", args=[opts.verbose_name_plural]
            )
            if self.comparable
            else "",
            # A type's own row, else the generic one (a name and a link).
            row_template=[
                f"knowledge/rows/{opts.model_name}.html",
                "knowledge/rows/record.html",
            ],
            compare_url_base=reverse("knowledge:compare"),
        )
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if self.filterset.errors:
            response.status_code = 400
        return response


class MissionListView(RecordListView):
    model = models.Mission
    intro = (
        "Interventions and operations, each coded on the dimensions that separate the "
        "two conceptions and classified with a sourced rationale."
    )


class CaseListView(RecordListView):
    model = models.Case
    intro = "Conflicts and crises the missions were sent into."


class NormListView(RecordListView):
    model = models.Norm
    intro = "Principles of international order, and which conception each belongs to."


class DocumentListView(RecordListView):
    model = models.Document
    intro = (
        "Charters, treaties, resolutions and decisions that found norms and mandates."
    )


class OrganisationListView(RecordListView):
    model = models.Organisation
    intro = "The bodies that authorise, run and lead interventions."

    def decorate(self, queryset):
        return queryset.select_related("parent")


class ConceptListView(RecordListView):
    model = models.Concept
    paginate_by = 200
    intro = "The terms a student of intervention needs, defined from the sources."


class SourceListView(RecordListView):
    model = models.Source
    intro = "The bibliography every claim on this site cites, with page or section."

    def decorate(self, queryset):
        if not self.params.get("ordering"):
            # A bibliography reads by author: the first author's family name, then
            # year; works without an author file under their title.
            first_author = models.SourceCreator.objects.filter(
                source=OuterRef("pk"), role=CreatorRole.AUTHOR
            ).order_by("position", "id")
            queryset = queryset.annotate(
                sort_name=Lower(
                    Coalesce(Subquery(first_author.values("family")[:1]), "title")
                )
            ).order_by("sort_name", "year", Lower("title"), "pk")
        return queryset
