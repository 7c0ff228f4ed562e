"""Citations and classifications on their own, with the record they belong to."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...models import Classification
from ..fields import SparseFieldsMixin
from ..fields import api_url
from .base import CitationSerializer
from .base import ClassificationSerializer


class RecordRefSerializer(serializers.Serializer):
    """The record a citation or classification belongs to."""

    type = serializers.CharField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.URLField()


def record_ref(record, request):
    return {
        "type": record._meta.model_name,
        "slug": record.slug,
        "name": record.name,
        "url": api_url(request, record),
    }


class ClassificationDetailSerializer(SparseFieldsMixin, ClassificationSerializer):
    record = serializers.SerializerMethodField()

    class Meta(ClassificationSerializer.Meta):
        fields = [*ClassificationSerializer.Meta.fields, "record"]

    @extend_schema_field(RecordRefSerializer)
    def get_record(self, obj):
        return record_ref(obj.target, self.context.get("request"))


class CitationDetailSerializer(SparseFieldsMixin, CitationSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:citation-detail")
    record = serializers.SerializerMethodField()
    classification = serializers.SerializerMethodField()

    class Meta(CitationSerializer.Meta):
        fields = [
            "id",
            "url",
            "record",
            "classification",
            *CitationSerializer.Meta.fields,
        ]

    @extend_schema_field(RecordRefSerializer)
    def get_record(self, obj):
        target = obj.target
        if isinstance(target, Classification):
            target = target.target
        return record_ref(target, self.context.get("request"))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_classification(self, obj):
        if not isinstance(obj.target, Classification):
            return None
        url = reverse("api:classification-detail", kwargs={"pk": obj.object_id})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url
