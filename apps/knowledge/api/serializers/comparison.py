"""The comparison of the two conceptions, and records side by side."""

from rest_framework import serializers

from apps.core.models import Status

from ...models import ComparisonRow
from ...models.choices import (
    ComparisonSection,
    Conception,
    ConflictType,
    HostConsent,
    Impartiality,
    LegalBasis,
    MissionType,
    UseOfForce,
)
from ..fields import (
    FuzzyDateField,
    SummarySerializer,
)
from .base import RecordSerializer, detail_fields


class ComparisonRowSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = ComparisonRow
        fields = detail_fields(
            "name", "section", "order", "westphalian", "post_westphalian"
        )


class ConceptionSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=Conception.choices)
    # A field named like one of Field's own attributes: the stubs object.
    label = serializers.CharField()  # type: ignore[assignment]
    definition = serializers.CharField()


class CompareSectionSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=ComparisonSection.choices)
    # A field named like one of Field's own attributes: the stubs object.
    label = serializers.CharField()  # type: ignore[assignment]
    rows = ComparisonRowSerializer(many=True)


class CompareSerializer(serializers.Serializer):
    conceptions = ConceptionSerializer(many=True)
    sections = CompareSectionSerializer(many=True)


class ComparedRecordSerializer(serializers.Serializer):
    """A mission or a case side by side (the schema of /compare/records/): the fields of
    its list representation, those of the other type absent."""

    type = serializers.ChoiceField(choices=[("mission", "mission"), ("case", "case")])
    url = serializers.URLField()
    html_url = serializers.URLField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    conception = serializers.ChoiceField(choices=Conception.choices, allow_null=True)
    start = FuzzyDateField("start_date", "start_precision")
    end = FuzzyDateField("end_date", "end_precision")
    updated_at = serializers.DateTimeField()
    # Missions only.
    acronym = serializers.CharField(required=False)
    mission_type = serializers.ChoiceField(
        choices=MissionType.choices, allow_blank=True, required=False
    )
    host_consent = serializers.ChoiceField(
        choices=HostConsent.choices, allow_blank=True, required=False
    )
    use_of_force = serializers.ChoiceField(
        choices=UseOfForce.choices, allow_blank=True, required=False
    )
    impartiality = serializers.ChoiceField(
        choices=Impartiality.choices, allow_blank=True, required=False
    )
    legal_basis = serializers.ChoiceField(
        choices=LegalBasis.choices, allow_blank=True, required=False
    )
    organisations = SummarySerializer(many=True, required=False)
    cases = SummarySerializer(many=True, required=False)
    # Cases only.
    conflict_type = serializers.ChoiceField(
        choices=ConflictType.choices, allow_blank=True, required=False
    )
    countries = serializers.ListField(child=serializers.CharField(), required=False)


class CompareRecordsSerializer(serializers.Serializer):
    records = ComparedRecordSerializer(many=True)
