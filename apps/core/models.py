"""Abstract bases shared by every knowledge record: timestamps, authorship, publication."""

from django.conf import settings
from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


def published_q(prefix: str = "") -> models.Q:
    """The condition "is published", for this model or one reached through `prefix`
    ("cases__", "source__"): the one place that says what published means."""
    return models.Q(**{f"{prefix}status": Status.PUBLISHED})


class PublishableQuerySet(models.QuerySet):
    """The one door for public visibility: every public path starts from published()."""

    def published(self):
        return self.filter(published_q())


def user_field(related_name: str, **options):
    """Who did something: a user, or empty for the system; deleting the user keeps
    what they did."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
        **options,
    )


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    # Indexed: every API list reads the type's latest change (Last-Modified).
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    created_by = user_field("+", editable=False)
    updated_by = user_field("+", editable=False)

    class Meta:
        abstract = True


class PublishableModel(TimeStampedModel):
    status = models.CharField(
        max_length=16,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        help_text="Only published records are visible to the public, in pages, API, "
        "search, sitemap and exports.",
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_reviewed = models.DateField(
        null=True,
        blank=True,
        help_text="When an editor last checked this record against its sources.",
    )

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED
