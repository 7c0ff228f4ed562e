"""Search results."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...search import CANDIDATES_PER_TYPE
from ..fields import api_url


class SearchHitSerializer(serializers.Serializer):
    type = serializers.CharField()
    slug = serializers.SlugField(source="record.slug")
    name = serializers.CharField(source="record.name")
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    rank = serializers.FloatField()
    snippet = serializers.CharField(help_text="HTML: the matched words in <mark>.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, hit):
        return api_url(self.context.get("request"), hit.record)

    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, hit):
        request = self.context.get("request")
        url = hit.record.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class SearchPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        help_text=f"Hits that can be paged through: at most {CANDIDATES_PER_TYPE} of "
        "each record type are ranked, and 1,000 in all."
    )
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    every_word = serializers.BooleanField(
        help_text="False when no record holds every word of `q`: the results then "
        "hold some of them, those holding more first (not for a query with quotes, "
        '"-word" or "or").'
    )
    results = SearchHitSerializer(many=True)
