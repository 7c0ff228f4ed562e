"""Sources, with their creators, page range and citation downloads."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...canonical import SOURCE_ACCESS_FIELDS
from ...canonical import SOURCE_PUBLISHED_IN_FIELDS
from ...canonical import SOURCE_TITLE_FIELDS
from ...models import Source
from ..fields import api_url
from ..fields import record_web_address
from .base import LINKS
from .base import CreatorSerializer
from .base import RecordSerializer
from .base import detail_fields


class SourceCiteLinksMixin(serializers.Serializer):
    cite = serializers.SerializerMethodField()

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                name: {"type": "string", "format": "uri"}
                for name in ("csl_json", "bibtex", "ris")
            },
        }
    )
    def get_cite(self, obj):
        """Where to fetch this source as CSL-JSON, BibTeX or RIS."""
        base = api_url(self.context.get("request"), obj) + "cite/"
        return {
            "csl_json": f"{base}?format=csl-json",
            "bibtex": f"{base}?format=bibtex",
            "ris": f"{base}?format=ris",
        }


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "pattern": r"^\d+(-\d+)?$",
        "example": "505-535",
    }
)
class PageRangeField(serializers.Field):
    """The source's own page range, '505-535' (or one page)."""

    default_error_messages = {"invalid": "Give a page range such as 505-535."}

    def __init__(self, **kwargs):
        kwargs.update(source="*", required=False, allow_null=True)
        super().__init__(**kwargs)

    def to_representation(self, instance):
        return instance.pages or None

    def to_internal_value(self, data):
        text = str(data or "").replace("\u2013", "-").strip()
        if not text:
            return {"page_first": None, "page_last": None}
        parts = [p.strip() for p in text.split("-")]
        if len(parts) > 2 or not all(p.isdigit() and len(p) < 7 for p in parts):
            self.fail("invalid")
        return {"page_first": int(parts[0]), "page_last": int(parts[-1])}

    def validate_empty_values(self, data):
        if data is None:
            return (True, {"page_first": None, "page_last": None})
        return super().validate_empty_values(data)


class SourceListSerializer(SourceCiteLinksMixin, RecordSerializer):
    authors = CreatorSerializer(many=True, read_only=True)

    class Meta:
        model = Source
        fields = [
            *LINKS,
            "status",
            "kind",
            "title",
            "authors",
            "container_title",
            "year",
            "cite",
        ]


class SourceSerializer(SourceCiteLinksMixin, RecordSerializer):
    name = serializers.CharField(read_only=True)
    authors = CreatorSerializer(many=True, required=False)
    editors = CreatorSerializer(many=True, required=False)
    pages = PageRangeField()
    web_url = record_web_address()

    class Meta(RecordSerializer.Meta):
        model = Source
        fields = detail_fields(
            *SOURCE_TITLE_FIELDS,
            "authors",
            "editors",
            *SOURCE_PUBLISHED_IN_FIELDS,
            "pages",
            "web_url",
            *SOURCE_ACCESS_FIELDS,
            "cite",
        )
