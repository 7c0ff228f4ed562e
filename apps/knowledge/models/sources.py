from django.core.exceptions import ValidationError
from django.db import models

from apps.core.constraints import choices_constraint
from apps.core.constraints import ordered_constraint

from .base import KnowledgeRecord
from .choices import CreatorRole
from .choices import SourceKind


class Source(KnowledgeRecord):
    """A bibliographic record: enough to export correct BibTeX, RIS and CSL-JSON."""

    # Both may be blank while a curator completes a reference known only as "Author year";
    # such a source cannot be published (services.record_publish_problems).
    kind = models.CharField(max_length=16, choices=SourceKind.choices, blank=True)
    title = models.CharField(max_length=500, blank=True, help_text="The main title.")
    subtitle = models.CharField(
        max_length=500, blank=True, help_text="The part after the colon, if any."
    )
    short_title = models.CharField(max_length=200, blank=True)
    container_title = models.CharField(
        max_length=500,
        blank=True,
        help_text="The journal, book or website it appears in.",
    )
    collection_title = models.CharField(max_length=300, blank=True, help_text="Series.")
    volume = models.CharField(max_length=20, blank=True)
    issue = models.CharField(max_length=20, blank=True)
    edition = models.CharField(max_length=40, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    place = models.CharField("place of publication", max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    month = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(m, str(m)) for m in range(1, 13)]
    )
    page_first = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="First page of the work (for page-range checks).",
    )
    page_last = models.PositiveIntegerField(null=True, blank=True)
    url = models.URLField("URL", max_length=500, blank=True)
    accessed = models.DateField(null=True, blank=True)
    doi = models.CharField("DOI", max_length=200, blank=True)
    isbn = models.CharField("ISBN", max_length=20, blank=True)
    attribution_note = models.TextField(
        blank=True,
        help_text="Say so here when curators added authorship or details the source itself "
        "does not print.",
    )

    class Meta:
        permissions = [("publish_source", "Can publish and unpublish sources")]
        ordering = ["title"]
        indexes = [models.Index(fields=["year"], name="source_year_idx")]
        constraints = [
            choices_constraint("kind", SourceKind, name="source_kind_valid"),
            ordered_constraint(
                "page_first",
                "page_last",
                name="source_pages_ordered",
                message="The last page comes before the first.",
            ),
        ]

    def __str__(self):
        authors = [
            c.family for c in self.creators.all() if c.role == CreatorRole.AUTHOR
        ]
        return self.label_for(authors, self.year, self.full_title, self.slug)

    @staticmethod
    def label_for(authors, year, full_title, slug):
        """The label a source is cited by: "Bellamy & Williams 2010: Title" from its
        authors' family names (in order), year, full title and slug. Up to three
        authors are all named ("Bellamy, Williams & Griffin"), as the prose names
        them; four or more read "Bellamy et al.". A title that already ends with its
        year ("Security Council resolution 814 (1993)") does not repeat it."""
        if len(authors) > 3:
            who = f"{authors[0]} et al."
        elif len(authors) > 1:
            who = f"{', '.join(authors[:-1])} & {authors[-1]}"
        else:
            who = "".join(authors)  # the one author, or none
        year = year or "n.d."
        title = full_title or f"(untitled: {slug or 'new source'})"
        if who:
            return f"{who} {year}: {title}"
        return title if title.endswith(f"({year})") else f"{title} ({year})"

    @property
    def name(self):
        return self.full_title

    @property
    def full_title(self):
        """Title and subtitle as printed: 'Main Title: Subtitle'."""
        return self.title_for(self.title, self.subtitle)

    @staticmethod
    def title_for(title, subtitle):
        return f"{title}: {subtitle}" if subtitle else title

    @property
    def pages(self):
        if self.page_first and self.page_last:
            return f"{self.page_first}-{self.page_last}"
        return str(self.page_first or "")

    def authors(self):
        return [c for c in self.creators.all() if c.role == CreatorRole.AUTHOR]

    def editors(self):
        return [c for c in self.creators.all() if c.role == CreatorRole.EDITOR]

    def clean(self):
        super().clean()
        if self.page_first and self.page_last and self.page_last < self.page_first:
            raise ValidationError(
                {
                    "page_last": f"The last page ({self.page_last}) comes before the first "
                    f"({self.page_first})."
                }
            )


class SourceCreator(models.Model):
    """One author or editor of a source, in order."""

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="creators"
    )
    role = models.CharField(
        max_length=8, choices=CreatorRole.choices, default=CreatorRole.AUTHOR
    )
    family = models.CharField("family name", max_length=120)
    given = models.CharField("given names", max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["source", "role", "position", "id"]
        constraints = [
            choices_constraint(
                "role", CreatorRole, name="creator_role_valid", allow_blank=False
            )
        ]

    def __str__(self):
        return f"{self.family}, {self.given}" if self.given else self.family
