"""What the API shows and accepts, per record type.

Reads: every related record as a compact summary {slug, name, url} (published ones only),
citations and classifications embedded with their source and locator. Writes: related
records by slug, citations and classifications as nested lists that replace the current
ones; every write runs the model's full_clean() and the publishing rules, as the admin does.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.models import Status

from .. import codebook, services
from ..models import (
    Case,
    Citation,
    Classification,
    ComparisonRow,
    Concept,
    Country,
    Document,
    MandateTask,
    Mission,
    Norm,
    Organisation,
    Source,
    SourceCreator,
)
from ..models.choices import (
    ComparisonSection,
    Conception,
    ConflictType,
    CreatorRole,
    HostConsent,
    Impartiality,
    LegalBasis,
    MissionType,
    UseOfForce,
)
from .exceptions import django_validation_errors
from .fields import (
    FuzzyDateField,
    LoadedListSerializer,
    SparseFieldsMixin,
    StrictInputMixin,
    SummaryRelatedField,
    SummarySerializer,
    add_capped_fields,
    api_url,
    html_url,
)
from .querysets import related

# --------------------------------------------------------------------------- embedded


class CitationSerializer(StrictInputMixin, serializers.ModelSerializer):
    """A page-located citation of a source, as embedded in a record."""

    source = SummaryRelatedField(queryset=Source.objects.all())
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


class ClassificationSerializer(StrictInputMixin, serializers.ModelSerializer):
    """A sourced Westphalian / post-Westphalian judgement, as embedded in a record."""

    url = serializers.HyperlinkedIdentityField(view_name="api:classification-detail")
    period_display = serializers.CharField(read_only=True)
    rule_label = serializers.SerializerMethodField()
    basis_display = serializers.SerializerMethodField()
    citations = CitationSerializer(many=True, required=False)

    @extend_schema_field(serializers.CharField())
    def get_basis_display(self, obj):
        """Whose judgement, in words: "Bellamy, Williams and Griffin's classification,
        p. 27 [reconstructed]" or "Curators' application of rule tasks-westphalian"."""
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


class CreatorSerializer(StrictInputMixin, serializers.ModelSerializer):
    class Meta:
        model = SourceCreator
        fields = ["family", "given"]


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["code", "name", "region"]


# --------------------------------------------------------------------------- records


class RecordSerializer(
    StrictInputMixin, SparseFieldsMixin, serializers.ModelSerializer
):
    """Shared by every record type: links, publication state, citations, and the write path."""

    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    wikidata = serializers.CharField(
        source="wikidata_qid", required=False, allow_blank=True, max_length=20
    )
    citations = CitationSerializer(many=True, required=False)

    # Model field -> API field, for validation messages.
    aliases = {"wikidata_qid": "wikidata"}
    # Relations that grow with the data, shown capped (`fields.add_capped_fields`):
    # relation -> the filter parameter of the related type's list. The dataset export
    # (context `whole`) has the whole lists instead.
    capped = {}
    read_only_common = ["status", "published_at", "updated_at", "last_reviewed"]

    class Meta:
        common = [
            "url",
            "html_url",
            "slug",
            "status",
            "summary",
            "caveat",
            "curator_note",
            "wikidata",
            "last_reviewed",
            "published_at",
            "updated_at",
            "citations",
        ]
        extra_kwargs = {"curator_note": {"write_only": True}}

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
        if self.capped and not self.context.get("whole"):
            fields = add_capped_fields(fields, self.Meta.model, self.capped)
        return fields

    # -- writing -------------------------------------------------------------------

    nested = ("citations",)

    def create(self, validated_data):
        instance = self.Meta.model(status=Status.DRAFT)
        user = self._user()
        instance.created_by = user
        return self._save(instance, validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)

    def _user(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return user if user and user.is_authenticated else None

    # After save(): whether the change became a proposal awaiting review (a curator's
    # edit of a published record), and the Revision that keeps it in history.
    proposal = False
    revision = None

    @transaction.atomic
    def _save(self, instance, validated_data):
        # The one place that decides live edit or proposal, as in the admin.
        edit = services.RecordEdit(record=instance, user=self._user())
        nested = {
            name: validated_data.pop(name)
            for name in self.nested
            if name in validated_data
        }
        many = {
            name: validated_data.pop(name)
            for name in list(validated_data)
            if instance._meta.get_field(name).many_to_many
        }
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.updated_by = self._user()
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                django_validation_errors(exc, self.aliases)
            ) from exc
        instance.save()
        for name, values in many.items():
            getattr(instance, name).set(values)
        self.save_nested(instance, nested)
        if instance.status == Status.PUBLISHED and not edit.proposal:
            # A published record must go on meeting the publishing rules.
            problems = services.record_publish_problems(instance)
            if problems:
                raise serializers.ValidationError({"non_field_errors": problems})
        self.revision = edit.finish()
        self.proposal = edit.proposal
        return instance

    def save_nested(self, instance, nested):
        if "citations" in nested:
            _replace_citations(instance, nested["citations"], "citations")


