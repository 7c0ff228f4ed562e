"""The faceted list pages, one per record type."""

from django.db.models import (
    OuterRef,
    Prefetch,
    Subquery,
)
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import ListView

from .. import filters, registry
from ..models import (
    Case,
    Concept,
    Document,
    Mission,
    Norm,
    Organisation,
    Source,
    SourceCreator,
)
from ..models.choices import CreatorRole
from .facets import facet_summary, filter_summary, linked_groups
from .labels import list_heading, plural_label
from .query_strings import CanonicalQueryMixin, api_url, encode_query
from .querysets import preferred_classifications, published


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
        return linked_groups(self.facets_and_count[0], self.params)

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
            page_query=encode_query(
                {k: v for k, v in self.params.items() if k != "page"}
            ),
            api_url=api_url(opts.model_name, self.params),
            active=bool({k for k in self.params if k not in {"page", "ordering"}}),
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
    model = Mission
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
    intro = "Conflicts and crises the missions were sent into."

    def decorate(self, queryset):
        return queryset.prefetch_related(
            preferred_classifications(to_attr="preferred"),
            Prefetch("countries", to_attr="country_list"),
        )


class NormListView(RecordListView):
    model = Norm
    intro = "Principles of international order, and which conception each belongs to."


class DocumentListView(RecordListView):
    model = Document
    intro = (
        "Charters, treaties, resolutions and decisions that found norms and mandates."
    )

    def decorate(self, queryset):
        return queryset.select_related("issuer")


class OrganisationListView(RecordListView):
    model = Organisation
    intro = "The bodies that authorise, run and lead interventions."

    def decorate(self, queryset):
        return queryset.select_related("parent")


class ConceptListView(RecordListView):
    model = Concept
    paginate_by = 200
    intro = "The terms a student of intervention needs, defined from the sources."


class SourceListView(RecordListView):
    model = Source
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
