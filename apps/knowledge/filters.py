"""One FilterSet per record type, shared by the public list pages and the API, so that a
list page and its API query take exactly the same parameters.

Every multi-valued parameter takes comma-separated values (`?organisation=un,osce`) and
matches any of them. Unknown values are errors with a message, never silently ignored.
"""

import django_filters
from django.db.models import Q

from .models import Case, Concept, Document, Mission, Norm, Organisation, Source
from .models.choices import (
    Conception,
    ConflictType,
    DocumentKind,
    HostConsent,
    Impartiality,
    LegalBasis,
    MissionType,
    NormConception,
    OrganisationKind,
    Region,
    SourceKind,
    UseOfForce,
)


class ChoiceInFilter(django_filters.BaseInFilter, django_filters.ChoiceFilter):
    """Comma-separated values, each checked against the choices."""


class SlugInFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    """Comma-separated slugs or codes."""


class DecadeInFilter(django_filters.BaseInFilter, django_filters.NumberFilter):
    """Comma-separated decades (1990 means 1990-1999), matched on a year.

    `field_name` names a year: an integer field, or a date's `__year`."""

    def filter(self, qs, value):
        if not value:
            return qs
        condition = Q()
        for decade in value:
            start = int(decade) - int(decade) % 10
            condition |= Q(
                **{
                    f"{self.field_name}__gte": start,
                    f"{self.field_name}__lte": start + 9,
                }
            )
        return qs.filter(condition)


def _search(fields):
    def method(queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    return method


def _conception(queryset, name, value):
    """Records whose preferred classification has one of the given values."""
    if not value:
        return queryset
    return queryset.filter(
        classifications__preferred=True, classifications__value__in=value
    ).distinct()


class RecordFilterSet(django_filters.FilterSet):
    """Shared behaviour: distinct rows whenever a to-many relation was filtered."""

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        many = {"organisation", "country", "region", "mandate_task", "case", "norm"}
        if many & {k for k, v in self.form.cleaned_data.items() if v}:
            queryset = queryset.distinct()
        return queryset


class MissionFilter(RecordFilterSet):
    q = django_filters.CharFilter(
        method=_search(["name", "acronym", "summary"]), label="Text"
    )
    conception = ChoiceInFilter(
        choices=Conception.choices, method=_conception, label="Conception"
    )
    organisation = SlugInFilter(field_name="organisations__slug", label="Organisation")
    mission_type = ChoiceInFilter(choices=MissionType.choices, label="Mission type")
    region = ChoiceInFilter(
        field_name="cases__countries__region", choices=Region.choices, label="Region"
    )
    country = SlugInFilter(
        field_name="cases__countries__code", label="Country (ISO code)"
    )
    decade = DecadeInFilter(field_name="start_date__year", label="Decade of start")
    consent = ChoiceInFilter(
        field_name="host_consent", choices=HostConsent.choices, label="Host consent"
    )
    use_of_force = ChoiceInFilter(choices=UseOfForce.choices, label="Use of force")
    impartiality = ChoiceInFilter(choices=Impartiality.choices, label="Impartiality")
    legal_basis = ChoiceInFilter(choices=LegalBasis.choices, label="Legal basis")
    mandate_task = SlugInFilter(field_name="mandate_tasks__slug", label="Mandate task")
    case = SlugInFilter(field_name="cases__slug", label="Case")
    norm = SlugInFilter(field_name="norms__slug", label="Norm")
    started_after = django_filters.DateFilter(
        field_name="start_date", lookup_expr="gte", label="Started on or after"
    )
    started_before = django_filters.DateFilter(
        field_name="start_date", lookup_expr="lte", label="Started on or before"
    )
    ordering = django_filters.OrderingFilter(
        fields=[("name", "name"), ("start_date", "start"), ("updated_at", "updated")],
        label="Sort by",
    )

    class Meta:
        model = Mission
        fields = []


class CaseFilter(RecordFilterSet):
    q = django_filters.CharFilter(method=_search(["name", "summary"]), label="Text")
    conception = ChoiceInFilter(
        choices=Conception.choices, method=_conception, label="Conception"
    )
    region = ChoiceInFilter(
        field_name="countries__region", choices=Region.choices, label="Region"
    )
    country = SlugInFilter(field_name="countries__code", label="Country (ISO code)")
    decade = DecadeInFilter(field_name="start_date__year", label="Decade of start")
    conflict_type = ChoiceInFilter(choices=ConflictType.choices, label="Conflict type")
    norm = SlugInFilter(field_name="norms__slug", label="Norm")
    ordering = django_filters.OrderingFilter(
        fields=[("name", "name"), ("start_date", "start"), ("updated_at", "updated")],
        label="Sort by",
    )

    class Meta:
        model = Case
        fields = []


class NormFilter(RecordFilterSet):
    q = django_filters.CharFilter(method=_search(["name", "summary"]), label="Text")
    conception = ChoiceInFilter(choices=NormConception.choices, label="Conception")
    ordering = django_filters.OrderingFilter(
        fields=[("name", "name"), ("updated_at", "updated")], label="Sort by"
    )

    class Meta:
        model = Norm
        fields = []


class DocumentFilter(RecordFilterSet):
    q = django_filters.CharFilter(
        method=_search(["title", "short_title", "symbol", "summary"]), label="Text"
    )
    kind = ChoiceInFilter(choices=DocumentKind.choices, label="Document kind")
    organisation = SlugInFilter(field_name="issuer__slug", label="Issued by")
    norm = SlugInFilter(field_name="norms__slug", label="Norm")
    decade = DecadeInFilter(field_name="date__year", label="Decade")
    ordering = django_filters.OrderingFilter(
        fields=[("title", "name"), ("date", "date"), ("updated_at", "updated")],
        label="Sort by",
    )

    class Meta:
        model = Document
        fields = []


class OrganisationFilter(RecordFilterSet):
    q = django_filters.CharFilter(
        method=_search(["name", "acronym", "summary"]), label="Text"
    )
    kind = ChoiceInFilter(choices=OrganisationKind.choices, label="Kind")
    ordering = django_filters.OrderingFilter(
        fields=[("name", "name"), ("updated_at", "updated")], label="Sort by"
    )

    class Meta:
        model = Organisation
        fields = []


class ConceptFilter(RecordFilterSet):
    q = django_filters.CharFilter(method=_search(["term", "summary"]), label="Text")
    ordering = django_filters.OrderingFilter(
        fields=[("term", "name"), ("updated_at", "updated")], label="Sort by"
    )

    class Meta:
        model = Concept
        fields = []


class SourceFilter(RecordFilterSet):
    q = django_filters.CharFilter(
        method=_search(["title", "container_title", "creators__family"]), label="Text"
    )
    kind = ChoiceInFilter(choices=SourceKind.choices, label="Source type")
    decade = DecadeInFilter(field_name="year", label="Decade")
    ordering = django_filters.OrderingFilter(
        fields=[("title", "name"), ("year", "year"), ("updated_at", "updated")],
        label="Sort by",
    )

    class Meta:
        model = Source
        fields = []


FILTERSETS = {
    Mission: MissionFilter,
    Case: CaseFilter,
    Norm: NormFilter,
    Document: DocumentFilter,
    Organisation: OrganisationFilter,
    Concept: ConceptFilter,
    Source: SourceFilter,
}
