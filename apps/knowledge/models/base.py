"""What every knowledge record shares, and the two claims that hang off any record:
page-located citations and Westphalian / post-Westphalian classifications."""

import re
from typing import NamedTuple

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from apps.core.constraints import choices_constraint
from apps.core.constraints import ordered_constraint
from apps.core.models import PublishableModel
from apps.core.models import published_q

from .. import codebook
from ..addresses import slug_url
from .choices import Claim
from .choices import Conception
from .choices import LocatorType

PAGE_LOCATOR = re.compile(r"^(\d{1,5})(?:\s*[-\u2013]\s*(\d{1,5}))?$")

wikidata_validator = RegexValidator(
    r"^Q[1-9]\d*$", "A Wikidata identifier looks like Q1065 (Q then digits)."
)
# UCDP and PA-X number their records; the number is the last part of the record's
# address on their sites. Digits only: UCDP's older "1-178" form is not accepted.
ucdp_conflict_validator = RegexValidator(
    r"^[1-9]\d{0,5}$",
    "A UCDP conflict id is the number at the end of its address on ucdp.uu.se "
    "(ucdp.uu.se/conflict/NUMBER): digits only, not the older form like 1-178.",
)
pax_agreement_validator = RegexValidator(
    r"^[1-9]\d{0,5}$",
    "A PA-X agreement id is the number in its address on peaceagreements.org "
    "(peaceagreements.org/wview/NUMBER): digits only.",
)


# Identifiers in other datasets, in the order a record page lists them:
# field -> (the dataset's name, the address of its record page for an id).
# Only where certain: a field is left blank rather than guessed (data/README.md).
def record_index(name):
    """An index on the generic link to a record: a record's rows (citations,
    classifications, versions) are read by it."""
    return models.Index(fields=["content_type", "object_id"], name=name)


def dataset_number_field(label, validator, help_text):
    """A record's number in an external dataset that numbers its records (UCDP, PA-X)."""
    return models.CharField(
        label, max_length=6, blank=True, validators=[validator], help_text=help_text
    )


EXTERNAL_IDS = {
    "wikidata_qid": ("Wikidata", "https://www.wikidata.org/wiki/{}"),
    "ucdp_conflict_id": ("UCDP conflict", "https://ucdp.uu.se/conflict/{}"),
    "pax_agreement_id": ("PA-X agreement", "https://www.peaceagreements.org/wview/{}"),
}


class CitationQuerySet(models.QuerySet):
    def published(self):
        """A citation is public when its source is published (whoever reaches it
        through a record has already kept to published records)."""
        return self.filter(published_q("source__"))


_LOCATOR_LABELS = dict(LocatorType.choices)


def locator_text(locator_type, locator, *, page_start, page_end, reconstructed):
    """Where in the source: "p. 27", "pp. 27-29 [reconstructed]", "n. 4",
    'Section \u201c2.3\u201d' (Citation.locator_display, and list rows read as values)."""
    if locator_type == LocatorType.PAGES:
        prefix = "pp." if page_end and page_end != page_start else "p."
        mark = " [reconstructed]" if reconstructed else ""
        return f"{prefix} {locator}{mark}"
    if locator_type == LocatorType.NOTE:
        return f"n. {locator}"
    label = _LOCATOR_LABELS.get(locator_type, locator_type)
    return f"{label} \u201c{locator}\u201d"


# Where in its source a citation points, and for which claim: what a footnote prints
# besides the source.
LOCATOR_FIELDS = (
    "claim",
    "locator_type",
    "locator",
    "page_start",
    "page_end",
    "reconstructed",
)


