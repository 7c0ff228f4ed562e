"""The one history of every knowledge record: each version proposed, submitted, saved,
published, restored or deleted, as the record's canonical dict (canonical.record_to_dict).

A Revision keeps the whole record (fields, links, citations, classifications) in one
piece, which is what a reviewer reads, a diff compares, a restore writes back and the
API's history lists: a version the public saw has `published_at` set.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from apps.core.constraints import choices_constraint
from apps.core.models import user_field

from .base import record_index


class RevisionAction(models.TextChoices):
    CREATE = "create", "Created"
    EDIT = "edit", "Edited"
    SUBMIT = "submit", "Submitted for review"
    PUBLISH = "publish", "Published"
    RESTORE = "restore", "Restored an earlier version"
    DELETE = "delete", "Deleted"
    UNDELETE = "undelete", "Undeleted"


class RevisionState(models.TextChoices):
    PENDING = "pending", "Awaiting review"
    APPROVED = "approved", "Approved"
    SENT_BACK = "sent_back", "Sent back"
    WITHDRAWN = "withdrawn", "Withdrawn"
    APPLIED = "applied", "Saved"


class RevisionQuerySet(models.QuerySet):
    def for_record(self, record):
        return self.filter(
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
        )

    def pending(self):
        return self.filter(state=RevisionState.PENDING)

    def published(self):
        """The versions the public saw, newest first."""
        return self.filter(published_at__isnull=False).order_by("-published_at", "-id")


class Revision(models.Model):
    """One version of a knowledge record, proposed or saved, with who and why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    record_label = models.CharField(
        max_length=300, help_text="The record's name when this version was made."
    )
    action = models.CharField(max_length=16, choices=RevisionAction.choices)
    state = models.CharField(
        max_length=16, choices=RevisionState.choices, db_index=True
    )
    data = models.JSONField(
        default=dict, help_text="The record after this change (canonical form)."
    )
    base_data = models.JSONField(
        default=dict, help_text="The record before this change (canonical form)."
    )
    base_token = models.CharField(
        max_length=64,
        blank=True,
        help_text="Version token of the live record this change started from.",
    )
    comment = models.TextField(blank=True, help_text="The author's note to editors.")
    review_comment = models.TextField(
        blank=True, help_text="The editor's answer, shown to the author."
    )
    author = user_field("revisions")
    reviewer = user_field("reviewed_revisions")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the public began to see this version; empty for a version "
        "it never saw (a draft, a proposal, a deletion).",
    )

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            record_index("revision_record_idx"),
        ]
        constraints = [
            choices_constraint(
                "action",
                RevisionAction,
                name="revision_action_valid",
                allow_blank=False,
            ),
            choices_constraint(
                "state", RevisionState, name="revision_state_valid", allow_blank=False
            ),
        ]

    def __str__(self):
        return f"{self.record_label}: {self.get_action_display()} ({self.get_state_display()})"

    @property
    def is_pending(self):
        return self.state == RevisionState.PENDING

    @property
    def model(self):
        return self.content_type.model_class()

    @property
    def restorable(self):
        """Whether `data` is a version of the record that can be written back."""
        return bool(self.data) and self.state in (
            RevisionState.APPLIED,
            RevisionState.APPROVED,
        )
