"""The editorial roles: Curator and Editor groups with exactly the permissions they need.

Curators create and edit records (with their citations, classifications and authors) and
submit them for review. Editors may also delete records, publish, unpublish, archive and
restore them, and keep the vocabularies. Superusers need no group.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

RECORDS = [
    "mission",
    "case",
    "norm",
    "document",
    "organisation",
    "concept",
    "source",
    "comparisonrow",
]
PARTS = ["citation", "classification", "sourcecreator"]
VOCABULARIES = ["country", "mandatetask"]

CURATOR = (
    [f"{action}_{model}" for model in RECORDS for action in ("view", "add", "change")]
    + [
        f"{action}_{model}"
        for model in PARTS
        for action in ("view", "add", "change", "delete")
    ]
    + [f"view_{model}" for model in VOCABULARIES]
    + ["view_revision"]
)
EDITOR = (
    CURATOR
    + [f"{action}_{model}" for model in RECORDS for action in ("delete", "publish")]
    + [f"{action}_{model}" for model in VOCABULARIES for action in ("add", "change")]
)
GROUPS = {"Curator": CURATOR, "Editor": EDITOR}


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrating; make sure they exist now.
    app_config = apps.get_app_config("knowledge")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="knowledge", codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Missing permissions for {name}: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("knowledge", "0004_revision"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
