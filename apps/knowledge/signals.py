"""A committed change to what the public sees moves the content versions of what it
changed, and every text saved to a knowledge table has LF line breaks, whichever door it
came by.

Versions move on a publish, an edit of published content, an unpublish or a delete of
published content, and never for what the public cannot see: a draft saved, a curator's
proposal (its writes are rolled back and kept as a pending Revision), Revision rows (the
history), or a link changed on an unpublished record. Which versions move is the rule in
invalidation.py: an extra one costs a cold entry, a missing one a stale page.
"""

from django.db import models
from django.db.models.signals import m2m_changed
from django.db.models.signals import post_save
from django.db.models.signals import pre_delete
from django.db.models.signals import pre_save

from apps.core import versions
from apps.core.models import Status

from . import autolink
from . import invalidation
from . import warmup

# Not content: the editorial queue and history (Revision), and the stored dataset
# versions.
NOT_CONTENT = {"revision", "datasetsnapshot", "datasettable"}


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


def public_content_changed(instance, *, menus=False, acronyms=False, fields=None):
    """Move the versions of what `instance` changed (with `menus`, its type's "compare
    with" menus too; with `acronyms`, the autolink table; `fields`, the fields an edit
    changed) and store the dataset version this change makes, both once the transaction
    commits; then warm the pages that show `instance`."""
    from .api.export import store_version_after_commit

    former = getattr(instance, "_former", None)
    former_slug = former[1] if former else None
    versions.bump_after_commit(
        invalidation.changed(
            instance, former_slug, menus=menus, acronyms=acronyms, fields=fields
        )
    )
    if _from_migration(instance):
        return
    store_version_after_commit()
    record = _record_of(instance)
    if record is not None:
        warmup.remember_change(record)


def _from_migration(instance):
    """Saved by a data migration, through a historical model (Django builds those in the
    module "__fake__"). The schema may be between versions (migrating to zero, the dataset
    snapshot table is gone before 0002 re-saves sources), so nothing after the commit
    reads the current models: the next request stores the version and renders the pages."""
    return type(instance).__module__ == "__fake__"


def _record_of(instance, depth=3):
    """The record a citation, classification or author belongs to (or `instance`)."""
    if instance is None or hasattr(instance, "status"):
        return instance
    for owner in ("target", "source"):
        if depth and hasattr(instance, owner):
            return _record_of(getattr(instance, owner, None), depth - 1)
    return None


def remember_public(sender, instance, raw=False, **kwargs):
    """Before a record is saved: whether it was published (an unpublish is a change),
    what a menu showed of it (status, slug, label, place), its autolink entry and its
    values (which fields an edit changes)."""
    if _is_content(sender) and hasattr(instance, "status") and instance.pk:
        stored = sender._base_manager.filter(pk=instance.pk).first()
        instance._former = _menu_entry(stored) if stored else None
        instance._former_acronym = autolink.table_entry(stored) if stored else None
        instance._former_values = _values(stored) if stored else None
        instance._was_public = bool(stored) and stored.status == Status.PUBLISHED


def _values(record):
    return {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields}


def _edited_fields(instance):
    """The fields an edit of a published record changed; None for anything else (a
    publish, a new record), which may change every one."""
    former = getattr(instance, "_former_values", None)
    if former is None or not getattr(instance, "_was_public", False):
        return None
    return {name for name, value in _values(instance).items() if former[name] != value}


def _menu_entry(record):
    """What a "compare with" menu shows of `record`, and what orders it there (the first
    ones of the type are listed)."""
    ordering = [
        n.lstrip("-") if isinstance(n, str) else n.expression.name
        for n in record._meta.ordering or ()
    ]
    place = tuple(getattr(record, name, None) for name in ordering)
    return (record.status, record.slug, str(record), place)


def content_saved(sender, instance, **kwargs):
    if _is_content(sender) and (
        _public(instance) or getattr(instance, "_was_public", False)
    ):
        former = getattr(instance, "_former", None)
        menus = hasattr(instance, "status") and former != _menu_entry(instance)
        acronyms = getattr(instance, "_former_acronym", None) != autolink.table_entry(
            instance
        )
        public_content_changed(
            instance, menus=menus, acronyms=acronyms, fields=_edited_fields(instance)
        )


def content_deleting(sender, instance, **kwargs):
    """Before a delete, while its links still exist: the pages that show it."""
    if _is_content(sender) and _public(instance):
        acronyms = autolink.table_entry(instance) is not None
        public_content_changed(instance, menus=True, acronyms=acronyms)


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
    # `sender` is the through model; a link on a published record (either side shows
    # it). Before a remove or clear the records about to be unlinked are still linked,
    # after an add the new ones are.
    if action in ("pre_remove", "pre_clear", "post_add") and (
        _is_content(sender) and _public(instance)
    ):
        public_content_changed(instance)


def connect():
    pre_save.connect(normalise_line_endings, dispatch_uid="pkb-line-endings")
    pre_save.connect(remember_public, dispatch_uid="pkb-content-before-save")
    post_save.connect(content_saved, dispatch_uid="pkb-content-saved")
    pre_delete.connect(content_deleting, dispatch_uid="pkb-content-deleted")
    m2m_changed.connect(relation_changed, dispatch_uid="pkb-relation-changed")
