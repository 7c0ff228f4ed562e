"""Past versions of a record."""

from rest_framework import serializers

# Never public: internal notes and who did what.
HISTORY_PRIVATE = {"id", "curator_note", "created_by", "updated_by", "status"}


def history_fields(model):
    """The record's own public fields, as a past version holds them."""
    return [
        field.name
        for field in model._meta.concrete_fields
        if not field.is_relation and field.name not in HISTORY_PRIVATE
    ]


class HistoryVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version's number.")
    date = serializers.DateTimeField(help_text="When this version was saved.")
    # A field named like one of Field's own attributes: the stubs object.
    data = serializers.DictField(help_text="The record's own fields in this version.")  # type: ignore[assignment]
