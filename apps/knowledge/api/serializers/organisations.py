"""Organisations."""

from ...models import Organisation
from ..fields import FuzzyDateField
from ..fields import summaries
from ..fields import summary
from .base import LIST_HEAD
from .base import RecordSerializer
from .base import detail_fields


class OrganisationListSerializer(RecordSerializer):
    parent = summary()

    class Meta:
        model = Organisation
        fields = [
            *LIST_HEAD,
            "acronym",
            "kind",
            "parent",
        ]


class OrganisationSerializer(RecordSerializer):
    parent = summary(Organisation)
    children = summaries()
    founded = FuzzyDateField("founded_date", "founded_precision")
    missions = summaries()
    documents = summaries()

    class Meta(RecordSerializer.Meta):
        model = Organisation
        fields = detail_fields(
            "name",
            "acronym",
            "kind",
            "founded",
            "parent",
            "children",
            "missions",
            "documents",
        )
