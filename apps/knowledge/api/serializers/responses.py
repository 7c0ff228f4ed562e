"""The shapes of a proposal (202) and of every error."""

from rest_framework import serializers


class ProposalSerializer(serializers.Serializer):
    """A change that awaits an editor's review (202): the public record is unchanged."""

    status = serializers.IntegerField()
    code = serializers.CharField()
    detail = serializers.CharField()
    revision = serializers.IntegerField(
        allow_null=True, help_text="The pending revision (null: nothing changed)."
    )


class ErrorSerializer(serializers.Serializer):
    """The one shape of every API error."""

    status = serializers.IntegerField()
    code = serializers.CharField()
    detail = serializers.CharField()
    # A field named like one of Field's own attributes: the stubs object.
    errors = serializers.DictField(  # type: ignore[assignment]
        required=False,
        child=serializers.JSONField(),
        help_text="Field name -> messages (validation errors only).",
    )
    retry_after = serializers.IntegerField(
        required=False, help_text="Seconds to wait (429 only)."
    )
