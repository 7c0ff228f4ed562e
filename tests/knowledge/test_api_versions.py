"""Every published dataset version stays downloadable (/api/v1/export/<version>/), byte
for byte, so that a fact can be cited at a version (#15 item 7)."""

import gzip
import hashlib
import json
import logging

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.core.models import Status
from apps.knowledge.api import export
from apps.knowledge.models import DatasetSnapshot
from apps.knowledge.models import Norm
from tests import factories
from tests.knowledge.test_api_export import served

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_cache_cleared")]


@pytest.fixture
def published():
    factories.MissionFactory(slug="unef-i", name="UNEF I")
    factories.NormFactory(slug="consent", name="Consent")
    factories.MissionFactory(slug="secret-draft", draft=True)


def current_version(api):
    """The current version, stored (as the background build would), and the index."""
    export.store_current_version()
    index = api.get("/api/v1/export/").json()
    assert index["current"]["status"] == "stored"
    return index["dataset"]["version"], index


def test_old_versions_answer_the_same_bytes_after_changes(api, published):
    v1, index = current_version(api)
    listed = {row["version"]: row for row in index["versions"]}
    first = api.get(listed[v1]["url"])
    assert first.status_code == 200
    assert first["X-Dataset-Version"] == v1
    first_bytes = served(first)  # streamed: read once
    assert hashlib.sha256(first_bytes).hexdigest() == listed[v1]["sha256"]
    body = json.loads(first_bytes)
    assert body["dataset"]["version"] == v1
    assert [m["slug"] for m in body["missions"]] == ["unef-i"]

    norm = Norm.objects.get(slug="consent")
    norm.name = "Consent of the parties"
    norm.save()
    cache.clear()
    v2, index = current_version(api)
    assert v2 != v1
    assert [row["version"] for row in index["versions"]] == [v2, v1]  # newest first
    second = api.get(f"/api/v1/export/{v2}/")
    assert json.loads(served(second))["norms"][0]["name"] == "Consent of the parties"

    again = api.get(f"/api/v1/export/{v1}/")
    assert served(again) == first_bytes
    assert again["ETag"] == first["ETag"]
    assert (
        api.get(f"/api/v1/export/{v1}/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code
        == 304
    )


def test_drafts_are_in_no_version(api, published):
    version, _ = current_version(api)
    content = served(api.get(f"/api/v1/export/{version}/")).decode()
    assert "secret-draft" not in content
    assert "curator_note" not in content
    # Publishing it makes a new version that has it; the old one still does not.
    Norm.objects.filter(slug="consent").update(status=Status.DRAFT)
    factories.NormFactory(slug="later")
    newer, _ = current_version(api)
    assert (
        "consent"
        not in json.loads(served(api.get(f"/api/v1/export/{newer}/")))["norms"]
    )
    assert b'"consent"' in served(api.get(f"/api/v1/export/{version}/"))


def test_unknown_version_is_a_json_404(api, published):
    response = api.get("/api/v1/export/1999-01-01.deadbeef/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_a_dropped_version_is_410_and_keeps_its_checksum(api, published, settings):
    v1, _ = current_version(api)
    settings.PKB_DATASET_ARCHIVE_MB = 0  # keep only the newest file
    factories.NormFactory(slug="another")
    cache.clear()
    v2, index = current_version(api)
    rows = {row["version"]: row for row in index["versions"]}
    assert rows[v2]["available"] and not rows[v1]["available"]
    assert rows[v1]["sha256"]
    response = api.get(f"/api/v1/export/{v1}/")
    assert response.status_code == 410
    assert response.json()["code"] == "gone"
    assert api.get(f"/api/v1/export/{v2}/").status_code == 200


def test_a_version_is_stored_once_compressed(api, published):
    version, _ = current_version(api)
    api.get(f"/api/v1/export/{version}/")
    current_version(api)
    (snapshot,) = DatasetSnapshot.objects.all()
    assert snapshot.version == version
    tables = snapshot.tables.values_list("body", flat=True)
    assert snapshot.stored_bytes == sum(len(body) for body in tables) < snapshot.size
    assert gzip.decompress(tables[0])  # each table on its own, gzipped
    assert len(export.version_text(snapshot)) == snapshot.size


@pytest.mark.django_db(transaction=True)
def test_a_migration_saving_content_stores_no_version(
    published, settings, caplog, dataset_builds
):
    """A data migration saves through its historical models, while the schema may be
    between versions (migrating to zero, the snapshot table is gone by the time a reverse
    migration re-saves sources): it stores nothing, and the next request does."""
    settings.PKB_DATASET_VERSIONS_ON_COMMIT = True  # as in production
    DatasetSnapshot.objects.all().delete()
    historical = MigrationExecutor(connection).loader.project_state().apps
    norm = historical.get_model("knowledge", "Norm").objects.get(slug="consent")
    norm.name = "Consent, migrated"
    norm.save()  # autocommit: the hook would run at once
    assert not DatasetSnapshot.objects.exists()
    assert not dataset_builds
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_index_etag_holds_while_the_data_does(api, published):
    first = api.get("/api/v1/export/")
    cache.clear()
    again = api.get("/api/v1/export/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_the_schema_documents_the_version_endpoint(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/export/{version}/"]["get"]
    assert operation["operationId"] == "export_version"
    assert {"200", "404", "410"} <= set(operation["responses"])


def test_large_downloads_are_gzipped(api, published):
    version, _ = current_version(api)
    for path in ("/api/v1/export/dataset.json", f"/api/v1/export/{version}/"):
        plain = api.get(path)
        packed = api.get(path, HTTP_ACCEPT_ENCODING="gzip")
        assert packed["Content-Encoding"] == "gzip", path
        assert "Accept-Encoding" in packed["Vary"]
        if path.endswith(f"{version}/"):  # a version is the same bytes, unpacked
            assert gzip.decompress(served(packed)) == served(plain)
