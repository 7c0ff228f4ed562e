"""The dataset build in a detached process (PKB_DATASET_BUILD_PROCESS): the web worker
only starts `manage.py store_dataset_version`, which holds the build lock, gives up after
its timeout and never fails loudly when the database or the cache is down."""

import subprocess
import time
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import OperationalError
from django.db import connection
from django.test import override_settings

from apps.knowledge.api import export
from apps.knowledge.models import DatasetSnapshot
from tests import factories
from tests.core.test_cache import UNREACHABLE

# The real one: the suite's `dataset_builds` fixture replaces it with a counter.
real_start_building = export.start_building

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_cache_cleared")]


@pytest.fixture
def popen(monkeypatch, settings):
    settings.PKB_DATASET_BUILD_PROCESS = True
    settings.PKB_DATASET_BUILD_TIMEOUT = 600
    started = mock.Mock()
    monkeypatch.setattr(subprocess, "Popen", started)
    return started


def test_a_publish_starts_a_detached_process_not_a_thread(popen, monkeypatch):
    thread = mock.Mock()
    monkeypatch.setattr(export.threading, "Thread", thread)
    real_start_building()
    (call,) = popen.call_args_list
    assert call.args[0][-2:] == ["store_dataset_version", "--timeout=600"]
    assert call.kwargs["start_new_session"] is True
    assert call.kwargs["stdin"] == subprocess.DEVNULL
    thread.assert_not_called()
    cache.add(export.BUILD_LOCK, "another", export.BUILD_LEASE)
    real_start_building()  # no second process while a build holds the lock
    assert popen.call_count == 1


def test_a_process_that_cannot_start_is_logged_not_raised(popen, caplog):
    popen.side_effect = OSError("Cannot allocate memory")
    real_start_building()  # the editor's commit or the reader's request goes on
    assert "could not start the dataset version build" in caplog.text


def test_the_command_stores_the_version_and_frees_the_lock():
    factories.MissionFactory(slug="unef-i")
    call_command("store_dataset_version", timeout=60)
    snapshot = export.stored_snapshot(export.dataset_stamp().version)
    assert snapshot.has_links
    assert not export.building()


def test_the_command_leaves_a_build_that_holds_the_lock_alone():
    factories.MissionFactory(slug="unef-i")
    cache.add(export.BUILD_LOCK, "another", export.BUILD_LEASE)
    call_command("store_dataset_version")
    assert not DatasetSnapshot.objects.exists()
    assert cache.get(export.BUILD_LOCK) == "another"


def test_the_command_gives_up_after_its_timeout(monkeypatch, caplog):
    monkeypatch.setattr(export, "store_current_version", lambda: time.sleep(30))
    started = time.monotonic()
    call_command("store_dataset_version", timeout=1)
    assert time.monotonic() - started < 10
    assert "could not store the published dataset version" in caplog.text
    assert "took longer than its timeout" in caplog.text
    assert not export.building()  # the next trigger builds again


def test_the_command_logs_a_database_that_is_down(monkeypatch, caplog):
    down = mock.Mock(side_effect=OperationalError("connection refused"))
    monkeypatch.setattr(export, "store_current_version", down)
    call_command("store_dataset_version", timeout=60)
    assert "could not store the published dataset version" in caplog.text
    assert not export.building()


@override_settings(CACHES=UNREACHABLE)
def test_the_command_still_builds_while_the_cache_is_down():
    """No lease can be taken in the cache: the database's lock stands in for it, so the
    export files do not answer "building" for as long as Redis is away."""
    from apps.core.cache import ResilientRedisCache

    ResilientRedisCache.reset_breaker()
    factories.MissionFactory(slug="unef-i")
    call_command("store_dataset_version", timeout=60)
    assert DatasetSnapshot.objects.count() == 1
    assert not export.building()
    ResilientRedisCache.reset_breaker()


@override_settings(CACHES=UNREACHABLE)
def test_while_the_cache_is_down_one_build_at_a_time_holds_the_database_lock():
    from apps.core.cache import ResilientRedisCache

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's advisory lock (SQLite builds unlocked)")

    ResilientRedisCache.reset_breaker()
    other = _second_session()
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [export.DATABASE_LOCK_KEY])
    try:
        assert export.building()
        with export._build_lock() as held:
            assert held is False
    finally:
        other.close()  # the server frees a dead session's lock
    # ... once that session's server process has ended, which the close does not wait for.
    deadline = time.monotonic() + 5
    while export.building() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not export.building()
    with export._build_lock() as held:
        assert held is True
    ResilientRedisCache.reset_breaker()


@pytest.mark.parametrize("leased", [False, True])
def test_while_the_cache_answers_its_lease_alone_says_whether_a_build_runs(
    leased, monkeypatch
):
    # The database's lock is asked only while Redis is unreachable (the test above):
    # a page that asks whether a build runs costs no query when the cache answers.
    def asked():
        raise AssertionError("the database was asked though the cache answered")

    monkeypatch.setattr(export, "_database_lock_taken", asked)
    if leased:
        cache.set(export.BUILD_LOCK, "a build's token", 60)
    assert export.building() is leased


def _second_session():
    import psycopg

    params = connection.settings_dict
    return psycopg.connect(
        dbname=params["NAME"],
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        autocommit=True,
    )


def test_the_thread_stays_the_default(settings, monkeypatch):
    assert settings.PKB_DATASET_BUILD_PROCESS is False
    popen = mock.Mock()
    monkeypatch.setattr(subprocess, "Popen", popen)
    monkeypatch.setattr(export, "_build_in_background", lambda: None)
    real_start_building()
    popen.assert_not_called()
