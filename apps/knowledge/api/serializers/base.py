"""What every record's serializer shares: the embedded citations and classifications,
links, publication state and the write path (the canonical dict, written by
services.write_record as every door does)."""

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ... import codebook
from ... import registry
from ... import services
from ...canonical import record_type_for
from ...models import Citation
from ...models import Classification
from ...models import Country
from ...models import Source
from ...models import SourceCreator
from ...models.base import wikidata_validator
from ...models.choices import Conception
from ..exceptions import Conflict
from ..exceptions import RulesNotMet
from ..fields import FieldsBuiltOnceMixin
from ..fields import FuzzyDateField
from ..fields import LoadedListSerializer
from ..fields import SparseFieldsMixin
from ..fields import StrictInputMixin
from ..fields import SummaryRelatedField
from ..fields import WebAddressField
from ..fields import add_capped_fields
from ..fields import api_url
from ..fields import html_url
from ..fields import summary_kwargs
from ..querysets import related
from . import writes

SLUG_TAKEN = (
    "A record of this type already has this slug: choose another, or edit that record."
)


class CitationSerializer(
    StrictInputMixin, FieldsBuiltOnceMixin, serializers.ModelSerializer
):
    """A page-located citation of a source, as embedded in a record."""

    # A declared field named like Field's own `source` attribute: the stubs object.
    source = SummaryRelatedField(queryset=Source.objects.all())  # type: ignore[assignment]
    locator_display = serializers.CharField(read_only=True)

    class Meta:
        model = Citation
        list_serializer_class = LoadedListSerializer
        fields = [
            "source",
            "claim",
            "locator_type",
            "locator",
            "locator_display",
            "reconstructed",
            "note",
        ]


class ClassificationSerializer(
    StrictInputMixin, FieldsBuiltOnceMixin, serializers.ModelSerializer
):
    """A sourced Westphalian / post-Westphalian judgement, as embedded in a record."""

    url = serializers.HyperlinkedIdentityField(view_name="api:classification-detail")
    period_display = serializers.CharField(read_only=True)
    rule_label = serializers.SerializerMethodField()
    basis_display = serializers.SerializerMethodField()
    citations = CitationSerializer(many=True, required=False)

    @extend_schema_field(serializers.CharField())
    def get_basis_display(self, obj):
        """Whose judgement, in words: "Bellamy, Williams and Griffin's classification,
        p. 27 [reconstructed]" or "Curators' application of the rule “Westphalian tasks
        only”" (the rule's slug is in `rule`)."""
        return obj.basis_text(related(obj, "citations"))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_rule_label(self, obj):
        """The decision rule's name in the codebook (null when there is none)."""
        rule = obj.rule_info
        return rule.label if rule else None

    class Meta:
        model = Classification
        list_serializer_class = LoadedListSerializer
        fields = [
            "id",
            "url",
            "value",
            "basis",
            "basis_display",
            "rule",
            "rule_label",
            "departure",
            "preferred",
            "period_start",
            "period_end",
            "period_display",
            "rationale",
            "citations",
        ]


class CreatorSerializer(
    StrictInputMixin, FieldsBuiltOnceMixin, serializers.ModelSerializer
):
    class Meta:
        model = SourceCreator
        fields = ["family", "given"]


