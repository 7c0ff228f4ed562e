"""Norms and the documents that articulate them."""

from rest_framework import serializers

from ...models import Document
from ...models import Norm
from ..fields import FuzzyDateField
from ..fields import record_web_address
from .base import LIST_HEAD
from .base import RecordSerializer
from .base import detail_fields


class NormListSerializer(RecordSerializer):
    class Meta:
        model = Norm
        fields = [*LIST_HEAD, "conception"]


class NormSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Norm
        fields = detail_fields(
            "conception", "related", "documents", "missions", "cases"
        )


class DocumentListSerializer(RecordSerializer):
    name = serializers.CharField(read_only=True)
    date = FuzzyDateField("date", "date_precision")

    class Meta:
        model = Document
        fields = [
            *LIST_HEAD,
            "title",
            "symbol",
            "kind",
            "issuer",
            "date",
        ]


class DocumentSerializer(RecordSerializer):
    name = serializers.CharField(read_only=True)
    date = FuzzyDateField("date", "date_precision")
    official_url = record_web_address()

    class Meta(RecordSerializer.Meta):
        model = Document
        fields = detail_fields(
            "title",
            "short_title",
            "symbol",
            "kind",
            "issuer",
            "date",
            "official_url",
            "pax_agreement_id",
            "norms",
            "authorised_missions",
        )
