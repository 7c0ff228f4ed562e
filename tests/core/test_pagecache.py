"""Anonymous pages come from the cache until content changes, then never stale."""

import pytest
from django.core.cache import cache

from apps.knowledge import services
from tests.factories import MissionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


def test_second_request_is_served_without_touching_the_database(
    client, django_assert_num_queries
):
    mission = MissionFactory(name="First UN Emergency Force")
    first = client.get(mission.get_absolute_url())
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get(mission.get_absolute_url())
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_conditional_get_answers_304_without_rendering(
    client, django_assert_num_queries
):
    mission = MissionFactory()
    etag = client.get(mission.get_absolute_url())["ETag"]
    with django_assert_num_queries(0):
        response = client.get(mission.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_an_edit_invalidates_the_cached_page(
    client, django_capture_on_commit_callbacks
):
    mission = MissionFactory(name="Old name")
    assert "Old name" in client.get(mission.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        mission.name = "New name"
        mission.save()
    content = client.get(mission.get_absolute_url()).content.decode()
    assert "New name" in content and "Old name" not in content


def test_unpublishing_removes_the_page_and_its_list_entry_at_once(
    client, django_capture_on_commit_callbacks
):
    mission = MissionFactory(name="Soon withdrawn")
    assert client.get(mission.get_absolute_url()).status_code == 200
    assert "Soon withdrawn" in client.get("/missions/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.record_unpublish(record=mission)
    assert client.get(mission.get_absolute_url()).status_code == 404
    assert "Soon withdrawn" not in client.get("/missions/").content.decode()


def test_signed_in_curators_and_the_admin_bypass_the_cache(
    client, curator, django_assert_max_num_queries
):
    mission = MissionFactory(name="Cached name")
    client.get(mission.get_absolute_url())  # now cached for anonymous readers
    mission.name = "Changed without a commit"  # no on_commit in a test transaction
    mission.save()
    client.force_login(curator)
    response = client.get(mission.get_absolute_url())
    assert "Changed without a commit" in response.content.decode()
    assert client.get("/admin/").status_code == 200


def test_a_cache_outage_during_invalidation_does_not_fail_the_write(
    monkeypatch, django_capture_on_commit_callbacks
):
    from apps.core import pagecache

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(pagecache.cache, "incr", unreachable)
    monkeypatch.setattr(pagecache.cache, "add", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        mission = MissionFactory()
    assert mission.pk


def test_only_canonical_addresses_are_cached(client, django_assert_max_num_queries):
    MissionFactory()
    client.get("/missions/?conception=westphalian&page=1")
    with django_assert_max_num_queries(0):  # the same parameters in another order
        assert client.get("/missions/?page=1&conception=westphalian").status_code == 200
    for _ in range(2):
        with django_assert_max_num_queries(50) as queries:
            assert client.get("/missions/?utm_source=x").status_code == 200
        assert len(queries) > 0, "an unknown parameter was served from the cache"
    for variant in ("?page=1&page=1", "?conception=", "?__proto__=1"):
        client.get("/missions/" + variant)
    pages = [key for key in cache._cache if ":page:" in key]
    assert len(pages) == 1, pages


def test_the_cache_key_includes_host_and_scheme(client, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.test"]
    MissionFactory()
    assert b"evil.test" in client.get("/sitemap.xml", HTTP_HOST="evil.test").content
    plain = client.get("/sitemap.xml").content
    assert b"evil.test" not in plain
    assert b"http://testserver/" in plain
    secure = client.get("/sitemap.xml", secure=True).content
    assert b"https://testserver/" in secure


def test_the_compose_redis_is_bounded_with_an_eviction_policy():
    import yaml
    from django.conf import settings

    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
    command = compose["services"]["redis"]["command"]
    assert command[command.index("--maxmemory") + 1].endswith("mb")
    assert command[command.index("--maxmemory-policy") + 1] == "allkeys-lru"
