"""The domain records: organisations, documents, norms, cases, missions, concepts and the
rows of the Westphalian / post-Westphalian comparison."""

import re
from urllib.parse import quote

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower
from django.urls import reverse

from apps.core import fuzzydate
from apps.core.constraints import choices_constraint
from apps.core.fuzzydate import DatePrecision

from .. import codebook
from .base import Classification
from .base import KnowledgeRecord
from .base import dataset_number_field
from .base import pax_agreement_validator
from .base import ucdp_conflict_validator
from .choices import ComparisonSection
from .choices import ConflictType
from .choices import DocumentKind
from .choices import HostConsent
from .choices import Impartiality
from .choices import LegalBasis
from .choices import MissionType
from .choices import NormConception
from .choices import OrganisationKind
from .choices import UseOfForce
from .vocabularies import Country
from .vocabularies import MandateTask


def _precision_field():
    return models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        blank=True,
    )


def _optional_link(to, related_name, help_text, on_delete=models.PROTECT, **options):
    """A link to another record that may be missing; by default a record others link
    to cannot be deleted from under them (PROTECT)."""
    return models.ForeignKey(
        to,
        null=True,
        blank=True,
        on_delete=on_delete,
        related_name=related_name,
        help_text=help_text,
        **options,
    )


def _coded_field(choices, max_length, help_text):
    """A coded dimension: one of `choices`, or blank until the sources say."""
    return models.CharField(
        max_length=max_length, choices=choices.choices, blank=True, help_text=help_text
    )


# The dates of a dated record's period, each with its precision: its start, and its end
# or "continuing as of".
PERIOD_DATES = (
    "start_date",
    "start_precision",
    "end_date",
    "end_precision",
    "continuing_as_of_date",
    "continuing_as_of_precision",
)
# ... and why an end is missing: every column its period is written from.
PERIOD_COLUMNS = (*PERIOD_DATES, "not_established")


def dated_first(field: str) -> models.OrderBy:
    """A nullable date ascending, undated records last: PostgreSQL sorts NULL last and
    SQLite first, so a bare "start_date" read the lists in two different orders."""
    return F(field).asc(nulls_last=True)


def reading_order_index(name: str) -> models.Index:
    """The lists' reading order (filters.reading_order): a page reads the records in
    order and stops at its last row instead of sorting every record that shares a start
    date (at 100x, hundreds do)."""
    return models.Index(F("start_date"), Lower("name"), F("id"), name=name)


def period_text(
    *,
    start_date,
    start_precision,
    end_date,
    end_precision,
    continuing_as_of_date,
    continuing_as_of_precision,
    not_established,
):
    """A dated record's period in words (DatedRecord.dates_display, and list rows
    read as values); an open end says why it is open, never "1956\u2013"."""
    if end_date:
        period = fuzzydate.display_range(
            start_date, start_precision, end_date, end_precision
        )
        return period if start_date else f"until {period}"
    if continuing_as_of_date:
        continuing = fuzzydate.display(
            continuing_as_of_date, continuing_as_of_precision
        )
        tail = f"continuing as of {continuing}"
    elif "end" in (not_established or {}):
        tail = "end not established"
    else:
        tail = "end not coded"
    if start_date:
        return f"from {fuzzydate.display(start_date, start_precision)}, {tail}"
    return tail if continuing_as_of_date else ""


