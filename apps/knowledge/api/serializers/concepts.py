"""The glossary's concepts."""

from rest_framework import serializers

from ...models import Case
from ...models import Concept
from ...models import Document
from ...models import Mission
from ...models import Norm
from ..fields import summaries
from ..fields import summary
from .base import LIST_HEAD
from .base import RecordSerializer
from .base import detail_fields


class ConceptListSerializer(RecordSerializer):
    name = serializers.CharField(read_only=True)
    parent = summary()

    class Meta:
        model = Concept
        fields = [*LIST_HEAD, "term", "parent"]


class ConceptSerializer(RecordSerializer):
    name = serializers.CharField(read_only=True)
    parent = summary(Concept)
    children = summaries()
    related_concepts = summaries(Concept)
    norms = summaries(Norm)
    missions = summaries(Mission)
    cases = summaries(Case)
    documents = summaries(Document)

    class Meta(RecordSerializer.Meta):
        model = Concept
        fields = detail_fields(
            "name",
            "term",
            "parent",
            "children",
            "related_concepts",
            "norms",
            "missions",
            "cases",
            "documents",
        )
