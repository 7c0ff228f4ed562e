"""The curators' workplace: one admin per model, a whole mission editable on one page."""

from typing import TYPE_CHECKING
from typing import TypeVar

from django import forms
from django.contrib import admin
from django.contrib import messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.text import format_lazy

from .. import services
from ..canonical import CITATION_FORM_FIELDS
from ..canonical import CLASSIFICATION_FIELDS
from ..canonical import CLASSIFICATION_FORM_FIELDS
from ..models import Case
from ..models import Citation
from ..models import Classification
from ..models import ComparisonRow
from ..models import Concept
from ..models import Country
from ..models import Document
from ..models import KnowledgeRecord
from ..models import MandateTask
from ..models import Mission
from ..models import Norm
from ..models import Organisation
from ..models import Source
from ..models import SourceCreator
from ..models.choices import LocatorType
from ..registry import RECORD_TYPES
from .changelist import CheckedChangeListMixin
from .imports import CsvImportExportMixin
from .imports import SourceImportMixin
from .workflow import RecordPartAdminMixin
from .workflow import WorkflowAdminMixin

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldOpts
    from django.contrib.admin.options import _FieldsetSpec

PUBLICATION_FIELDSET: "tuple[str, _FieldOpts]" = (
    "Publication",
    {
        "fields": ("status", "last_reviewed", "wikidata_qid", "curator_note"),
        "description": "Publishing checks the rules: a summary, a located citation and, for "
        "missions and cases, a cited preferred classification.",
    },
)
# Shown above a mission's or case's coding, so the classification inline's columns need
# no hover: what Value, Preferred and Claim mean, and where the rules are.
CONCEPTION_HELP = format_lazy(
    "<p><strong>Classifications</strong> (further down): <em>Value</em> is the "
    "conception: Westphalian (keeping order between states, with their consent), "
    "post-Westphalian (reshaping how a state is governed inside) or mixed (both, or "
    "drifting). <em>Preferred</em> marks the one judgement shown first; one per record. "
    "Each needs a source and a page or section. On citations, <em>Claim</em> says "
    'which part of the record the page supports. The rules are in the <a href="{}'
    '#codebook">codebook</a>.</p>',
    reverse_lazy("apisite:data"),
)
NOT_ESTABLISHED_HELP = (
    "A coded field left blank on purpose goes in \u201cnot established\u201d with its "
    'public reason, e.g. {"end": "No cited document gives the date it closed."}; '
    "\u201ccontinuing as of\u201d replaces the end only where a cited source says it was "
    "still going on then."
)
# Timestamps every record's page shows, folded away.
RECORD_FIELDSET: "tuple[str, _FieldOpts]" = (
    "Record",
    {"fields": ("created_at", "updated_at", "published_at"), "classes": ("collapse",)},
)


def record_fieldsets(*sections: "tuple[str, _FieldOpts]") -> "_FieldsetSpec":
    """A record admin's fieldsets: its own sections, then the publication fields and
    the timestamps, the same on every record's page."""
    return [*sections, PUBLICATION_FIELDSET, RECORD_FIELDSET]


def record_columns(*columns: str) -> tuple[str, ...]:
    """A record admin's list columns: its own, then where the record stands in the
    workflow and when it last changed."""
    return (*columns, "status", "updated_at")


class CitationForm(forms.ModelForm):
    """The model's clean() says what a missing locator needs, once: the field itself
    does not also say "This field is required"."""

    locator = forms.CharField(
        required=False,
        max_length=255,
        help_text=Citation._meta.get_field("locator").help_text,
    )

    class Meta:
        model = Citation
        fields = ["content_type", "object_id", *CITATION_FORM_FIELDS, "position"]


class CitationInline(GenericTabularInline):
    model = Citation
    form = CitationForm
    extra = 0
    autocomplete_fields = ["source"]
    fields = [*CITATION_FORM_FIELDS, "position"]
    verbose_name_plural = (
        "Citations (each claim of this record, with its page or section)"
    )
    formfield_overrides = {
        # A one-line note keeps the inline readable.
        Citation._meta.get_field("note").__class__: {
            "widget": forms.TextInput(attrs={"size": 30})
        }
    }


