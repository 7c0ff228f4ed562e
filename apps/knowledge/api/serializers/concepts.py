"""The glossary's concepts."""

from rest_framework import serializers

from ...models import Concept
from .base import LIST_HEAD
from .base import RecordSerializer
from .base import detail_fields


class ConceptListSerializer(RecordSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Concept
        fields = [*LIST_HEAD, "term", "parent"]


class ConceptSerializer(RecordSerializer):
    name = serializers.CharField(read_only=True)

    class Meta(RecordSerializer.Meta):
        model = Concept
        fields = detail_fields(
            "term",
            "parent",
            "children",
            "related_concepts",
            "norms",
            "missions",
            "cases",
            "documents",
        )
