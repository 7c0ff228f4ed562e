"""A committed change to what the public sees invalidates the public page cache, and
every text saved to a knowledge table has LF line breaks, whichever door it came by.

The content generation moves on a publish, an edit of published content, an unpublish
or a delete of published content, and never for what the public cannot see: a draft
saved, a curator's proposal (its writes are rolled back and kept as a pending Revision),
Revision rows (the history), or a link changed on an unpublished record. Every public
page and cached API answer depends on the generation, so an extra bump costs a cold
cache and a missing one a stale page: when in doubt (vocabularies), bump.
"""

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from apps.core.models import Status
from apps.core.pagecache import bump_generation

from . import warmup

# Not content: the editorial queue and history (Revision), and the stored dataset
# versions.
NOT_CONTENT = {"revision", "datasetsnapshot"}


def _is_knowledge_table(sender):
    meta = getattr(sender, "_meta", None)
    return meta is not None and meta.app_label == "knowledge"


def _is_content(sender):
    meta = getattr(sender, "_meta", None)
    return _is_knowledge_table(sender) and meta.model_name not in NOT_CONTENT


def _public(instance, depth=3):
    """Whether `instance` is, or belongs to, a published record. A citation or
    classification belongs to its target, an author to the source; a vocabulary entry
    (country, mandate task) has no status and counts as public."""
    if hasattr(instance, "status"):
        return instance.status == Status.PUBLISHED
    for owner in ("target", "source"):
        if depth and hasattr(instance, owner):
            related = getattr(instance, owner, None)
            return related is not None and _public(related, depth - 1)
    return True


def public_content_changed(instance=None):
    """Invalidate cached pages and store the dataset version this change makes, both
    once the transaction commits; then warm the pages that show `instance`."""
    from .api.export import store_version_after_commit

    bump_generation()
    store_version_after_commit()
    record = _record_of(instance)
    if record is not None:
        warmup.remember_change(record)


def _record_of(instance, depth=3):
    """The record a citation, classification or author belongs to (or `instance`)."""
    if instance is None or hasattr(instance, "status"):
        return instance
    for owner in ("target", "source"):
        if depth and hasattr(instance, owner):
            return _record_of(getattr(instance, owner, None), depth - 1)
    return None


def remember_public(sender, instance, raw=False, **kwargs):
    """Before a record is saved: whether it was published (an unpublish is a change)."""
    if _is_content(sender) and hasattr(instance, "status") and instance.pk:
        stored = sender._base_manager.filter(pk=instance.pk).values_list(
            "status", flat=True
        )
        instance._was_public = stored.first() == Status.PUBLISHED


def content_saved(sender, instance, **kwargs):
    if _is_content(sender) and (
        _public(instance) or getattr(instance, "_was_public", False)
    ):
        public_content_changed(instance)


def content_deleted(sender, instance, **kwargs):
    if _is_content(sender) and _public(instance):
        public_content_changed(instance)


def normalise_line_endings(sender, instance, **kwargs):
    """The one place line endings are normalised: the admin (browsers send CRLF), the
    API, CSV import, the loader and restore all save through here."""
    if not _is_knowledge_table(sender):
        return
    from .canonical import normalise_text

    for field in sender._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname)
            if isinstance(value, str) and "\r" in value:
                setattr(instance, field.attname, normalise_text(value))


def relation_changed(sender, instance, action, **kwargs):
    # `sender` is the through model; a link on a published record (either side shows it).
    if action.startswith("post_") and _is_content(sender) and _public(instance):
        public_content_changed(instance)


def connect():
    pre_save.connect(normalise_line_endings, dispatch_uid="pkb-line-endings")
    pre_save.connect(remember_public, dispatch_uid="pkb-content-before-save")
    post_save.connect(content_saved, dispatch_uid="pkb-content-saved")
    post_delete.connect(content_deleted, dispatch_uid="pkb-content-deleted")
    m2m_changed.connect(relation_changed, dispatch_uid="pkb-relation-changed")
