"""Records published before the one history (migration 0015) had an empty API history:
migration 0016 gives each of them one baseline published version, and only them."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from rest_framework.test import APIClient

from apps.knowledge import services
from apps.knowledge.models import Revision
from tests.factories import NormFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "apps.knowledge.migrations.0016_baseline_published_versions"
)


def test_a_record_published_before_versions_gets_one_baseline_version(editor):
    old = NormFactory(slug="old", name="Old norm")
    old.published_at = datetime.datetime(2026, 1, 5, 9, 30, tzinfo=datetime.UTC)
    old.save(update_fields=["published_at"])
    Revision.objects.for_record(old).delete()  # as loaded before the one history
    kept = NormFactory(slug="kept", name="Kept norm")
    Revision.objects.for_record(kept).delete()
    services.revision_record_saved(
        record=kept, base_data={}, user=editor, action="publish"
    )
    draft = NormFactory(slug="draft", draft=True)
    assert APIClient().get("/api/v1/norms/old/history/").json()["count"] == 0

    migration.add_baselines(django_apps, None)

    history = APIClient().get("/api/v1/norms/old/history/").json()
    assert history["count"] == 1
    (version,) = history["results"]
    assert version["action"] == "Published"
    assert version["data"]["name"] == "Old norm"
    (baseline,) = Revision.objects.for_record(old)
    # The shape services.revision_record_saved keeps: the whole canonical dict.
    assert baseline.data == services.record_content(old)
    assert baseline.published_at == old.published_at
    # A record with a published version, and a draft, get none.
    assert Revision.objects.for_record(kept).count() == 1
    assert not Revision.objects.for_record(draft).exists()
    migration.add_baselines(django_apps, None)  # a second run adds nothing
    assert Revision.objects.for_record(old).count() == 1

    migration.remove_baselines(django_apps, None)
    assert not Revision.objects.for_record(old).exists()
    assert Revision.objects.for_record(kept).count() == 1
