"""The comparison of the two conceptions, and records side by side."""

from django.db.models import Choices
from rest_framework import serializers

from apps.core.models import Status

from ...models import ComparisonRow
from ...models import choices as coding
from ..fields import FuzzyDateField
from ..fields import SummarySerializer
from .base import RecordSerializer
from .base import detail_fields


class ComparisonRowSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = ComparisonRow
        fields = detail_fields("section", "order", "westphalian", "post_westphalian")


class ConceptionSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=coding.Conception.choices)
    # A field named like one of Field's own attributes: the stubs object.
    label = serializers.CharField()  # type: ignore[assignment]
    definition = serializers.CharField()


class CompareSectionSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=coding.ComparisonSection.choices)
    # A field named like one of Field's own attributes: the stubs object.
    label = serializers.CharField()  # type: ignore[assignment]
    rows = ComparisonRowSerializer(many=True)


class CompareSerializer(serializers.Serializer):
    conceptions = ConceptionSerializer(many=True)
    sections = CompareSectionSerializer(many=True)


def _coded(vocabulary: type[Choices]) -> serializers.ChoiceField:
    """A field only one of the two types has: blank where the record is not coded."""
    return serializers.ChoiceField(
        choices=vocabulary.choices, allow_blank=True, required=False
    )


class ComparedRecordSerializer(serializers.Serializer):
    """A mission or a case side by side (the schema of /compare/records/): the fields of
    its list representation, those of the other type absent."""

    type = serializers.ChoiceField(choices=[("mission", "mission"), ("case", "case")])
    url = serializers.URLField()
    html_url = serializers.URLField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    conception = serializers.ChoiceField(
        choices=coding.Conception.choices, allow_null=True
    )
    start = FuzzyDateField("start_date", "start_precision")
    end = FuzzyDateField("end_date", "end_precision")
    updated_at = serializers.DateTimeField()
    # Missions only.
    acronym = serializers.CharField(required=False)
    mission_type = _coded(coding.MissionType)
    host_consent = _coded(coding.HostConsent)
    use_of_force = _coded(coding.UseOfForce)
    impartiality = _coded(coding.Impartiality)
    legal_basis = _coded(coding.LegalBasis)
    organisations = SummarySerializer(many=True, required=False)
    cases = SummarySerializer(many=True, required=False)
    # Cases only.
    conflict_type = _coded(coding.ConflictType)
    countries = serializers.ListField(child=serializers.CharField(), required=False)


class CompareRecordsSerializer(serializers.Serializer):
    records = ComparedRecordSerializer(many=True)
