"""Norms and the documents that articulate them."""

from rest_framework import serializers

from ...models import Document
from ...models import Norm
from ...models import Organisation
from ..fields import FuzzyDateField
from ..fields import WebAddressField
from ..fields import summaries
from ..fields import summary
from .base import LIST_HEAD
from .base import RecordSerializer
from .base import detail_fields


class NormListSerializer(RecordSerializer):
    class Meta:
        model = Norm
        fields = [*LIST_HEAD, "conception"]


class NormSerializer(RecordSerializer):
    related = summaries(Norm)
    documents = summaries()
    missions = summaries()
    cases = summaries()

    class Meta(RecordSerializer.Meta):
        model = Norm
        fields = detail_fields(
            "name", "conception", "related", "documents", "missions", "cases"
        )


class DocumentListSerializer(RecordSerializer):
    name = serializers.CharField(read_only=True)
    date = FuzzyDateField("date", "date_precision")
    issuer = summary()

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
    official_url = WebAddressField(
        source="url", required=False, allow_blank=True, max_length=500
    )
    issuer = summary(Organisation)
    norms = summaries(Norm)
    authorised_missions = summaries()

    class Meta(RecordSerializer.Meta):
        model = Document
        fields = detail_fields(
            "name",
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
