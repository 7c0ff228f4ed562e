"""A dataset version is built in a background thread, never in a request: the export
index says "building" until it is stored, its address answers 503 with Retry-After, one
build runs at a time, and a failed build is built again by the next trigger (#17)."""

import logging
import threading
import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from apps.knowledge.api import export
from apps.knowledge.models import DatasetSnapshot
from apps.knowledge.models import Mission
from apps.knowledge.models import Norm
from tests import factories
from tests.knowledge.test_api_export import served

pytestmark = pytest.mark.usefixtures("api_cache_cleared")

# The real one: the suite's `dataset_builds` fixture replaces it with a counter.
real_start_building = export.start_building


class Gate:
    """Wraps the dataset build: it waits until the test opens the gate, and counts."""

    def __init__(self, fail_first=False):
        self.opened = threading.Event()
        self.entered = threading.Event()
        self.builds = 0
        self.fail_first = fail_first
        self.real_build = export.build

    def build(self, name, *args):
        if name == "dataset":
            self.entered.set()
            assert self.opened.wait(20), "the test never opened the gate"
            self.builds += 1
            if self.fail_first and self.builds == 1:
                raise RuntimeError("the database went away")
        return self.real_build(name, *args)


@pytest.fixture
def gate(monkeypatch):
    """Real background builds (the test's rows are committed), through a Gate."""
    monkeypatch.setattr(export, "start_building", real_start_building)
    gate = Gate()
    monkeypatch.setattr(export, "build", gate.build)
    yield gate
    gate.opened.set()
    wait_for_builds()


def wait_for_builds():
    for thread in threading.enumerate():
        if thread.name == "dataset-version":
            thread.join(20)
            assert not thread.is_alive()


@pytest.fixture
def published(transactional_db):
    factories.MissionFactory(slug="unef-i", name="UNEF I")
    factories.NormFactory(slug="consent", name="Consent")
    factories.MissionFactory(slug="secret-draft", draft=True)


def test_the_index_says_building_until_the_version_is_stored(api, published, gate):
    started = time.monotonic()
    index = api.get("/api/v1/export/")
    assert index.status_code == 200
    assert time.monotonic() - started < 5  # not waiting for the build
    current = index.json()["current"]
    assert current["status"] == "building"
    assert index.json()["versions"] == []
    assert "Last-Modified" not in index  # a date would not tell "stored" apart
    assert gate.entered.wait(10)  # the request started the build in the background

    pending = api.get(current["url"])
    assert pending.status_code == 503
    assert pending["Retry-After"] == str(export.RETRY_AFTER)
    assert pending.json()["code"] == "building"
    assert api.get("/api/v1/export/latest/").status_code == 503  # nothing stored yet

    gate.opened.set()
    wait_for_builds()
    index = api.get("/api/v1/export/", HTTP_IF_NONE_MATCH=index["ETag"])
    assert index.status_code == 200  # the answer changed: a new ETag
    assert index.json()["current"]["status"] == "stored"
    (listed,) = index.json()["versions"]
    assert listed["version"] == current["version"]
    download = api.get(current["url"])
    assert download.status_code == 200
    downloaded = served(download)  # streamed: read once
    assert b'"unef-i"' in downloaded
    assert b"secret-draft" not in downloaded
    latest = api.get("/api/v1/export/latest/")
    assert served(latest) == downloaded
    assert latest["X-Dataset-Version"] == current["version"]
    revalidated = api.get("/api/v1/export/latest/", HTTP_IF_NONE_MATCH=latest["ETag"])
    assert revalidated.status_code == 304
    assert gate.builds == 1


def test_latest_serves_the_previous_version_while_the_next_is_built(
    api, published, gate
):
    gate.opened.set()
    first = export.store_current_version()
    gate.opened.clear()
    Norm.objects.filter(slug="consent").update(name="Consent, renamed")
    factories.NormFactory(slug="later")
    index = api.get("/api/v1/export/").json()
    assert index["current"]["status"] == "building"
    assert index["current"]["version"] != first.version
    latest = api.get("/api/v1/export/latest/")
    assert latest.status_code == 200
    assert latest["X-Dataset-Version"] == first.version