class DatedRecord(KnowledgeRecord):
    """A record with a start and an end known to a year, month or day."""

    start_date = models.DateField(null=True, blank=True, db_index=True)
    start_precision = _precision_field()
    end_date = models.DateField(null=True, blank=True)
    end_precision = _precision_field()
    continuing_as_of_date = models.DateField(
        "continuing as of",
        null=True,
        blank=True,
        help_text="Instead of an end: the date at which a cited source says it was still "
        "going on (cite it with claim dates).",
    )
    continuing_as_of_precision = _precision_field()
    not_established = models.JSONField(
        default=dict,
        blank=True,
        help_text="Coded fields left blank on purpose, each with the public reason: "
        '{"end": "No cited document gives the date it closed."}.',
    )
    classifications = GenericRelation(
        Classification, related_query_name="%(class)s_record"
    )

    requires_classification = True

    class Meta:
        abstract = True

    @property
    def start_display(self):
        return fuzzydate.display(self.start_date, self.start_precision)

    @property
    def end_display(self):
        return fuzzydate.display(self.end_date, self.end_precision)

    @property
    def continuing_display(self):
        return fuzzydate.display(
            self.continuing_as_of_date, self.continuing_as_of_precision
        )

    @property
    def end_status_display(self):
        """The end, or why there is none: 'continuing as of March 2004', 'not
        established', 'not coded'."""
        if self.end_date:
            return self.end_display
        if self.continuing_as_of_date:
            return f"continuing as of {self.continuing_display}"
        if "end" in (self.not_established or {}):
            return "not established"
        return "not coded"

    @property
    def dates_display(self):
        """The period in words; an open end says why it is open, never "1956\u2013"."""
        return period_text(**{name: getattr(self, name) for name in PERIOD_COLUMNS})

    def not_established_items(self):
        """[(key, label, reason)] in the codebook's order."""
        reasons = self.not_established or {}
        return [
            (key, codebook.NOT_ESTABLISHED_LABELS[key], reasons[key])
            for key in codebook.NOT_ESTABLISHED_KEYS[self._meta.model_name]
            if key in reasons
        ]

    def coded_value(self, key):
        """The value of a `not_established` key's field (a date, a code, related rows)."""
        if key == "start":
            return self.start_date
        if key == "end":
            return self.end_date or self.continuing_as_of_date
        if key == "countries" and not hasattr(self, "countries"):
            return None  # missions take their countries from their cases
        field = self._meta.get_field(key)
        if field.many_to_many:
            return list(getattr(self, key).all()) if self.pk else []
        return getattr(self, key)

    def preferred_classification(self):
        for classification in self.classifications.all():
            if classification.preferred:
                return classification
        return None

    def clean(self):
        super().clean()
        self._clean_not_established()
        if self.end_date and self.continuing_as_of_date:
            raise ValidationError(
                {
                    "continuing_as_of_date": "Give either an end or a date it was "
                    "continuing as of, not both."
                }
            )
        if (
            self.start_date
            and self.continuing_as_of_date
            and fuzzydate.latest(
                self.continuing_as_of_date, self.continuing_as_of_precision
            )
            < self.start_date
        ):
            raise ValidationError(
                {
                    "continuing_as_of_date": f"It cannot be continuing as of "
                    f"{self.continuing_display}, before its start "
                    f"({self.start_display})."
                }
            )
        # Compare the latest day the end could mean with the start: "1956" may end a
        # record that started in "1956-11".
        if (
            self.start_date
            and self.end_date
            and fuzzydate.latest(self.end_date, self.end_precision) < self.start_date
        ):
            raise ValidationError(
                {
                    "end_date": f"The end ({self.end_display}) is before the start "
                    f"({self.start_display})."
                }
            )

    def _clean_not_established(self):
        reasons = self.not_established
        if reasons in (None, ""):
            self.not_established = {}
            return
        allowed = codebook.NOT_ESTABLISHED_KEYS[self._meta.model_name]
        if not isinstance(reasons, dict):
            raise ValidationError(
                {"not_established": "Expected a mapping of field to public reason."}
            )
        errors = []
        for key, reason in reasons.items():
            if key not in allowed:
                errors.append(
                    f'"{key}" cannot be marked not established (allowed: '
                    f"{', '.join(allowed)})."
                )
            elif not isinstance(reason, str) or not reason.strip():
                errors.append(f'"{key}" needs a public reason, in our own words.')
            elif key not in ("mandate_tasks", "organisations", "countries") and (
                self.coded_value(key) not in (None, "")
            ):
                errors.append(
                    f'"{key}" has a value, so it cannot also be marked not established.'
                )
        if errors:
            raise ValidationError({"not_established": errors})

    def not_established_conflicts(self):
        """Related-record keys marked not established although rows are linked."""
        return [
            key
            for key in (self.not_established or {})
            if key in ("mandate_tasks", "organisations", "countries")
            and self.coded_value(key)
        ]


class Organisation(KnowledgeRecord):
    name = models.CharField(max_length=300)
    acronym = models.CharField(max_length=40, blank=True, db_index=True)
    kind = models.CharField(max_length=16, choices=OrganisationKind.choices)
    parent = _optional_link(
        "self",
        "children",
        "The body this one belongs to (the HCNM to the OSCE).",
    )
    founded_date = models.DateField(null=True, blank=True)
    founded_precision = _precision_field()

    class Meta:
        permissions = [
            ("publish_organisation", "Can publish and unpublish organisations")
        ]
        ordering = ["name"]
        constraints = [
            choices_constraint(
                "kind",
                OrganisationKind,
                name="organisation_kind_valid",
                allow_blank=False,
            )
        ]

    def __str__(self):
        return self.label_for(self.name, self.acronym)

    @staticmethod
    def label_for(name, acronym):
        """'Name (ACRONYM)', or the name alone (a list row names its organisations so)."""
        return f"{name} ({acronym})" if acronym else name

    def clean(self):
        super().clean()
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError(
                {"parent": "An organisation cannot be its own parent."}
            )


