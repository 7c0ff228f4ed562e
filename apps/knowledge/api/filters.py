"""Filters for the two API-only resources. Record types use the shared FilterSets in
`apps.knowledge.filters`, which the public list pages use too (missions with one more)."""

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from ..filters import ChoiceInFilter
from ..filters import SlugInFilter
from ..filters import StrictBooleanFilter
from ..models import Case
from ..models import Citation
from ..models import Classification
from ..models import Mission
from ..models import Source
from ..models.choices import Claim
from ..models.choices import Conception
from ..registry import RECORD_TYPES

# `record_type` values: every type's model name ("comparisonrow" included).
RECORD_TYPE_CHOICES = [(t.name, t.label.capitalize()) for t in RECORD_TYPES]


def _by_record(queryset, value, *, prefix=""):
    """Rows belonging to records of the given types (for citations: also via their
    classifications)."""
    if not value:
        return queryset
    condition = Q(pk__in=[])
    for model_name in value:
        content_type = ContentType.objects.get_by_natural_key("knowledge", model_name)
        condition |= Q(**{f"{prefix}content_type": content_type})
    return queryset.filter(condition)


class ClassificationFilter(django_filters.FilterSet):
    value = ChoiceInFilter(choices=Conception.choices, label="Conception")
    preferred = StrictBooleanFilter(label="Preferred judgement only")
    record_type = ChoiceInFilter(
        choices=[("mission", "Mission"), ("case", "Case")],
        method="filter_record_type",
        label="Type of record",
    )
    mission = SlugInFilter(
        method="filter_mission", known=(Mission, "slug"), label="Mission"
    )
    case = SlugInFilter(method="filter_case", known=(Case, "slug"), label="Case")

    class Meta:
        model = Classification
        fields: list[str] = []

    def filter_record_type(self, queryset, name, value):
        return _by_record(queryset, value)

    def filter_mission(self, queryset, name, value):
        return queryset.filter(mission_record__slug__in=value) if value else queryset

    def filter_case(self, queryset, name, value):
        return queryset.filter(case_record__slug__in=value) if value else queryset


class CitationFilter(django_filters.FilterSet):
    source = SlugInFilter(
        field_name="source__slug", known=(Source, "slug"), label="Source"
    )
    claim = ChoiceInFilter(choices=Claim.choices, label="Claim supported")
    record_type = ChoiceInFilter(
        choices=RECORD_TYPE_CHOICES, method="filter_record_type", label="Type of record"
    )

    class Meta:
        model = Citation
        fields: list[str] = []

    def filter_record_type(self, queryset, name, value):
        direct = _by_record(queryset, value)
        classified = [v for v in value if v in ("mission", "case")]
        if not classified:
            return direct
        classifications = _by_record(Classification.objects.all(), classified)
        return queryset.filter(
            Q(pk__in=direct.values("pk"))
            | Q(
                content_type=ContentType.objects.get_for_model(Classification),
                object_id__in=classifications.values("pk"),
            )
        )


# Parameters every list takes besides its filters.
LIST_PARAMETERS = frozenset({"page", "page_size", "fields", "format"})


class FilterBackend(DjangoFilterBackend):
    """The FilterSet's filters, and a 400 for a parameter that a list does not take (a
    misspelt `organisaton=un` would otherwise list everything without a word)."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) in ("list", "bibliography"):
            known = set(LIST_PARAMETERS) | set(getattr(view, "list_parameters", ()))
            filterset_class = self.get_filterset_class(view, queryset)
            if filterset_class is not None:
                known |= set(filterset_class.base_filters)
            unknown = sorted(set(request.query_params) - known)
            if unknown:
                raise ValidationError(
                    {
                        name: [
                            "Unknown parameter. Valid parameters: "
                            + ", ".join(sorted(known))
                            + "."
                        ]
                        for name in unknown
                    }
                )
        return super().filter_queryset(request, queryset, view)