def _replace_citations(target, rows, field_name):
    errors, citations = [], []
    for position, row in enumerate(rows):
        citation = Citation(target=target, position=position, **row)
        try:
            citation.full_clean()
        except DjangoValidationError as exc:
            errors.append(django_validation_errors(exc))
        else:
            errors.append({})
            citations.append(citation)
    if any(errors):
        raise serializers.ValidationError({field_name: errors})
    target.citations.all().delete()
    for citation in citations:
        citation.save()


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

    aliases = {
        **RecordSerializer.aliases,
        "start_date": "start",
        "start_precision": "start",
        "end_date": "end",
        "end_precision": "end",
        "continuing_as_of_date": "continuing_as_of",
        "continuing_as_of_precision": "continuing_as_of",
    }
    nested = ("citations", "classifications")

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

    def validate_classifications(self, rows):
        if sum(1 for row in rows if row.get("preferred")) > 1:
            raise serializers.ValidationError(
                "Only one classification can be preferred."
            )
        return rows

    def save_nested(self, instance, nested):
        super().save_nested(instance, nested)
        if "classifications" not in nested:
            return
        errors, saved = [], []
        for old in instance.classifications.all():
            old.citations.all().delete()
            old.delete()
        for position, row in enumerate(nested["classifications"]):
            row = dict(row)
            citations = row.pop("citations", [])
            classification = Classification(target=instance, position=position, **row)
            try:
                classification.full_clean()
            except DjangoValidationError as exc:
                errors.append(django_validation_errors(exc))
                continue
            classification.save()
            saved.append(classification)
            try:
                _replace_citations(classification, citations, "citations")
            except serializers.ValidationError as exc:
                errors.append(exc.detail)
                continue
            errors.append({})
        if any(errors):
            raise serializers.ValidationError({"classifications": errors})


class MissionListSerializer(ClassifiedRecordSerializer):
    organisations = SummaryRelatedField(many=True, read_only=True)
    cases = SummaryRelatedField(many=True, read_only=True)

    class Meta:
        model = Mission
        fields = [
            "url",
            "html_url",
            "slug",
            "name",
            "acronym",
            "status",
            "conception",
            "conception_basis",
            "conception_rule",
            "start",
            "end",
            "continuing_as_of",
            "mission_type",
            "host_consent",
            "use_of_force",
            "impartiality",
            "legal_basis",
            "organisations",
            "cases",
            "updated_at",
        ]


class MissionSerializer(ClassifiedRecordSerializer):
    organisations = SummaryRelatedField(
        many=True, required=False, queryset=Organisation.objects.all()
    )
    lead_state = SummaryRelatedField(
        required=False, allow_null=True, queryset=Organisation.objects.all()
    )
    authorising_body = SummaryRelatedField(
        required=False, allow_null=True, queryset=Organisation.objects.all()
    )
    predecessor = SummaryRelatedField(
        required=False, allow_null=True, queryset=Mission.objects.all()
    )
    successors = SummaryRelatedField(many=True, read_only=True)
    cases = SummaryRelatedField(many=True, required=False, queryset=Case.objects.all())
    authorised_by = SummaryRelatedField(
        many=True, required=False, queryset=Document.objects.all()
    )
    norms = SummaryRelatedField(many=True, required=False, queryset=Norm.objects.all())
    mandate_tasks = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        required=False,
        queryset=MandateTask.objects.all(),
        help_text="Slugs of mandate tasks (see the codebook).",
    )

    class Meta:
        model = Mission
        fields = [
            *RecordSerializer.Meta.common[:4],
            "name",
            "acronym",
            "conception",
            "conception_basis",
            "conception_rule",
            "start",
            "end",
            "continuing_as_of",
            "mission_type",
            "host_consent",
            "use_of_force",
            "impartiality",
            "legal_basis",
            "authorising_body",
            "organisations",
            "lead_state",
            "cases",
            "authorised_by",
            "norms",
            "mandate_tasks",
            "predecessor",
            "successors",
            "mandate_summary",
            "not_established",
            *RecordSerializer.Meta.common[4:-1],
            "classifications",
            "citations",
        ]
        extra_kwargs = RecordSerializer.Meta.extra_kwargs


class CaseListSerializer(ClassifiedRecordSerializer):
    countries = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = Case
        fields = [
            "url",
            "html_url",
            "slug",
            "name",
            "status",
            "conception",
            "conception_basis",
            "conception_rule",
            "start",
            "end",
            "continuing_as_of",
            "conflict_type",
            "countries",
            "updated_at",
        ]