class Norm(KnowledgeRecord):
    name = models.CharField(max_length=200)
    conception = models.CharField(
        max_length=20,
        choices=NormConception.choices,
        help_text="Which conception the norm belongs to; contested if it is fought over.",
    )
    related = models.ManyToManyField("self", blank=True, symmetrical=True)

    class Meta:
        permissions = [("publish_norm", "Can publish and unpublish norms")]
        ordering = ["name"]
        constraints = [
            choices_constraint(
                "conception",
                NormConception,
                name="norm_conception_valid",
                allow_blank=False,
            )
        ]

    def __str__(self):
        return self.name


# UN documents: Security Council and General Assembly symbols (S/RES/1244 (1999), A/RES/...).
UN_SYMBOL = re.compile(r"^(S|A)/\S")


class Document(KnowledgeRecord):
    title = models.CharField(max_length=500)
    short_title = models.CharField(max_length=200, blank=True)
    symbol = models.CharField(
        "official symbol",
        max_length=100,
        blank=True,
        db_index=True,
        help_text="The document's official symbol where one exists, e.g. S/RES/1244 (1999).",
    )
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    issuer = _optional_link(
        Organisation,
        "documents",
        "The body that adopted or issued it.",
    )
    date = models.DateField(null=True, blank=True, db_index=True)
    date_precision = _precision_field()
    url = models.URLField("official URL", max_length=500, blank=True)
    pax_agreement_id = dataset_number_field(
        "PA-X agreement ID",
        pax_agreement_validator,
        "For a peace agreement: its number in the PA-X Peace Agreements "
        "Database (peaceagreements.org/wview/NUMBER). Only when certain.",
    )
    norms = models.ManyToManyField(
        Norm,
        blank=True,
        related_name="documents",
        help_text="Norms the document articulates.",
    )

    class Meta:
        permissions = [("publish_document", "Can publish and unpublish documents")]
        ordering = [dated_first("date"), "title"]
        constraints = [
            choices_constraint(
                "kind", DocumentKind, name="document_kind_valid", allow_blank=False
            )
        ]

    def __str__(self):
        return self.short_title or self.title

    @property
    def name(self):
        return self.short_title or self.title

    @property
    def official_text_url(self):
        """The official text: the recorded URL, or for a UN document its symbol's
        address at the UN's document resolver (undocs.org + symbol)."""
        if self.url:
            return self.url
        if UN_SYMBOL.match(self.symbol):
            return "https://undocs.org/" + quote(self.symbol, safe="/()")
        return ""

    @property
    def date_display(self):
        return fuzzydate.display(self.date, self.date_precision)


class Case(DatedRecord):
    """A conflict or crisis."""

    name = models.CharField(max_length=300)
    countries = models.ManyToManyField(Country, blank=True, related_name="cases")
    conflict_type = models.CharField(
        max_length=20, choices=ConflictType.choices, blank=True
    )
    ucdp_conflict_id = dataset_number_field(
        "UCDP conflict ID",
        ucdp_conflict_validator,
        "The conflict's number in the Uppsala Conflict Data Program "
        "(ucdp.uu.se/conflict/NUMBER). Only when certain.",
    )
    norms = models.ManyToManyField(
        Norm, blank=True, related_name="cases", help_text="Norms at stake."
    )

    class Meta:
        permissions = [("publish_case", "Can publish and unpublish cases")]
        ordering = [dated_first("start_date"), "name"]
        indexes = [reading_order_index("case_reading_order_idx")]
        constraints = [
            choices_constraint(
                "conflict_type", ConflictType, name="case_conflict_type_valid"
            )
        ]

    def __str__(self):
        return self.name