class Citation(models.Model):
    """A page-located reference from a record (or a classification) to a Source."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    source = models.ForeignKey(
        "knowledge.Source", on_delete=models.PROTECT, related_name="cited_by"
    )
    claim = models.CharField(
        max_length=32,
        choices=Claim.choices,
        default=Claim.SUMMARY,
        help_text="Which part of the record this citation supports.",
    )
    locator_type = models.CharField(
        max_length=16, choices=LocatorType.choices, default=LocatorType.PAGES
    )
    locator = models.CharField(
        max_length=255,
        help_text='Pages as printed ("512" or "512-514"), or a section heading, paragraph '
        "or note number for sources without pages.",
    )
    page_start = models.PositiveIntegerField(null=True, blank=True, editable=False)
    page_end = models.PositiveIntegerField(null=True, blank=True, editable=False)
    reconstructed = models.BooleanField(
        default=False,
        help_text="The page is inferred from page breaks in the file, not printed in it.",
    )
    note = models.TextField(blank=True, help_text="Optional, in our own words.")
    position = models.PositiveSmallIntegerField(default=0)

    objects = CitationQuerySet.as_manager()

    class Meta:
        ordering = ["content_type", "object_id", "position", "id"]
        indexes = [
            record_index("citation_target_idx"),
            # A source's page groups its citations by the record citing it.
            models.Index(
                fields=["source", "content_type", "object_id"],
                name="citation_source_target_idx",
            ),
        ]
        constraints = [
            choices_constraint(
                "claim", Claim, name="citation_claim_valid", allow_blank=False
            ),
            choices_constraint(
                "locator_type",
                LocatorType,
                name="citation_locator_type_valid",
                allow_blank=False,
            ),
        ]

    def __str__(self):
        return f"{self.source} {self.locator_display}"

    def save(self, *args, **kwargs):
        # Derive the numeric page range so sorting and range checks need no parsing.
        if self.locator_type == LocatorType.PAGES:
            match = PAGE_LOCATOR.match((self.locator or "").strip())
            if match:
                self.page_start = int(match.group(1))
                self.page_end = int(match.group(2) or match.group(1))
        else:
            self.page_start = self.page_end = None
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.locator = (self.locator or "").strip()
        if not self.locator:
            raise ValidationError(
                {"locator": "Give a page, section, paragraph or note."}
            )
        if self.locator_type != LocatorType.PAGES:
            self.page_start = self.page_end = None
            return
        match = PAGE_LOCATOR.match(self.locator)
        if not match:
            raise ValidationError(
                {
                    "locator": f'"{self.locator}" is not a page or page range such as 512 or 512-514.'
                }
            )
        start = int(match.group(1))
        end = int(match.group(2) or start)
        if end < start:
            raise ValidationError(
                {"locator": f"The range {self.locator} ends before it starts."}
            )
        source = self.source if self.source_id else None
        outside = (
            source
            and source.page_first
            and source.page_last
            and (start < source.page_first or end > source.page_last)
        )
        if outside:
            raise ValidationError(
                {
                    "locator": f"Page {self.locator} is outside the source's page range "
                    f"{source.page_first}-{source.page_last}."
                }
            )
        self.page_start, self.page_end = start, end

    @property
    def locator_display(self):
        return locator_text(
            self.locator_type,
            self.locator,
            page_start=self.page_start,
            page_end=self.page_end,
            reconstructed=self.reconstructed,
        )


class CitedBasis(NamedTuple):
    """What a classification's basis names of its first classification citation."""

    authors: list[str]  # the source's authors' family names, in order
    title: str  # the source's short title, else its title
    locator: str  # Citation.locator_display


def basis_phrase(basis: str, rule: str, cited: CitedBasis | None) -> str:
    """Whose judgement, in a phrase: "Bellamy, Williams and Griffin's
    classification, p. 27" or "Curators' application of the rule “Westphalian tasks
    only”" (Classification.basis_text, and list rows read as values)."""
    if basis == codebook.Basis.AUTHOR:
        if cited is None:
            return "The cited author's classification"
        names = cited.authors
        if not names:
            who = f"{cited.title}:"
        elif len(names) == 1:
            who = f"{names[0]}'s"
        elif len(names) <= 3:
            who = f"{', '.join(names[:-1])} and {names[-1]}'s"
        else:
            who = f"{names[0]} et al.'s"
        return f"{who} classification, {cited.locator}"
    if basis == codebook.Basis.CURATORS:
        # The rule's title, which readers know from the codebook page; its slug
        # stays in the link's anchor and the API's `rule`.
        info = codebook.RULES_BY_SLUG.get(rule)
        if info is None:
            return "Curators' classification (rule not yet stated)"
        return f"Curators' application of the rule “{info.label}”"
    return "Basis not stated"


