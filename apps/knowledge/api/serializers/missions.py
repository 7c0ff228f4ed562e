"""Missions and the cases they were sent into."""

from rest_framework import serializers

from ...models import Case
from ...models import Country
from ...models import MandateTask
from ...models import Mission
from ..fields import slug_list
from .base import CLASSIFIED_FIELDS
from .base import LINKS
from .base import LIST_HEAD
from .base import ClassifiedRecordSerializer
from .base import RecordSerializer
from .base import detail_fields

# How a mission is coded, in its list row and its detail alike.
MISSION_CODING = [
    "mission_type",
    "host_consent",
    "use_of_force",
    "impartiality",
    "legal_basis",
]


class MissionListSerializer(ClassifiedRecordSerializer):
    class Meta:
        model = Mission
        fields = [
            *LINKS,
            "name",
            "acronym",
            "status",
            *CLASSIFIED_FIELDS,
            *MISSION_CODING,
            "organisations",
            "cases",
            "updated_at",
        ]


class MissionSerializer(ClassifiedRecordSerializer):
    mandate_tasks = slug_list(
        MandateTask, "slug", "Slugs of mandate tasks (see the codebook)."
    )

    class Meta(RecordSerializer.Meta):
        model = Mission
        fields = detail_fields(
            "acronym",
            *CLASSIFIED_FIELDS,
            *MISSION_CODING,
            "authorising_body",
            "organisations",
            "lead_state",
            "cases",
            "authorised_by",
            "norms",
            "mandate_tasks",
            "predecessor",
            "successors",
            "mandate_summary",
            "not_established",
            classified=True,
        )


class CaseListSerializer(ClassifiedRecordSerializer):
    countries: "serializers.SlugRelatedField[Country]" = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = Case
        fields = [
            *LIST_HEAD,
            *CLASSIFIED_FIELDS,
            "conflict_type",
            "countries",
            "updated_at",
        ]


class CaseSerializer(ClassifiedRecordSerializer):
    countries = slug_list(
        Country,
        "code",
        "ISO 3166-1 alpha-2 codes (historical codes such as YU allowed).",
    )

    class Meta(RecordSerializer.Meta):
        model = Case
        fields = detail_fields(
            *CLASSIFIED_FIELDS,
            "conflict_type",
            "ucdp_conflict_id",
            "countries",
            "norms",
            "missions",
            "not_established",
            classified=True,
        )
