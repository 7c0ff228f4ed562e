"""A publish empties only the cached pages and API answers that show what it changed
(apps/knowledge/invalidation.py); the others stay cached, and nothing stale or unpublished
is served."""

import pytest
from django.test import Client

from apps.knowledge import services
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


@pytest.fixture
def records():
    """A norm and a case that have nothing to do with mission X, and a norm linked to it."""
    mission = factories.MissionFactory(slug="unef-i", name="Emergency Force")
    linked = factories.NormFactory(slug="consent", name="Consent")
    mission.norms.add(linked)
    return {
        "mission": mission,
        "linked": linked,
        "norm": factories.NormFactory(slug="impartiality", name="Impartiality"),
        "case": factories.CaseFactory(slug="congo-1960", name="Congo crisis"),
    }


def _served_from_cache(client, path, assert_queries):
    """Whether `path` was answered without a query (from the cache)."""
    with assert_queries(50) as queries:
        assert client.get(path).status_code == 200
    return len(queries) == 0


def _publish_an_edit(mission, commit, name="United Nations Emergency Force"):
    """What an approved edit of published mission X does: write it and commit."""
    with commit(execute=True):
        mission.name = name
        mission.save()


PAGES = [
    "/norms/impartiality/",
    "/cases/congo-1960/",
    "/missions/",
    "/missions/unef-i/",
]


def test_publishing_a_mission_keeps_unrelated_pages_and_empties_its_own(
    client,
    records,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    for path in [*PAGES, "/norms/consent/"]:
        client.get(path)
    _publish_an_edit(records["mission"], django_capture_on_commit_callbacks)

    def cached(path):
        return _served_from_cache(client, path, django_assert_max_num_queries)

    assert cached("/norms/impartiality/")
    assert cached("/cases/congo-1960/")
    assert not cached("/missions/")
    assert not cached("/missions/unef-i/")
    assert not cached("/norms/consent/")  # its related missions show the new name
    assert not cached("/")
    for path in ("/missions/", "/missions/unef-i/", "/norms/consent/"):
        assert "United Nations Emergency Force" in client.get(path).content.decode()


def test_publishing_a_mission_keeps_unrelated_api_answers(
    records,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    api = Client()
    paths = [f"/api/v1{path}" for path in PAGES]
    for path in paths:
        api.get(path)
    _publish_an_edit(records["mission"], django_capture_on_commit_callbacks)

    def cached(path):
        return _served_from_cache(api, path, django_assert_max_num_queries)

    assert cached("/api/v1/norms/impartiality/")
    assert cached("/api/v1/cases/congo-1960/")
    assert not cached("/api/v1/missions/")
    assert not cached("/api/v1/missions/unef-i/")
    detail = api.get("/api/v1/missions/unef-i/").json()
    assert detail["name"] == "United Nations Emergency Force"


def test_another_missions_page_keeps_its_cache_unless_the_compare_menu_changes(
    client,
    records,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    factories.MissionFactory(slug="onuc", name="Operation in the Congo")
    client.get("/missions/onuc/")
    mission = records["mission"]
    with django_capture_on_commit_callbacks(execute=True):
        mission.summary = "A new summary."
        mission.save()
    assert _served_from_cache(client, "/missions/onuc/", django_assert_max_num_queries)
    _publish_an_edit(mission, django_capture_on_commit_callbacks)  # a new label
    assert (
        "United Nations Emergency Force"
        in client.get("/missions/onuc/").content.decode()
    )


def test_a_new_link_empties_both_records_pages(
    client,
    records,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    client.get("/cases/congo-1960/")
    client.get("/norms/impartiality/")
    with django_capture_on_commit_callbacks(execute=True):
        records["mission"].cases.add(records["case"])
    assert "Emergency Force" in client.get("/cases/congo-1960/").content.decode()
    assert _served_from_cache(
        client, "/norms/impartiality/", django_assert_max_num_queries
    )


def test_an_unpublished_mission_leaves_every_page_that_showed_it(
    client, records, django_capture_on_commit_callbacks
):
    for path in ("/norms/consent/", "/missions/", "/missions/unef-i/"):
        assert "Emergency Force" in client.get(path).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.record_unpublish(record=records["mission"])
    assert client.get("/missions/unef-i/").status_code == 404
    assert "Emergency Force" not in client.get("/missions/").content.decode()
    assert "Emergency Force" not in client.get("/norms/consent/").content.decode()


def test_a_draft_saved_empties_nothing_and_never_shows(
    client,
    records,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    client.get("/missions/")
    with django_capture_on_commit_callbacks(execute=True):
        factories.MissionFactory(slug="secret", name="Secret draft", draft=True)
    assert _served_from_cache(client, "/missions/", django_assert_max_num_queries)
    assert "Secret draft" not in client.get("/missions/").content.decode()
    assert client.get("/missions/secret/").status_code == 404
