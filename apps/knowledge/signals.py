"""Any committed change to knowledge content invalidates the public page cache."""

from django.db.models.signals import m2m_changed, post_delete, post_save

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


def relation_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        bump_generation()


def connect():
    post_save.connect(content_changed, dispatch_uid="pkb-content-saved")
    post_delete.connect(content_changed, dispatch_uid="pkb-content-deleted")
    m2m_changed.connect(relation_changed, dispatch_uid="pkb-relation-changed")
