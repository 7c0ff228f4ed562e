"""Organisations."""

from ...models import Organisation
from ..fields import (
    FuzzyDateField,
    SummaryRelatedField,
)
from .base import DETAIL_HEAD, DETAIL_TAIL, LIST_HEAD, RecordSerializer


class OrganisationListSerializer(RecordSerializer):
    # A field named like one of Field's own attributes: the stubs object.
    parent = SummaryRelatedField(read_only=True, allow_null=True)  # type: ignore[assignment]

    class Meta:
        model = Organisation
        fields = [
            *LIST_HEAD,
            "acronym",
            "kind",
            "parent",
        ]


class OrganisationSerializer(RecordSerializer):
    # A field named like one of Field's own attributes: the stubs object.
    parent = SummaryRelatedField(  # type: ignore[assignment]
        required=False, allow_null=True, queryset=Organisation.objects.all()
    )
    children = SummaryRelatedField(many=True, read_only=True)
    founded = FuzzyDateField("founded_date", "founded_precision")
    missions = SummaryRelatedField(many=True, read_only=True)
    documents = SummaryRelatedField(many=True, read_only=True)

    capped = {"missions": "organisation", "documents": "organisation"}

    class Meta:
        model = Organisation
        fields = [
            *DETAIL_HEAD,
            "name",
            "acronym",
            "kind",
            "founded",
            "parent",
            "children",
            "missions",
            "documents",
            *DETAIL_TAIL,
            "citations",
        ]
        extra_kwargs = RecordSerializer.Meta.extra_kwargs