class Mission(DatedRecord):
    """An intervention or operation, with the coded dimensions the comparison needs."""

    name = models.CharField(max_length=300)
    acronym = models.CharField(max_length=40, blank=True, db_index=True)
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="missions", help_text="Who ran it."
    )
    lead_state = _optional_link(
        Organisation,
        "led_missions",
        "The state that led it, where one did.",
        limit_choices_to={"kind": OrganisationKind.STATE},
    )
    cases = models.ManyToManyField(Case, blank=True, related_name="missions")
    authorised_by = models.ManyToManyField(
        Document,
        blank=True,
        related_name="authorised_missions",
        help_text="Documents that authorise or mandate it.",
    )
    mission_type = models.CharField(
        max_length=32, choices=MissionType.choices, blank=True
    )
    predecessor = _optional_link(
        "self",
        "successors",
        "The operation this one took over from (UNITAF before UNOSOM II).",
        on_delete=models.SET_NULL,
    )
    mandate_summary = models.TextField(
        blank=True, help_text="The mandate, in our words (Markdown)."
    )
    host_consent = _coded_field(
        HostConsent,
        20,
        "Did the host state and the parties agree? The core of the Westphalian model.",
    )
    use_of_force = _coded_field(UseOfForce, 20, "How far the mission may use force.")
    impartiality = _coded_field(Impartiality, 12, "Its stance towards the parties.")
    legal_basis = _coded_field(LegalBasis, 24, "What authorised it in law.")
    authorising_body = _optional_link(
        Organisation,
        "authorised_missions",
        "The body that authorised it (Security Council, CSCE Council...).",
    )
    mandate_tasks = models.ManyToManyField(
        MandateTask,
        blank=True,
        related_name="missions",
        help_text="What it was asked to do: the scope of the mandate.",
    )
    norms = models.ManyToManyField(Norm, blank=True, related_name="missions")

    class Meta:
        permissions = [("publish_mission", "Can publish and unpublish missions")]
        ordering = [dated_first("start_date"), "name"]
        indexes = [reading_order_index("mission_reading_order_idx")]
        constraints = [
            choices_constraint("mission_type", MissionType, name="mission_type_valid"),
            choices_constraint(
                "host_consent", HostConsent, name="mission_host_consent_valid"
            ),
            choices_constraint(
                "use_of_force", UseOfForce, name="mission_use_of_force_valid"
            ),
            choices_constraint(
                "impartiality", Impartiality, name="mission_impartiality_valid"
            ),
            choices_constraint(
                "legal_basis", LegalBasis, name="mission_legal_basis_valid"
            ),
        ]

    def __str__(self):
        if self.acronym and self.acronym != self.name:
            return f"{self.acronym}: {self.name}"
        return self.name

    @property
    def short_name(self):
        return self.acronym or self.name

    def clean(self):
        super().clean()
        if self.predecessor_id and self.predecessor_id == self.pk:
            raise ValidationError({"predecessor": "A mission cannot succeed itself."})


class Concept(KnowledgeRecord):
    """A glossary term a student needs, linked to the records that illustrate it."""

    term = models.CharField(max_length=200)
    parent = _optional_link(
        "self",
        "children",
        "A broader concept (a kind of security guarantee points to security guarantee).",
    )
    related_concepts = models.ManyToManyField("self", blank=True, symmetrical=True)
    norms = models.ManyToManyField(Norm, blank=True, related_name="concepts")
    missions = models.ManyToManyField(Mission, blank=True, related_name="concepts")
    cases = models.ManyToManyField(Case, blank=True, related_name="concepts")
    documents = models.ManyToManyField(Document, blank=True, related_name="concepts")

    class Meta:
        permissions = [("publish_concept", "Can publish and unpublish concepts")]
        ordering = ["term"]

    def __str__(self):
        return self.term

    @property
    def name(self):
        return self.term


class ComparisonRow(KnowledgeRecord):
    """One row of the comparison: how the two conceptions see one dimension."""

    name = models.CharField(max_length=200)
    section = models.CharField(max_length=16, choices=ComparisonSection.choices)
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Rows sort by this within a section."
    )
    westphalian = models.TextField(
        help_text="The Westphalian view (Markdown). In a row of the section "
        "'Where the texts disagree': the first view, naming who holds it."
    )
    post_westphalian = models.TextField(
        help_text="The post-Westphalian view (Markdown). In a row of the section "
        "'Where the texts disagree': the competing view, naming who holds it."
    )

    class Meta:
        permissions = [
            ("publish_comparisonrow", "Can publish and unpublish comparison rows")
        ]
        ordering = ["section", "order", "name"]
        verbose_name = "comparison row"
        constraints = [
            choices_constraint(
                "section",
                ComparisonSection,
                name="comparison_section_valid",
                allow_blank=False,
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("knowledge:compare") + f"#{self.slug}"
