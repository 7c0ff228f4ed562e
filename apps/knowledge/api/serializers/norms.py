"""Norms and the documents that articulate them."""

from rest_framework import serializers

from ...models import (
    Document,
    Norm,
    Organisation,
)
from ..fields import (
    FuzzyDateField,
    SummaryRelatedField,
    WebAddressField,
)
from .base import DETAIL_HEAD, DETAIL_TAIL, LIST_HEAD, RecordSerializer


class NormListSerializer(RecordSerializer):
    class Meta:
        model = Norm
        fields = ["url", "html_url", "slug", "name", "status", "conception"]


class NormSerializer(RecordSerializer):
    related = SummaryRelatedField(
        many=True, required=False, queryset=Norm.objects.all()
    )
    documents = SummaryRelatedField(many=True, read_only=True)
    missions = SummaryRelatedField(many=True, read_only=True)
    cases = SummaryRelatedField(many=True, read_only=True)

    capped = {"documents": "norm", "missions": "norm", "cases": "norm"}

    class Meta:
        model = Norm
        fields = [
            *DETAIL_HEAD,
            "name",
            "conception",
            "related",
            "documents",
            "missions",
            "cases",
            *DETAIL_TAIL,
            "citations",
        ]
        extra_kwargs = RecordSerializer.Meta.extra_kwargs


class DocumentListSerializer(RecordSerializer):
    name = serializers.CharField(read_only=True)
    date = FuzzyDateField("date", "date_precision")
    issuer = SummaryRelatedField(read_only=True, allow_null=True)

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
    issuer = SummaryRelatedField(
        required=False, allow_null=True, queryset=Organisation.objects.all()
    )
    norms = SummaryRelatedField(many=True, required=False, queryset=Norm.objects.all())
    authorised_missions = SummaryRelatedField(many=True, read_only=True)

    capped = {"authorised_missions": "document"}

    class Meta:
        model = Document
        fields = [
            *DETAIL_HEAD,
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
            *DETAIL_TAIL,
            "citations",
        ]
        extra_kwargs = RecordSerializer.Meta.extra_kwargs