class Classification(models.Model):
    """A sourced, contestable judgement that a mission or case is Westphalian,
    post-Westphalian or mixed, for a period."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    value = models.CharField(
        max_length=20,
        choices=Conception.choices,
        help_text="Westphalian: order between states, by consent. Post-Westphalian: "
        "reshaping governance inside the state. Mixed: both, or drifting.",
    )
    basis = models.CharField(
        max_length=10,
        choices=codebook.Basis.choices,
        blank=True,
        help_text=codebook.BASIS_HELP,
    )
    rule = models.CharField(
        "decision rule",
        max_length=32,
        choices=codebook.RULE_CHOICES,
        blank=True,
        help_text=codebook.RULE_HELP,
    )
    departure = models.TextField(blank=True, help_text=codebook.DEPARTURE_HELP)
    preferred = models.BooleanField(
        default=True, help_text="The judgement shown first; one per record."
    )
    period_start = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="First year this judgement covers (blank: from the start).",
    )
    period_end = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Last year it covers (blank: to the end)."
    )
    rationale = models.TextField(help_text="Why, in our own words (Markdown).")
    position = models.PositiveSmallIntegerField(default=0)
    citations = GenericRelation(Citation, related_query_name="classification")

    class Meta:
        ordering = ["content_type", "object_id", "-preferred", "position", "id"]
        indexes = [
            record_index("classification_target_idx"),
            models.Index(
                fields=["value", "preferred"], name="classification_value_idx"
            ),
        ]
        constraints = [
            choices_constraint(
                "value",
                Conception,
                name="classification_value_valid",
                allow_blank=False,
            ),
            choices_constraint(
                "basis", codebook.Basis, name="classification_basis_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(rule__in=[*codebook.RULES_BY_SLUG, ""]),
                name="classification_rule_valid",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(preferred=True),
                name="classification_one_preferred",
                violation_error_message="Only one classification of a record can be preferred.",
            ),
            ordered_constraint(
                "period_start",
                "period_end",
                name="classification_period_ordered",
                message="The period ends before it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.get_value_display()} ({self.period_display or 'whole period'})"

    @property
    def period_display(self):
        if self.period_start and self.period_end:
            if self.period_start == self.period_end:
                return str(self.period_start)
            return f"{self.period_start}\u2013{self.period_end}"
        if self.period_start:
            return f"from {self.period_start}"
        if self.period_end:
            return f"until {self.period_end}"
        return ""

    @property
    def rule_info(self):
        return codebook.RULES_BY_SLUG.get(self.rule)

    @property
    def basis_display(self):
        return self.basis_text(self.citations.all())

    def basis_text(self, citations):
        """Whose judgement, in a phrase: "Bellamy, Williams and Griffin's
        classification, p. 27" or "Curators' application of the rule “Westphalian
        tasks only”"."""
        cited = None
        if self.basis == codebook.Basis.AUTHOR:
            citation = next(
                (c for c in citations if c.claim == Claim.CLASSIFICATION), None
            )
            if citation is not None:
                source = citation.source
                cited = CitedBasis(
                    authors=[c.family for c in source.authors()],
                    title=source.short_title or source.title,
                    locator=citation.locator_display,
                )
        return basis_phrase(self.basis, self.rule, cited)

    def clean(self):
        super().clean()
        if self.basis != codebook.Basis.CURATORS:
            for name in ("rule", "departure"):
                if getattr(self, name):
                    raise ValidationError(
                        {
                            name: f"Only a classification with basis curators has a "
                            f"{name}; this one's basis is {self.basis or 'not set'}."
                        }
                    )
        if (
            self.period_start
            and self.period_end
            and self.period_end < self.period_start
        ):
            raise ValidationError(
                {
                    "period_end": f"The period ends ({self.period_end}) before it starts "
                    f"({self.period_start})."
                }
            )


class KnowledgeRecord(PublishableModel):
    """Abstract base of every public record: slug, Markdown summary, citations, history."""

    slug = models.SlugField(
        max_length=120,
        unique=True,
        help_text="The record's address: lowercase-words-with-hyphens.",
    )
    summary = models.TextField(
        blank=True, help_text="Two or more sentences in our own words (Markdown)."
    )
    caveat = models.TextField(
        blank=True,
        help_text="Public: what a reader needs to know (an uncertainty, reconstructed page "
        "numbers, a disputed fact), in our own words (Markdown).",
    )
    curator_note = models.TextField(
        blank=True,
        help_text="Internal: uncertainties, reconstructed facts. Not shown publicly.",
    )
    wikidata_qid = models.CharField(
        "Wikidata ID", max_length=20, blank=True, validators=[wikidata_validator]
    )
    citations = GenericRelation(Citation, related_query_name="%(class)s_record")

    class Meta:
        abstract = True

    # Publishing rules (see services.record_publish_problems) read this.
    requires_classification = False

    @property
    def type_name(self):
        return self._meta.verbose_name

    @property
    def external_links(self):
        """[(dataset, id, address)] for the identifiers this record carries."""
        links = []
        for name, (dataset, address) in EXTERNAL_IDS.items():
            value = getattr(self, name, "")
            if value:
                links.append((dataset, value, address.format(value)))
        return links

    @classmethod
    def model_key(cls):
        return cls._meta.model_name

    def get_absolute_url(self):
        """The record's own page (registry.RecordType.detail_url_name)."""
        return slug_url(f"knowledge:{self._meta.model_name}-detail", self.slug)
