"""Organisations."""

from ...models import Organisation
from ..fields import FuzzyDateField
from .base import LIST_HEAD
from .base import RecordSerializer
from .base import detail_fields


class OrganisationListSerializer(RecordSerializer):
    class Meta:
        model = Organisation
        fields = [
            *LIST_HEAD,
            "acronym",
            "kind",
            "parent",
        ]


class OrganisationSerializer(RecordSerializer):
    founded = FuzzyDateField("founded_date", "founded_precision")

    class Meta(RecordSerializer.Meta):
        model = Organisation
        fields = detail_fields(
            "acronym",
            "kind",
            "founded",
            "parent",
            "children",
            "missions",
            "documents",
        )