class CaseSerializer(ClassifiedRecordSerializer):
    countries = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=Country.objects.all(),
        help_text="ISO 3166-1 alpha-2 codes (historical codes such as YU allowed).",
    )
    norms = SummaryRelatedField(many=True, required=False, queryset=Norm.objects.all())
    missions = SummaryRelatedField(many=True, read_only=True)

    capped = {"missions": "case"}

    class Meta:
        model = Case
        fields = [
            *RecordSerializer.Meta.common[:4],
            "name",
            "conception",
            "conception_basis",
            "conception_rule",
            "start",
            "end",
            "continuing_as_of",
            "conflict_type",
            "ucdp_conflict_id",
            "countries",
            "norms",
            "missions",
            "not_established",
            *RecordSerializer.Meta.common[4:-1],
            "classifications",
            "citations",
        ]
        extra_kwargs = RecordSerializer.Meta.extra_kwargs


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
            *RecordSerializer.Meta.common[:4],
            "name",
            "conception",
            "related",
            "documents",
            "missions",
            "cases",
            *RecordSerializer.Meta.common[4:],
        ]
        extra_kwargs = RecordSerializer.Meta.extra_kwargs


class DocumentListSerializer(RecordSerializer):
    name = serializers.CharField(read_only=True)
    date = FuzzyDateField("date", "date_precision")
    issuer = SummaryRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Document
        fields = [
            "url",
            "html_url",
            "slug",
            "name",
            "status",
            "title",
            "symbol",
            "kind",
            "issuer",
            "date",
        ]


class DocumentSerializer(RecordSerializer):
    name = serializers.CharField(read_only=True)
    date = FuzzyDateField("date", "date_precision")
    official_url = serializers.URLField(
        source="url", required=False, allow_blank=True, max_length=500
    )
    issuer = SummaryRelatedField(
        required=False, allow_null=True, queryset=Organisation.objects.all()
    )
    norms = SummaryRelatedField(many=True, required=False, queryset=Norm.objects.all())
    authorised_missions = SummaryRelatedField(many=True, read_only=True)

    capped = {"authorised_missions": "document"}

    aliases = {
        **RecordSerializer.aliases,
        "url": "official_url",
        "date_precision": "date",
    }

    class Meta:
        model = Document
        fields = [
            *RecordSerializer.Meta.common[:4],
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
            *RecordSerializer.Meta.common[4:],
        ]
        extra_kwargs = RecordSerializer.Meta.extra_kwargs


class OrganisationListSerializer(RecordSerializer):
    parent = SummaryRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Organisation
        fields = [
            "url",
            "html_url",
            "slug",
            "name",
            "status",
            "acronym",
            "kind",
            "parent",
        ]


class OrganisationSerializer(RecordSerializer):
    parent = SummaryRelatedField(
        required=False, allow_null=True, queryset=Organisation.objects.all()
    )
    children = SummaryRelatedField(many=True, read_only=True)
    founded = FuzzyDateField("founded_date", "founded_precision")
    missions = SummaryRelatedField(many=True, read_only=True)
    documents = SummaryRelatedField(many=True, read_only=True)

    capped = {"missions": "organisation", "documents": "organisation"}

    aliases = {
        **RecordSerializer.aliases,
        "founded_date": "founded",
        "founded_precision": "founded",
    }

    class Meta:
        model = Organisation
        fields = [
            *RecordSerializer.Meta.common[:4],
            "name",
            "acronym",
            "kind",
            "founded",
            "parent",
            "children",
            "missions",
            "documents",
            *RecordSerializer.Meta.common[4:],
        ]
        extra_kwargs = RecordSerializer.Meta.extra_kwargs


class ConceptListSerializer(RecordSerializer):
    name = serializers.CharField(read_only=True)
    parent = SummaryRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Concept
        fields = ["url", "html_url", "slug", "name", "status", "term", "parent"]


