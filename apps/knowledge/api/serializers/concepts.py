"""The glossary's concepts."""

from rest_framework import serializers

from ...models import (
    Case,
    Concept,
    Document,
    Mission,
    Norm,
)
from ..fields import SummaryRelatedField
from .base import DETAIL_HEAD, DETAIL_TAIL, RecordSerializer


class ConceptListSerializer(RecordSerializer):
    name = serializers.CharField(read_only=True)
    # A field named like one of Field's own attributes: the stubs object.
    parent = SummaryRelatedField(read_only=True, allow_null=True)  # type: ignore[assignment]

    class Meta:
        model = Concept
        fields = ["url", "html_url", "slug", "name", "status", "term", "parent"]


class ConceptSerializer(RecordSerializer):
    name = serializers.CharField(read_only=True)
    # A field named like one of Field's own attributes: the stubs object.
    parent = SummaryRelatedField(  # type: ignore[assignment]
        required=False, allow_null=True, queryset=Concept.objects.all()
    )
    children = SummaryRelatedField(many=True, read_only=True)
    related_concepts = SummaryRelatedField(
        many=True, required=False, queryset=Concept.objects.all()
    )
    norms = SummaryRelatedField(many=True, required=False, queryset=Norm.objects.all())
    missions = SummaryRelatedField(
        many=True, required=False, queryset=Mission.objects.all()
    )
    cases = SummaryRelatedField(many=True, required=False, queryset=Case.objects.all())
    documents = SummaryRelatedField(
        many=True, required=False, queryset=Document.objects.all()
    )

    class Meta:
        model = Concept
        fields = [
            *DETAIL_HEAD,
            "name",
            "term",
            "parent",
            "children",
            "related_concepts",
            "norms",
            "missions",
            "cases",
            "documents",
            *DETAIL_TAIL,
            "citations",
        ]
        extra_kwargs = RecordSerializer.Meta.extra_kwargs