def test_concurrent_triggers_build_once(api, published, gate):
    api.get("/api/v1/export/")
    assert gate.entered.wait(10)
    # A second process's request, and a thread started past the check: neither builds.
    assert api.get("/api/v1/export/").json()["current"]["status"] == "building"
    real_start_building()
    real_start_building()
    gate.opened.set()
    wait_for_builds()
    assert gate.builds == 1
    assert DatasetSnapshot.objects.count() == 1
    assert not export.building()  # the lock is released


def test_a_failed_build_is_logged_and_the_next_trigger_builds_again(
    api, published, gate, caplog
):
    gate.fail_first = True
    gate.opened.set()
    api.get("/api/v1/export/")
    wait_for_builds()
    assert "could not store the published dataset version" in caplog.text
    assert not DatasetSnapshot.objects.exists()
    assert not export.building()  # a failure frees the lock
    assert api.get("/api/v1/export/").json()["current"]["status"] == "building"
    wait_for_builds()
    assert api.get("/api/v1/export/").json()["current"]["status"] == "stored"
    assert gate.builds == 2


def test_the_editors_save_does_not_wait_for_the_build(published, gate, settings):
    settings.PKB_DATASET_VERSIONS_ON_COMMIT = True  # as in production
    norm = Norm.objects.get(slug="consent")
    norm.name = "Consent, renamed"
    norm.save()  # autocommit: the commit hooks run at once
    # The save returned while the build waits at the gate.
    assert gate.entered.wait(10)
    assert not DatasetSnapshot.objects.exists()
    gate.opened.set()
    wait_for_builds()
    stored = DatasetSnapshot.objects.get()
    assert stored.version == export.dataset_stamp().version
    assert b"Consent, renamed" in export.version_text(stored)
    # A draft saved is not a new version.
    draft = Mission.objects.get(slug="secret-draft")
    draft.name = "Still secret"
    draft.save()
    wait_for_builds()
    assert DatasetSnapshot.objects.count() == 1


@pytest.mark.django_db
def test_the_commit_hook_only_starts_a_thread(
    settings, django_capture_on_commit_callbacks, django_assert_num_queries, monkeypatch
):
    settings.PKB_DATASET_VERSIONS_ON_COMMIT = True
    monkeypatch.setattr(export, "start_building", real_start_building)
    started = []

    class FakeThread:
        def __init__(self, target, **kwargs):
            self.target = target

        def start(self):
            started.append(self.target)

    monkeypatch.setattr(export, "threading", SimpleNamespace(Thread=FakeThread))
    with django_capture_on_commit_callbacks() as callbacks:
        factories.NormFactory(slug="one")
        factories.NormFactory(slug="two")
    ours = [callback for callback in callbacks if callback is real_start_building]
    assert len(ours) == 1  # once per transaction
    with django_assert_num_queries(0):
        ours[0]()  # what runs after the editor's commit
    assert started == [export._build_in_background]
    assert not export.building()  # the thread takes the lock, not the editor's request


@pytest.mark.django_db
def test_a_lock_left_by_a_crashed_build_expires(api, dataset_builds):
    cache.set(export.BUILD_LOCK, "a worker killed mid-build", 1)
    assert api.get("/api/v1/export/").json()["current"]["status"] == "building"
    assert not dataset_builds  # it looks like a running build
    time.sleep(1.2)
    assert api.get("/api/v1/export/").json()["current"]["status"] == "building"
    assert dataset_builds == [True]  # expired: this request started a new build


def test_a_long_build_keeps_its_lock(api, published, gate, monkeypatch):
    monkeypatch.setattr(export, "BUILD_LEASE", 0.3)  # renewed every 0.1 s
    api.get("/api/v1/export/")
    assert gate.entered.wait(10)
    time.sleep(1)
    assert export.building()
    gate.opened.set()
    wait_for_builds()
    assert not export.building()


def test_no_version_is_a_500(api, published, gate, caplog):
    caplog.set_level(logging.ERROR)
    for version in ("latest", "", "x" * 300, "..", "2026-01-01.zzzz"):
        response = api.get(f"/api/v1/export/{version}/")
        assert response.status_code in (200, 404, 503), version
