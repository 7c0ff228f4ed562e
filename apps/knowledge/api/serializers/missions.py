"""Missions and the cases they were sent into."""

from rest_framework import serializers

from ...models import (
    Case,
    Country,
    Document,
    MandateTask,
    Mission,
    Norm,
    Organisation,
)
from ..fields import LoadedSlugRelatedField, SummaryRelatedField
from .base import (
    CLASSIFIED_FIELDS,
    DETAIL_HEAD,
    DETAIL_TAIL,
    LIST_HEAD,
    ClassifiedRecordSerializer,
    RecordSerializer,
)

# How a mission is coded, in its list row and its detail alike.
MISSION_CODING = [
    "mission_type",
    "host_consent",
    "use_of_force",
    "impartiality",
    "legal_basis",
]


class MissionListSerializer(ClassifiedRecordSerializer):
    organisations = SummaryRelatedField(many=True, read_only=True)
    cases = SummaryRelatedField(many=True, read_only=True)

    class Meta:
        model = Mission
        fields = [
            "url",
            "html_url",
            "slug",
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
    organisations = SummaryRelatedField(
        many=True, required=False, queryset=Organisation.objects.all()
    )
    lead_state = SummaryRelatedField(
        required=False, allow_null=True, queryset=Organisation.objects.all()
    )
    authorising_body = SummaryRelatedField(
        required=False, allow_null=True, queryset=Organisation.objects.all()
    )
    predecessor = SummaryRelatedField(
        required=False, allow_null=True, queryset=Mission.objects.all()
    )
    successors = SummaryRelatedField(many=True, read_only=True)
    cases = SummaryRelatedField(many=True, required=False, queryset=Case.objects.all())
    authorised_by = SummaryRelatedField(
        many=True, required=False, queryset=Document.objects.all()
    )
    norms = SummaryRelatedField(many=True, required=False, queryset=Norm.objects.all())
    mandate_tasks = LoadedSlugRelatedField(
        slug_field="slug",
        many=True,
        required=False,
        queryset=MandateTask.objects.all(),
        help_text="Slugs of mandate tasks (see the codebook).",
    )

    class Meta:
        model = Mission
        fields = [
            *DETAIL_HEAD,
            "name",
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
            *DETAIL_TAIL,
            "classifications",
            "citations",
        ]
        extra_kwargs = RecordSerializer.Meta.extra_kwargs


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
    countries = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=Country.objects.all(),
        help_text="ISO 3166-1 alpha-2 codes (historical codes such as YU allowed).",
    )
    norms = SummaryRelatedField(many=True, required=False, queryset=Norm.objects.all())
    missions = SummaryRelatedField(many=True, read_only=True)

    capped = {"missions": "case"}

    class Meta:
        model = Case
        fields = [
            *DETAIL_HEAD,
            "name",
            *CLASSIFIED_FIELDS,
            "conflict_type",
            "ucdp_conflict_id",
            "countries",
            "norms",
            "missions",
            "not_established",
            *DETAIL_TAIL,
            "classifications",
            "citations",
        ]
        extra_kwargs = RecordSerializer.Meta.extra_kwargs
