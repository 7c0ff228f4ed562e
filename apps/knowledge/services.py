"""Multi-step writes: the rules live here, and admin, API and commands all call these."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.models import Status

from .models import Source


def record_publish_problems(record):
    """What stops `record` from being published, as sentences a curator can act on."""
    problems = []
    if isinstance(record, Source):
        if not record.title.strip():
            problems.append("It has no title.")
        if not record.kind:
            problems.append("It has no type (book, article...).")
        return problems
    if not (record.summary or "").strip():
        problems.append("It has no summary.")
    if not any((c.locator or "").strip() for c in record.citations.all()):
        problems.append("It has no citation with a page or section locator.")
    if record.requires_classification:
        classifications = list(record.classifications.all())
        if not classifications:
            problems.append("It has no Westphalian / post-Westphalian classification.")
        elif not any(c.preferred for c in classifications):
            problems.append("None of its classifications is marked preferred.")
        elif not any(c.citations.exists() for c in classifications if c.preferred):
            problems.append("Its preferred classification has no citation.")
    return problems


def _check_permission(user, record, codename):
    if user is None:
        return  # system actions: management commands and data loading
    perm = f"{record._meta.app_label}.{codename}_{record._meta.model_name}"
    if not user.has_perm(perm):
        raise PermissionDenied(f"You do not have permission to {codename} this record.")


@transaction.atomic
def record_publish(*, record, user=None):
    """Publish `record` if it meets the publishing rules; raise ValidationError saying why not.

    Needs the `publish_<model>` permission: curators edit, editors publish."""
    _check_permission(user, record, "publish")
    problems = record_publish_problems(record)
    if problems:
        raise ValidationError(f"{record} cannot be published: " + " ".join(problems))
    record.status = Status.PUBLISHED
    record.published_at = record.published_at or timezone.now()
    record.updated_by = user or record.updated_by
    record.save(update_fields=["status", "published_at", "updated_by", "updated_at"])
    return record


@transaction.atomic
def record_unpublish(*, record, user=None):
    """Take `record` back to draft: it disappears from every public path at once."""
    _check_permission(user, record, "publish")
    record.status = Status.DRAFT
    record.updated_by = user or record.updated_by
    record.save(update_fields=["status", "updated_by", "updated_at"])
    return record