class CountrySerializer(FieldsBuiltOnceMixin, serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["code", "name", "region"]


# A record's addresses in the API and on the site, and its slug.
LINKS = ["url", "html_url", "slug"]
# Every record's detail starts with its links, state and name and ends with its text,
# review dates and citations; the type's own fields go between (`detail_fields`).
DETAIL_HEAD = [*LINKS, "status", "name"]
DETAIL_TAIL = [
    "summary",
    "caveat",
    "curator_note",
    "wikidata",
    "last_reviewed",
    "published_at",
    "updated_at",
]
# A list row starts with its links and name, then its state.
LIST_HEAD = [*LINKS, "name", "status"]
# Missions and cases: the preferred classification's verdict, and the dates.
CLASSIFIED_FIELDS = [
    "conception",
    "conception_basis",
    "conception_rule",
    "start",
    "end",
    "continuing_as_of",
]


def detail_fields(*own: str, classified: bool = False) -> list[str]:
    """A record detail's fields, in the order the API has always given them: links,
    state and name, the type's `own` fields, text and review dates, then the
    classifications (`classified`: missions and cases) and the citations."""
    classifications = ["classifications"] if classified else []
    return [*DETAIL_HEAD, *own, *DETAIL_TAIL, *classifications, "citations"]


class RecordSerializer(
    StrictInputMixin,
    SparseFieldsMixin,
    FieldsBuiltOnceMixin,
    serializers.ModelSerializer,
):
    """Shared by every record type: links, publication state, citations, and the write path."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.URLField: WebAddressField,
    }
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    wikidata = serializers.CharField(
        source="wikidata_qid",
        required=False,
        allow_blank=True,
        max_length=20,
        validators=[wikidata_validator],  # also the schema's pattern
    )
    citations = CitationSerializer(many=True, required=False)

    read_only_common = ["status", "published_at", "updated_at", "last_reviewed"]

    class Meta:
        # A type's serializer: `class Meta(RecordSerializer.Meta)` with its model and
        # `fields = detail_fields(...)`.
        extra_kwargs = {"curator_note": {"write_only": True}}

    def build_relational_field(self, field_name, relation_info):
        """Every relation named in `Meta.fields` and not declared is read as summaries
        (`SummaryRelatedField`). Only the type's detail serializer, which writes, takes
        slugs, and only for the record's own relations: a reverse one (a norm's
        missions) and a list row's are read-only."""
        writes = not relation_info.reverse and isinstance(
            self, registry.of(self.Meta.model).serializer
        )
        return SummaryRelatedField, summary_kwargs(
            many=relation_info.to_many,
            model=relation_info.related_model if writes else None,
        )

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return api_url(self.context.get("request"), obj)

    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, obj):
        return html_url(self.context.get("request"), obj)

    def get_fields(self):
        fields = super().get_fields()
        for name in self.read_only_common:
            if name in fields:
                fields[name].read_only = True
        if self.instance is not None and "slug" in fields:
            fields["slug"].read_only = True  # the slug is the record's address
        # The registry's capped relations (registry.RecordType.capped); the dataset
        # export (context `whole`) has the whole lists instead.
        if not self.context.get("whole"):
            fields = add_capped_fields(fields, self.Meta.model)
        return fields

    # -- writing -------------------------------------------------------------------

    # After save(): whether the change became a proposal awaiting review (a curator's
    # edit of a published record), and the Revision that keeps it in history.
    proposal = False
    revision = None

    def create(self, validated_data):
        return self._write(None, validated_data)

    def update(self, instance, validated_data):
        return self._write(instance, validated_data)

    def _user(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return user if user and user.is_authenticated else None

    def _write(self, instance, validated_data):
        """Hand the record's canonical dict to the one writer (services.write_record):
        the fields this request gives over the record's current ones. The service
        decides draft, live edit or proposal, validates and keeps one Revision."""
        model = self.Meta.model
        record_type = record_type_for(model)
        changes = writes.to_canonical(record_type, validated_data)
        user = self._user()
        base = _starting_point(instance, user)
        try:
            written = services.write_record(
                model=model,
                data=writes.merged(base, changes),
                instance=instance,
                user=user,
                new=instance is None,
            )
        except services.SlugTaken as exc:
            raise Conflict(SLUG_TAKEN) from exc
        except services.PublishedRulesBroken as exc:
            # The record's state is what is wrong, as for publishing: 409.
            raise RulesNotMet({"non_field_errors": [exc.refusal]}) from exc
        except services.RecordInvalid as exc:
            names = writes.api_names(record_type, self.fields)
            errors = writes.field_errors(exc.paths, names) or {
                "non_field_errors": exc.messages
            }
            raise serializers.ValidationError(errors) from exc
        self.revision = written.revision
        self.proposal = written.outcome == "proposed" or (
            written.outcome == "unchanged"
            and instance is not None
            and services.record_save_is_proposal(instance, user)
        )
        return written.record


def _starting_point(instance, user):
    """What this request's fields are laid over: the author's own pending proposal when
    they have one, so that a second change continues it as the admin form does (B4);
    otherwise the live record."""
    if instance is None:
        return {}
    if services.record_save_is_proposal(instance, user):
        own = services.own_proposals(instance, user).first()
        if own is not None:
            return own.data
    return services.record_content(instance)


class ClassifiedRecordSerializer(RecordSerializer):
    """Missions and cases: dates and Westphalian / post-Westphalian classifications."""

    start = FuzzyDateField("start_date", "start_precision")
    end = FuzzyDateField("end_date", "end_precision")
    continuing_as_of = FuzzyDateField(
        "continuing_as_of_date", "continuing_as_of_precision"
    )
    not_established = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text="Coded fields left blank on purpose: field -> the public reason.",
    )
    conception = serializers.SerializerMethodField()
    conception_basis = serializers.SerializerMethodField()
    conception_rule = serializers.SerializerMethodField()
    classifications = ClassificationSerializer(many=True, required=False)

    @extend_schema_field(
        serializers.ChoiceField(choices=Conception.choices, allow_null=True)
    )
    def get_conception(self, obj):
        """The value of the preferred classification."""
        preferred = self._preferred(obj)
        return preferred.value if preferred else None

    @extend_schema_field(
        serializers.ChoiceField(choices=codebook.Basis.choices, allow_null=True)
    )
    def get_conception_basis(self, obj):
        """Whose judgement the preferred classification is: the cited author's own,
        or the curators' application of `conception_rule` (see the codebook)."""
        preferred = self._preferred(obj)
        return (preferred.basis or None) if preferred else None

    @extend_schema_field(
        serializers.ChoiceField(choices=codebook.RULE_CHOICES, allow_null=True)
    )
    def get_conception_rule(self, obj):
        """The decision rule the curators applied (null for an author's own)."""
        preferred = self._preferred(obj)
        return (preferred.rule or None) if preferred else None

    @staticmethod
    def _preferred(obj):
        for classification in related(obj, "classifications"):
            if classification.preferred:
                return classification
        return None

    def get_fields(self):
        fields = super().get_fields()
        if "classifications" in self.context.get("include", ()):
            # `?include=classifications` on a list: the full judgements with their
            # citations, one call per page instead of one per record.
            fields["classifications"] = ClassificationSerializer(
                many=True, read_only=True
            )
        return fields
