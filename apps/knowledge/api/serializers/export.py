"""The dataset export's index."""

from rest_framework import serializers


class DatasetStampSerializer(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.CharField(
        help_text="Changes whenever anything published changes."
    )
    generated_at = serializers.DateTimeField(
        required=False, help_text="When the file was built (files only, not the index)."
    )
    last_modified = serializers.DateTimeField(allow_null=True)


class ExportFileSerializer(serializers.Serializer):
    name = serializers.CharField()
    format = serializers.ChoiceField(choices=[("json", "json"), ("csv", "csv")])
    url = serializers.URLField()
    count = serializers.IntegerField(allow_null=True)


class ExportIndexSerializer(serializers.Serializer):
    dataset = DatasetStampSerializer()
    files = ExportFileSerializer(many=True)
