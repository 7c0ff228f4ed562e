"""The shapes of the publish action's options, of a proposal (202) and of every
error."""

from rest_framework import serializers

from ..fields import StrictInputMixin


class PublishSerializer(StrictInputMixin, serializers.Serializer):
    """What publishing may do besides publishing the record."""

    with_sources = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also publish, in the same step, the sources the record (or its "
        "classifications) cites that are not published yet, each with its own "
        "published version; it needs the permission to publish sources. Without it, "
        "citing such a source is a 409 naming the sources.",
    )


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