class ConceptSerializer(RecordSerializer):
    name = serializers.CharField(read_only=True)
    parent = SummaryRelatedField(
        required=False, allow_null=True, queryset=Concept.objects.all()
    )
    children = SummaryRelatedField(many=True, read_only=True)
    related_concepts = SummaryRelatedField(
        many=True, required=False, queryset=Concept.objects.all()
    )
    norms = SummaryRelatedField(many=True, required=False, queryset=Norm.objects.all())
    missions = SummaryRelatedField(
        many=True, required=False, queryset=Mission.objects.all()
    )
    cases = SummaryRelatedField(many=True, required=False, queryset=Case.objects.all())
    documents = SummaryRelatedField(
        many=True, required=False, queryset=Document.objects.all()
    )

    class Meta:
        model = Concept
        fields = [
            *RecordSerializer.Meta.common[:4],
            "name",
            "term",
            "parent",
            "children",
            "related_concepts",
            "norms",
            "missions",
            "cases",
            "documents",
            *RecordSerializer.Meta.common[4:],
        ]
        extra_kwargs = RecordSerializer.Meta.extra_kwargs


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
            "url",
            "html_url",
            "slug",
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
    web_url = serializers.URLField(
        source="url", required=False, allow_blank=True, max_length=500
    )

    aliases = {
        **RecordSerializer.aliases,
        "url": "web_url",
        "page_first": "pages",
        "page_last": "pages",
    }
    nested = ("citations", "authors", "editors")

    class Meta:
        model = Source
        fields = [
            *RecordSerializer.Meta.common[:4],
            "name",
            "kind",
            "title",
            "subtitle",
            "short_title",
            "authors",
            "editors",
            "container_title",
            "collection_title",
            "volume",
            "issue",
            "edition",
            "publisher",
            "place",
            "year",
            "month",
            "pages",
            "web_url",
            "accessed",
            "doi",
            "isbn",
            "attribution_note",
            "cite",
            *RecordSerializer.Meta.common[4:],
        ]
        extra_kwargs = RecordSerializer.Meta.extra_kwargs

    def save_nested(self, instance, nested):
        super().save_nested(instance, nested)
        for role, name in (
            (CreatorRole.AUTHOR, "authors"),
            (CreatorRole.EDITOR, "editors"),
        ):
            if name not in nested:
                continue
            instance.creators.filter(role=role).delete()
            SourceCreator.objects.bulk_create(
                SourceCreator(source=instance, role=role, position=position, **row)
                for position, row in enumerate(nested[name])
            )


class ComparisonRowSerializer(RecordSerializer):
    class Meta:
        model = ComparisonRow
        fields = [
            *RecordSerializer.Meta.common[:4],
            "name",
            "section",
            "order",
            "westphalian",
            "post_westphalian",
            *RecordSerializer.Meta.common[4:],
        ]
        extra_kwargs = RecordSerializer.Meta.extra_kwargs


# --------------------------------------------------------------------------- standalone


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
    errors = serializers.DictField(
        required=False,
        child=serializers.JSONField(),
        help_text="Field name -> messages (validation errors only).",
    )
    retry_after = serializers.IntegerField(
        required=False, help_text="Seconds to wait (429 only)."
    )


# --------------------------------------------------------------------------- comparison


class ConceptionSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=Conception.choices)
    label = serializers.CharField()
    definition = serializers.CharField()


class CompareSectionSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=ComparisonSection.choices)
    label = serializers.CharField()
    rows = ComparisonRowSerializer(many=True)


class CompareSerializer(serializers.Serializer):
    conceptions = ConceptionSerializer(many=True)
    sections = CompareSectionSerializer(many=True)


class ComparedRecordSerializer(serializers.Serializer):
    """A mission or a case side by side (the schema of /compare/records/): the fields of
    its list representation, those of the other type absent."""

    type = serializers.ChoiceField(choices=[("mission", "mission"), ("case", "case")])
    url = serializers.URLField()
    html_url = serializers.URLField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    conception = serializers.ChoiceField(choices=Conception.choices, allow_null=True)
    start = FuzzyDateField("start_date", "start_precision")
    end = FuzzyDateField("end_date", "end_precision")
    updated_at = serializers.DateTimeField()
    # Missions only.
    acronym = serializers.CharField(required=False)
    mission_type = serializers.ChoiceField(
        choices=MissionType.choices, allow_blank=True, required=False
    )
    host_consent = serializers.ChoiceField(
        choices=HostConsent.choices, allow_blank=True, required=False
    )
    use_of_force = serializers.ChoiceField(
        choices=UseOfForce.choices, allow_blank=True, required=False
    )
    impartiality = serializers.ChoiceField(
        choices=Impartiality.choices, allow_blank=True, required=False
    )
    legal_basis = serializers.ChoiceField(
        choices=LegalBasis.choices, allow_blank=True, required=False
    )
    organisations = SummarySerializer(many=True, required=False)
    cases = SummarySerializer(many=True, required=False)
    # Cases only.
    conflict_type = serializers.ChoiceField(
        choices=ConflictType.choices, allow_blank=True, required=False
    )
    countries = serializers.ListField(child=serializers.CharField(), required=False)


class CompareRecordsSerializer(serializers.Serializer):
    records = ComparedRecordSerializer(many=True)


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


# --------------------------------------------------------------------------- export


class SearchPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        help_text="Hits in all (at most 1,000 are ranked)."
    )
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SearchHitSerializer(many=True)


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


# --------------------------------------------------------------------------- history

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
    data = serializers.DictField(help_text="The record's own fields in this version.")