class ClassificationInlineForm(forms.ModelForm):
    """A classification and its principal citation, so that a whole mission fits on one page.
    Further citations of a classification are edited on the classification's own page."""

    source = forms.ModelChoiceField(
        queryset=Source.objects.all(),
        required=False,
        # A search box, not a select of the whole bibliography.
        widget=AutocompleteSelect(Citation._meta.get_field("source"), admin.site),
        help_text="The source supporting this judgement.",
    )
    locator = forms.CharField(
        required=False,
        max_length=255,
        help_text='Page(s) such as "512-514", or a section.',
    )
    locator_type = forms.ChoiceField(
        choices=LocatorType.choices, initial=LocatorType.PAGES
    )

    class Meta:
        model = Classification
        fields = CLASSIFICATION_FIELDS
        widgets = {
            "rationale": forms.Textarea(attrs={"rows": 3, "cols": 40}),
            "departure": forms.Textarea(attrs={"rows": 2, "cols": 30}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        first = self.instance.citations.first() if self.instance.pk else None
        if first:
            self.fields["source"].initial = first.source_id
            self.fields["locator"].initial = first.locator
            self.fields["locator_type"].initial = first.locator_type

    def clean(self):
        cleaned = super().clean()
        source, locator = cleaned.get("source"), cleaned.get("locator")
        if bool(source) != bool(locator):
            raise ValidationError(
                "Give both a source and a locator for the classification."
            )
        if source:
            probe = Citation(
                source=source, locator=locator, locator_type=cleaned.get("locator_type")
            )
            try:
                probe.clean()
            except ValidationError as exc:
                self.add_error("locator", exc.message_dict.get("locator", exc.messages))
        return cleaned

    def save(self, commit=True):
        classification = super().save(commit=commit)
        if commit:
            self.save_citation()
        return classification

    def save_citation(self):
        source, locator = (
            self.cleaned_data.get("source"),
            self.cleaned_data.get("locator"),
        )
        first = self.instance.citations.first()
        if not source:
            # Both cleared (clean() refuses one without the other): the principal
            # citation goes, as the form showed it would.
            if first is not None:
                first.delete()
            return
        citation = first or Citation(
            content_type=ContentType.objects.get_for_model(Classification),
            object_id=self.instance.pk,
            claim="classification",
        )
        citation.source = source
        citation.locator = locator
        citation.locator_type = (
            self.cleaned_data.get("locator_type") or LocatorType.PAGES
        )
        citation.save()


class ClassificationInline(GenericTabularInline):
    model = Classification
    form = ClassificationInlineForm
    extra = 0
    fields = [*CLASSIFICATION_FORM_FIELDS]
    show_change_link = True
    verbose_name_plural = (
        "Classifications (Westphalian / post-Westphalian / mixed, with period)"
    )


_R = TypeVar("_R", bound=KnowledgeRecord)

if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin
else:

    class ModelAdmin(CheckedChangeListMixin, admin.ModelAdmin):
        """Django's ModelAdmin, subscriptable by its model as django-stubs types it
        (ModelAdmin[Mission]), so that mypy checks each admin against its model."""

        def __class_getitem__(cls, model):
            return cls


class RecordAdmin(CsvImportExportMixin, WorkflowAdminMixin, ModelAdmin[_R]):
    """Shared behaviour of every knowledge record's admin: the editorial workflow
    (admin.workflow) and CSV in and out (admin.imports)."""

    inlines = [CitationInline]
    list_filter = ["status", "last_reviewed"]
    readonly_fields = ["created_at", "updated_at", "published_at"]
    prepopulated_fields = {"slug": ("name",)}
    actions = [
        "submit_selected",
        "publish_selected",
        "unpublish_selected",
        "mark_reviewed_today",
    ]
    list_per_page = 50

    def has_publish_permission(self, request):
        return services.can_publish(request.user, self.model)

    def _run(self, request, queryset, service, done):
        count = 0
        for record in queryset:
            try:
                service(record=record, user=request.user)
                count += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request,
                    " ".join(getattr(exc, "messages", None) or [str(exc)]),
                    messages.WARNING,
                )
        if count:
            self.message_user(request, f"{done} {count} record(s).", messages.SUCCESS)

    @admin.action(
        description="Submit selected records for review", permissions=["change"]
    )
    def submit_selected(self, request, queryset):
        self._run(request, queryset, services.record_submit, "Submitted")

    @admin.action(
        description="Publish selected records (checks the publishing rules)",
        permissions=["publish"],
    )
    def publish_selected(self, request, queryset):
        self._run(request, queryset, services.record_publish, "Published")

    @admin.action(
        description="Unpublish selected records (back to draft)",
        permissions=["publish"],
    )
    def unpublish_selected(self, request, queryset):
        self._run(request, queryset, services.record_unpublish, "Unpublished")

    @admin.action(
        description="Mark selected records as reviewed today", permissions=["publish"]
    )
    def mark_reviewed_today(self, request, queryset):
        self._run(request, queryset, services.record_mark_reviewed, "Marked reviewed")


class SourceCreatorInline(admin.TabularInline):
    model = SourceCreator
    extra = 0
    fields = ["role", "family", "given", "position"]
    verbose_name_plural = "Authors and editors, in order"


@admin.register(Source)
class SourceAdmin(SourceImportMixin, RecordAdmin[Source]):
    list_display = record_columns("__str__", "kind", "year", "container_title")
    list_filter = ["kind", "status", "year"]
    search_fields = [
        "title",
        "subtitle",
        "short_title",
        "container_title",
        "creators__family",
        "slug",
    ]
    prepopulated_fields = {"slug": ("title",)}
    inlines = [SourceCreatorInline, CitationInline]
    fieldsets = record_fieldsets(
        (
            "Work",
            {
                "fields": (
                    "title",
                    "slug",
                    "kind",
                    "subtitle",
                    "short_title",
                    "summary",
                    "caveat",
                )
            },
        ),
        (
            "Publication details",
            {
                "fields": (
                    "container_title",
                    "collection_title",
                    ("volume", "issue", "edition"),
                    ("publisher", "place"),
                    ("year", "month"),
                    ("page_first", "page_last"),
                    "url",
                    "accessed",
                    ("doi", "isbn"),
                    "attribution_note",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("creators")


@admin.register(Organisation)
class OrganisationAdmin(RecordAdmin[Organisation]):
    list_display = record_columns("name", "acronym", "kind", "parent")
    list_filter = ["kind", "status"]
    search_fields = ["name", "acronym", "slug"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    fieldsets = record_fieldsets(
        (
            "Content",
            {"fields": ("name", "slug", "acronym", "kind", "summary", "caveat")},
        ),
        ("Relations", {"fields": ("parent", ("founded_date", "founded_precision"))}),
    )


@admin.register(Norm)
class NormAdmin(RecordAdmin[Norm]):
    list_display = record_columns("name", "conception")
    list_filter = ["conception", "status"]
    search_fields = ["name", "slug", "summary"]
    autocomplete_fields = ["related"]
    fieldsets = record_fieldsets(
        ("Content", {"fields": ("name", "slug", "summary", "caveat")}),
        ("Coding", {"fields": ("conception",)}),
        ("Relations", {"fields": ("related",)}),
    )


@admin.register(Document)
class DocumentAdmin(RecordAdmin[Document]):
    list_display = [
        "title",
        "short_title",
        "symbol",
        "kind",
        "date",
        "issuer",
        "status",
    ]
    list_filter = ["kind", "status", "issuer"]
    search_fields = ["title", "short_title", "symbol", "slug"]
    list_select_related = ["issuer"]
    autocomplete_fields = ["issuer", "norms"]
    date_hierarchy = "date"
    prepopulated_fields = {"slug": ("short_title",)}
    fieldsets = record_fieldsets(
        (
            "Content",
            {
                "fields": (
                    "title",
                    "short_title",
                    "slug",
                    "symbol",
                    "kind",
                    "summary",
                    "caveat",
                )
            },
        ),
        (
            "Coding",
            {
                "fields": (
                    "issuer",
                    ("date", "date_precision"),
                    "url",
                    "pax_agreement_id",
                )
            },
        ),
        ("Relations", {"fields": ("norms",)}),
    )


@admin.register(Case)
class CaseAdmin(RecordAdmin[Case]):
    list_display = record_columns("name", "conflict_type", "start_date", "end_date")
    list_filter = ["conflict_type", "status", "countries__region"]
    search_fields = ["name", "slug", "summary"]
    autocomplete_fields = ["countries", "norms"]
    date_hierarchy = "start_date"
    inlines = [ClassificationInline, CitationInline]
    fieldsets = record_fieldsets(
        ("Content", {"fields": ("name", "slug", "summary", "caveat")}),
        (
            "Coding",
            {
                "fields": (
                    "conflict_type",
                    ("start_date", "start_precision"),
                    ("end_date", "end_precision"),
                    ("continuing_as_of_date", "continuing_as_of_precision"),
                    "countries",
                    "ucdp_conflict_id",
                    "not_established",
                ),
                "description": format_lazy(
                    "{}<p>{}</p>", CONCEPTION_HELP, NOT_ESTABLISHED_HELP
                ),
            },
        ),
        ("Relations", {"fields": ("norms",)}),
    )


@admin.register(Mission)
class MissionAdmin(RecordAdmin[Mission]):
    list_display = record_columns(
        "name", "acronym", "mission_type", "start_date", "end_date"
    )
    list_filter = [
        "status",
        "mission_type",
        "host_consent",
        "use_of_force",
        "legal_basis",
        "organisations",
        "mandate_tasks",
    ]
    search_fields = ["name", "acronym", "slug", "summary"]
    autocomplete_fields = [
        "organisations",
        "lead_state",
        "cases",
        "authorised_by",
        "predecessor",
        "authorising_body",
        "norms",
    ]
    filter_horizontal = ["mandate_tasks"]
    date_hierarchy = "start_date"
    inlines = [ClassificationInline, CitationInline]
    fieldsets = record_fieldsets(
        (
            "Content",
            {
                "fields": (
                    "name",
                    "slug",
                    "acronym",
                    "summary",
                    "caveat",
                    "mandate_summary",
                )
            },
        ),
        (
            "Coding",
            {
                "fields": (
                    "mission_type",
                    ("start_date", "start_precision"),
                    ("end_date", "end_precision"),
                    ("continuing_as_of_date", "continuing_as_of_precision"),
                    "host_consent",
                    "use_of_force",
                    "impartiality",
                    "legal_basis",
                    "authorising_body",
                    "mandate_tasks",
                    "not_established",
                ),
                "description": format_lazy(
                    "{}<p>Code only what the sources support, and cite each dimension "
                    "below with its claim (host consent, use of force...). A blank is "
                    "honest; a guess is not. {}</p>",
                    CONCEPTION_HELP,
                    NOT_ESTABLISHED_HELP,
                ),
            },
        ),
        (
            "Relations",
            {
                "fields": (
                    "organisations",
                    "lead_state",
                    "cases",
                    "authorised_by",
                    "predecessor",
                    "norms",
                )
            },
        ),
    )


@admin.register(Concept)
class ConceptAdmin(RecordAdmin[Concept]):
    list_display = record_columns("term", "parent")
    list_filter = ["status"]
    search_fields = ["term", "slug", "summary"]
    list_select_related = ["parent"]
    prepopulated_fields = {"slug": ("term",)}
    autocomplete_fields = (
        "parent",
        "related_concepts",
        "norms",
        "missions",
        "cases",
        "documents",
    )
    fieldsets = record_fieldsets(
        ("Content", {"fields": ("term", "slug", "summary", "caveat")}),
        ("Relations", {"fields": autocomplete_fields}),
    )


@admin.register(ComparisonRow)
class ComparisonRowAdmin(RecordAdmin[ComparisonRow]):
    list_display = record_columns("name", "section", "order")
    list_filter = ["section", "status"]
    search_fields = ["name", "slug", "westphalian", "post_westphalian"]
    fieldsets = record_fieldsets(
        (
            "Content",
            {"fields": ("name", "slug", "section", "order", "summary", "caveat")},
        ),
        ("The two conceptions", {"fields": ("westphalian", "post_westphalian")}),
    )


@admin.register(Citation)
class CitationAdmin(RecordPartAdminMixin, ModelAdmin[Citation]):
    form = CitationForm
    list_display = ["__str__", "claim", "content_type", "object_id", "reconstructed"]
    list_filter = ["claim", "locator_type", "reconstructed", "content_type"]
    search_fields = ["locator", "note", "source__title"]
    list_select_related = ["source", "content_type"]
    autocomplete_fields = ["source"]


@admin.register(Classification)
class ClassificationAdmin(RecordPartAdminMixin, ModelAdmin[Classification]):
    list_display = [
        "__str__",
        "content_type",
        "object_id",
        "basis",
        "rule",
        "preferred",
    ]
    list_filter = ["value", "basis", "rule", "preferred", "content_type"]
    search_fields = ["rationale", "departure"]
    list_select_related = ["content_type"]
    inlines = [CitationInline]


@admin.register(Country)
class CountryAdmin(ModelAdmin[Country]):
    list_display = ["name", "code", "region"]
    list_filter = ["region"]
    search_fields = ["name", "code"]


@admin.register(MandateTask)
class MandateTaskAdmin(ModelAdmin[MandateTask]):
    list_display = ["name", "conception", "position"]
    list_filter = ["conception"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ("name",)}


# A record type without an admin of its own gets the shared one: the workflow, CSV in
# and out, citations inline (registry.py lists the types).
for _record_type in RECORD_TYPES:
    if not admin.site.is_registered(_record_type.model):
        admin.site.register(_record_type.model, RecordAdmin)
