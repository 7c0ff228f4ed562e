"""One history (issue 13): django-simple-history's Historical* tables go; the Revision
model is the history. Reversing recreates the tables empty, so `migrate knowledge zero`
still works with data loaded. Approved revisions were the versions the public saw."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def approved_were_published(apps, schema_editor):
    Revision = apps.get_model("knowledge", "Revision")
    Revision.objects.filter(state="approved").update(published_at=F("reviewed_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("knowledge", "0014_external_dataset_ids"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveField(
            model_name="historicalcase",
            name="created_by",
        ),
        migrations.RemoveField(
            model_name="historicalcase",
            name="history_user",
        ),
        migrations.RemoveField(
            model_name="historicalcase",
            name="updated_by",
        ),
        migrations.RemoveField(
            model_name="historicalcitation",
            name="content_type",
        ),
        migrations.RemoveField(
            model_name="historicalcitation",
            name="history_user",
        ),
        migrations.RemoveField(
            model_name="historicalcitation",
            name="source",
        ),
        migrations.RemoveField(
            model_name="historicalclassification",
            name="content_type",
        ),
        migrations.RemoveField(
            model_name="historicalclassification",
            name="history_user",
        ),
        migrations.RemoveField(
            model_name="historicalcomparisonrow",
            name="created_by",
        ),
        migrations.RemoveField(
            model_name="historicalcomparisonrow",
            name="history_user",
        ),
        migrations.RemoveField(
            model_name="historicalcomparisonrow",
            name="updated_by",
        ),
        migrations.RemoveField(
            model_name="historicalconcept",
            name="created_by",
        ),
        migrations.RemoveField(
            model_name="historicalconcept",
            name="history_user",
        ),
        migrations.RemoveField(
            model_name="historicalconcept",
            name="parent",
        ),
        migrations.RemoveField(
            model_name="historicalconcept",
            name="updated_by",
        ),
        migrations.RemoveField(
            model_name="historicaldocument",
            name="created_by",
        ),
        migrations.RemoveField(
            model_name="historicaldocument",
            name="history_user",
        ),
        migrations.RemoveField(
            model_name="historicaldocument",
            name="issuer",
        ),
        migrations.RemoveField(
            model_name="historicaldocument",
            name="updated_by",
        ),
        migrations.RemoveField(
            model_name="historicalmission",
            name="authorising_body",
        ),
        migrations.RemoveField(
            model_name="historicalmission",
            name="created_by",
        ),
        migrations.RemoveField(
            model_name="historicalmission",
            name="history_user",
        ),
        migrations.RemoveField(
            model_name="historicalmission",
            name="lead_state",
        ),
        migrations.RemoveField(
            model_name="historicalmission",
            name="predecessor",
        ),
        migrations.RemoveField(
            model_name="historicalmission",
            name="updated_by",
        ),
        migrations.RemoveField(
            model_name="historicalnorm",
            name="created_by",
        ),
        migrations.RemoveField(
            model_name="historicalnorm",
            name="history_user",
        ),
        migrations.RemoveField(
            model_name="historicalnorm",
            name="updated_by",
        ),
        migrations.RemoveField(
            model_name="historicalorganisation",
            name="created_by",
        ),
        migrations.RemoveField(
            model_name="historicalorganisation",
            name="history_user",
        ),
        migrations.RemoveField(
            model_name="historicalorganisation",
            name="parent",
        ),
        migrations.RemoveField(
            model_name="historicalorganisation",
            name="updated_by",
        ),
        migrations.RemoveField(
            model_name="historicalsource",
            name="created_by",
        ),
        migrations.RemoveField(
            model_name="historicalsource",
            name="history_user",
        ),
        migrations.RemoveField(
            model_name="historicalsource",
            name="updated_by",
        ),
        migrations.RemoveField(
            model_name="historicalsourcecreator",
            name="history_user",
        ),
        migrations.RemoveField(
            model_name="historicalsourcecreator",
            name="source",
        ),
        migrations.RemoveConstraint(
            model_name="revision",
            name="revision_action_valid",
        ),
        migrations.AddField(
            model_name="revision",
            name="published_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the public began to see this version; empty for a version it never saw (a draft, a proposal, a deletion).",
                null=True,
            ),
        ),
        migrations.RunPython(approved_were_published, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="revision",
            name="action",
            field=models.CharField(
                choices=[
                    ("create", "Created"),
                    ("edit", "Edited"),
                    ("submit", "Submitted for review"),
                    ("publish", "Published"),
                    ("restore", "Restored an earlier version"),
                    ("delete", "Deleted"),
                    ("undelete", "Undeleted"),
                ],
                max_length=16,
            ),
        ),
        migrations.AddConstraint(
            model_name="revision",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "action__in",
                        [
                            "create",
                            "edit",
                            "submit",
                            "publish",
                            "restore",
                            "delete",
                            "undelete",
                        ],
                    )
                ),
                name="revision_action_valid",
            ),
        ),
        migrations.DeleteModel(
            name="HistoricalCase",
        ),
        migrations.DeleteModel(
            name="HistoricalCitation",
        ),
        migrations.DeleteModel(
            name="HistoricalClassification",
        ),
        migrations.DeleteModel(
            name="HistoricalComparisonRow",
        ),
        migrations.DeleteModel(
            name="HistoricalConcept",
        ),
        migrations.DeleteModel(
            name="HistoricalDocument",
        ),
        migrations.DeleteModel(
            name="HistoricalMission",
        ),
        migrations.DeleteModel(
            name="HistoricalNorm",
        ),
        migrations.DeleteModel(
            name="HistoricalOrganisation",
        ),
        migrations.DeleteModel(
            name="HistoricalSource",
        ),
        migrations.DeleteModel(
            name="HistoricalSourceCreator",
        ),
    ]
