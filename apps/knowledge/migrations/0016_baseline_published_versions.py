"""A baseline published version for records published before the one history (issue 13).

Records loaded or published before 0015_one_history have no published Revision, so the
API's /history/ of such a record was empty. Each published record without one gets a
single published Revision of its current content, the shape
services.revision_record_saved keeps (the canonical dict, action "publish", published
when the record was). Reversing deletes exactly these baselines.

The content is read by the application's own canonical reader (canonical.py), which needs
the current models; it runs only when there are such records, which on a fresh database
(migrated before anything is loaded) there are not.
"""

from django.db import migrations
from django.utils import timezone

BASELINE = "Baseline: the version the public saw before versions were kept."


def _published_without_version(apps):
    """[(model name, [pk, ...])] of published records with no published Revision."""
    from apps.knowledge.registry import RECORD_TYPES

    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("knowledge", "Revision")
    found = []
    for record_type in RECORD_TYPES:
        name = record_type.model._meta.model_name
        content_type = ContentType.objects.filter(
            app_label="knowledge", model=name
        ).first()
        if content_type is None:
            continue  # nothing of this type was ever stored
        model = apps.get_model("knowledge", record_type.model.__name__)
        versioned = Revision.objects.filter(
            content_type=content_type, published_at__isnull=False
        ).values("object_id")
        pks = list(
            model.objects.filter(status="published")
            .exclude(pk__in=versioned)
            .values_list("pk", flat=True)
        )
        if pks:
            found.append((record_type.model, content_type, pks))
    return found


def add_baselines(apps, schema_editor):
    Revision = apps.get_model("knowledge", "Revision")
    found = _published_without_version(apps)
    if not found:
        return
    from apps.knowledge.services import record_content

    for model, content_type, pks in found:
        for record in model.objects.filter(pk__in=pks).order_by("pk"):
            Revision.objects.create(
                content_type=content_type,
                object_id=record.pk,
                record_label=str(record)[:300],
                action="publish",
                state="applied",
                data=record_content(record),
                base_data={},
                base_token="",
                author=None,
                comment=BASELINE,
                published_at=record.published_at or timezone.now(),
            )


def remove_baselines(apps, schema_editor):
    Revision = apps.get_model("knowledge", "Revision")
    Revision.objects.filter(
        action="publish", author__isnull=True, comment=BASELINE
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("knowledge", "0015_one_history"),
    ]

    operations = [migrations.RunPython(add_baselines, remove_baselines)]
