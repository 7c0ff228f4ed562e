"""Any committed change to knowledge content invalidates the public page cache, and
every text saved to a knowledge table has LF line breaks, whichever door it came by."""

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from apps.core.pagecache import bump_generation


def _is_content(sender):
    meta = getattr(sender, "_meta", None)
    # History rows record changes; they are not content the public sees.
    return (
        meta is not None
        and meta.app_label == "knowledge"
        and not meta.model_name.startswith("historical")
    )


def content_changed(sender, **kwargs):
    if _is_content(sender):
        bump_generation()


def normalise_line_endings(sender, instance, **kwargs):
    """The one place line endings are normalised: the admin (browsers send CRLF), the
    API, CSV import, the loader and restore all save through here."""
    if not _is_content(sender):
        return
    from .dataset import normalise_text

    for field in sender._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname)
            if isinstance(value, str) and "\r" in value:
                setattr(instance, field.attname, normalise_text(value))


def relation_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        bump_generation()


def connect():
    pre_save.connect(normalise_line_endings, dispatch_uid="pkb-line-endings")
    post_save.connect(content_changed, dispatch_uid="pkb-content-saved")
    post_delete.connect(content_changed, dispatch_uid="pkb-content-deleted")
    m2m_changed.connect(relation_changed, dispatch_uid="pkb-relation-changed")
