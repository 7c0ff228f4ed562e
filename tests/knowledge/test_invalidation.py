"""A publish empties only the cached pages and API answers that show what it changed
(apps/knowledge/invalidation.py); the others stay cached, and nothing stale or unpublished
is served."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.knowledge import services
from apps.knowledge.models import Organisation
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


def _cached_after_a_publish(client, paths, mission, assert_queries, commit):
    """Read each path (so that it is cached), publish an edit of `mission`, then read
    each again: {path: whether it was still served from the cache}."""
    for path in paths:
        client.get(path)
    _publish_an_edit(mission, commit)
    return {path: _served_from_cache(client, path, assert_queries) for path in paths}


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
    cached = _cached_after_a_publish(
        client,
        [*PAGES, "/norms/consent/", "/"],
        records["mission"],
        django_assert_max_num_queries,
        django_capture_on_commit_callbacks,
    )
    assert cached == {
        "/norms/impartiality/": True,
        "/cases/congo-1960/": True,
        "/missions/": False,
        "/missions/unef-i/": False,
        "/norms/consent/": False,  # its related missions show the new name
        "/": False,
    }
    for path in ("/missions/", "/missions/unef-i/", "/norms/consent/"):
        assert "United Nations Emergency Force" in client.get(path).content.decode()


def test_publishing_a_mission_keeps_unrelated_api_answers(
    records,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    api = Client()
    cached = _cached_after_a_publish(
        api,
        [f"/api/v1{path}" for path in PAGES],
        records["mission"],
        django_assert_max_num_queries,
        django_capture_on_commit_callbacks,
    )
    assert cached == {
        "/api/v1/norms/impartiality/": True,
        "/api/v1/cases/congo-1960/": True,
        "/api/v1/missions/": False,
        "/api/v1/missions/unef-i/": False,
    }
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


# ------------------------------------------------------------------ every page, by X-Cache


@pytest.fixture
def site():
    """Mission X (UNEF) with a norm and an organisation, two other missions, and records
    of every other type that show nothing of X; a norm whose prose names "UNTSO", a
    mission not published yet."""
    un = factories.OrganisationFactory(slug="un", name="United Nations", acronym="UN")
    mission = factories.MissionFactory(
        slug="unef-i",
        name="Emergency Force",
        acronym="UNEF",
        start_date=datetime.date(1956, 11, 5),
    )
    mission.organisations.add(un)
    consent = factories.NormFactory(slug="consent", name="Consent")
    mission.norms.add(consent)
    factories.MissionFactory(slug="onuc", name="Operation in the Congo", acronym="ONUC")
    factories.MissionFactory(slug="unficyp", name="Force in Cyprus", acronym="UNFICYP")
    factories.NormFactory(
        slug="observation",
        name="Observation",
        summary="UNTSO observed the truce; UNEF kept the line.",
    )
    factories.CaseFactory(slug="congo-1960", name="Congo crisis")
    factories.DocumentFactory(slug="res-1000", title="Resolution 1000", issuer=un)
    factories.ConceptFactory(slug="buffer-zone", term="Buffer zone")
    return mission


SHOWING_X = [  # every page that shows mission X's name
    "/",
    "/missions/",
    "/missions/?organisation=un",
    "/timeline/",
    "/compare/missions/?ids=unef-i,onuc",
    "/compare/missions/?ids=onuc,unficyp",  # the picker lists X by label
    "/missions/unef-i/",
    "/missions/onuc/",  # its "compare with" menu
    "/norms/consent/",
    "/organisations/un/",
    "/api/v1/missions/",
    "/api/v1/missions/unef-i/",
    "/search/?q=emergency",
    "/search/?q=emergency&type=mission",
    "/api/v1/search/?q=emergency",
]
NOT_SHOWING_X = [  # pages of other types that show nothing of X
    "/norms/",
    "/cases/",
    "/cases/?conception=westphalian",
    "/documents/",
    "/organisations/",
    "/glossary/",
    "/sources/",
    "/cases/congo-1960/",
    "/documents/res-1000/",
    "/glossary/buffer-zone/",
    "/norms/observation/",  # names UNEF in prose, and UNEF's link does not change
    "/api/v1/norms/",
    "/api/v1/cases/",
    "/api/v1/search/?q=observation&type=norm,case",  # searches no mission
]


def _states(paths):
    """Each page's first read: {path: "hit" | "miss"}."""
    reader = Client()
    states = {}
    for path in paths:
        response = reader.get(path)
        assert response.status_code == 200, path
        states[path] = response["X-Cache"]
    return states


def _read_all(paths):
    assert set(_states(paths).values()) <= {"hit", "miss"}
    assert set(_states(paths).values()) == {"hit"}  # all cached now


def test_an_edit_shows_at_once_on_every_page_that_shows_it_and_empties_no_other(
    site, django_capture_on_commit_callbacks
):
    _read_all([*SHOWING_X, *NOT_SHOWING_X])
    _publish_an_edit(site, django_capture_on_commit_callbacks, "Emergency Force One")
    after = _states([*SHOWING_X, *NOT_SHOWING_X])
    assert {path: after[path] for path in NOT_SHOWING_X} == dict.fromkeys(
        NOT_SHOWING_X, "hit"
    )
    for path in SHOWING_X:
        assert after[path] == "miss", path
        assert "Emergency Force One" in Client().get(path).content.decode(), path


def test_a_text_edit_empties_only_the_pages_that_print_the_text_or_its_date(
    site, django_capture_on_commit_callbacks
):
    moved = [
        "/missions/unef-i/",
        "/compare/missions/?ids=unef-i,onuc",
        "/missions/?q=suez",  # searches the summary
        "/missions/?ordering=-updated",
        "/",  # recently updated
        "/api/v1/missions/",  # its rows show updated_at
    ]
    kept = [
        "/missions/",  # rows and facets show no summary
        "/missions/?organisation=un",
        "/timeline/",
        "/compare/",
        "/compare/missions/?ids=onuc,unficyp",
        "/missions/onuc/",
        "/norms/observation/",  # UNEF's link holds
        *NOT_SHOWING_X,
    ]
    _read_all([*moved, *kept])
    with django_capture_on_commit_callbacks(execute=True):
        site.summary = "Sent after the Suez crisis."
        site.save()
    assert _states([*moved, *kept]) == {
        **dict.fromkeys(moved, "miss"),
        **dict.fromkeys(kept, "hit"),
    }
    assert "Suez" in Client().get("/missions/unef-i/").content.decode()
    assert "Emergency Force" in Client().get("/missions/?q=suez").content.decode()
    assert 'href="/missions/unef-i/">UNEF</a>' in (
        Client().get("/norms/observation/").content.decode()
    )


# Pages that show every published mission in the `site` fixture: lists, the comparison,
# compared records and a mission page (its "compare with" menu).
SHOW_EVERY_MISSION = [
    "/",
    "/missions/",
    "/timeline/",
    "/compare/",
    "/compare/missions/?ids=onuc,unficyp",
    "/missions/onuc/",
    "/api/v1/missions/",
]


def _untso(**kwargs):
    return factories.MissionFactory(
        slug="untso",
        name="Truce Supervision Organization",
        acronym="UNTSO",
        start_date=datetime.date(1948, 5, 29),
        **kwargs,
    )


def test_a_new_mission_appears_on_every_page_that_lists_it_and_its_acronym_links_at_once(
    site, django_capture_on_commit_callbacks
):
    # (not /sources/: the factory publishes the sources the mission cites; nor the pages
    # with prose, which may name UNTSO)
    untouched = ["/norms/", "/cases/", "/documents/", "/glossary/", "/api/v1/norms/"]
    _read_all([*SHOW_EVERY_MISSION, *untouched, "/norms/observation/"])
    assert (
        "/missions/untso/" not in Client().get("/norms/observation/").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        _untso()
    page = Client().get("/norms/observation/").content.decode()
    assert 'href="/missions/untso/">UNTSO</a>' in page
    for path in SHOW_EVERY_MISSION:
        page = Client().get(path).content.decode()
        assert "/missions/untso/" in page or "UNTSO: Truce" in page, path
    assert _states(untouched) == dict.fromkeys(untouched, "hit")


def test_a_withdrawn_mission_leaves_every_page_and_its_acronym_is_unlinked_at_once(
    site, django_capture_on_commit_callbacks
):
    untso = _untso()
    showing = [*SHOW_EVERY_MISSION, "/norms/observation/"]
    for path in showing:
        page = Client().get(path).content.decode()
        assert "/missions/untso/" in page or "UNTSO: Truce" in page, path
    _read_all([*showing, "/norms/", "/cases/"])
    with django_capture_on_commit_callbacks(execute=True):
        services.record_unpublish(record=untso)
    for path in showing:
        page = Client().get(path).content.decode()
        assert "/missions/untso/" not in page and "UNTSO: Truce" not in page, path
    assert "UNTSO observed" in Client().get("/norms/observation/").content.decode()
    assert _states(["/norms/", "/cases/"]) == {"/norms/": "hit", "/cases/": "hit"}
    assert Client().get("/compare/missions/?ids=untso,onuc").status_code == 400


def test_a_changed_acronym_moves_its_links_and_the_comparison(
    site, django_capture_on_commit_callbacks
):
    # Every page with prose may name it; the lists print none.
    _read_all(["/norms/observation/", "/compare/", "/norms/", "/cases/"])
    assert '">UNEF</a>' in Client().get("/compare/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        site.acronym = "UNEF I"
        site.save()
    page = Client().get("/norms/observation/").content.decode()
    assert 'href="/missions/unef-i/">UNEF</a>' not in page
    assert '">UNEF I</a>' in Client().get("/compare/").content.decode()
    assert _states(["/norms/", "/cases/"]) == {"/norms/": "hit", "/cases/": "hit"}


def test_a_renamed_organisation_shows_on_the_missions_lists_not_on_the_others(
    site, django_capture_on_commit_callbacks
):
    # the missions' rows and their organisation facets (the timeline's too), the
    # documents' issuer facet, and the records it runs
    shows_it = [
        "/missions/",
        "/documents/",  # its issuer facet
        "/timeline/",
        "/compare/missions/?ids=unef-i,onuc",
        "/missions/unef-i/",
    ]
    untouched = [
        "/norms/",
        "/cases/",
        "/glossary/",
        "/compare/",
        "/compare/missions/?ids=onuc,unficyp",
        "/missions/onuc/",
        "/api/v1/norms/",
    ]
    _read_all([*shows_it, *untouched])
    un = Organisation.objects.get(slug="un")
    with django_capture_on_commit_callbacks(execute=True):
        un.name = "The United Nations Organization"
        un.save()
    assert _states(shows_it) == dict.fromkeys(shows_it, "miss")
    for path in shows_it:
        page = Client().get(path).content.decode()
        assert "The United Nations Organization" in page, path
    assert _states(untouched) == dict.fromkeys(untouched, "hit")


def test_the_comparison_picker_is_read_again_only_when_the_menu_changes(
    site, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """With the page cache off: the picker's shared list survives a text edit of a
    mission and is read again (with the new label) after a rename."""
    page_cache = "apps.core.pagecache.PublicPageCacheMiddleware"
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != page_cache]
    path = "/compare/missions/?ids=onuc,unficyp"
    reader = Client()
    reader.get(path)
    with CaptureQueriesContext(connection) as warm:
        reader.get(path)
    with django_capture_on_commit_callbacks(execute=True):
        site.summary = "Sent after the Suez crisis."
        site.save()
    with django_assert_num_queries(len(warm)):
        reader.get(path)
    _publish_an_edit(site, django_capture_on_commit_callbacks, "Emergency Force One")
    with django_assert_num_queries(len(warm) + 1):
        page = reader.get(path).content.decode()
    assert "UNEF: Emergency Force One" in page


def _timeline_counts(client):
    """(missions drawn, missions with no start) as /timeline/ says them."""
    page = client.get("/timeline/").content.decode()
    dated = re.search(r"(\d+) missions? with a start date", page)
    undated = re.search(r"(\d+) more missions? matching these filters", page)
    return int(dated.group(1)), int(undated.group(1)) if undated else 0


def test_the_timeline_counts_follow_a_new_mission_a_new_start_and_a_withdrawal(
    client, settings, django_capture_on_commit_callbacks
):
    # Both counts come from the missions' cached facet counts (views/timeline.py), so
    # they must move with the missions' versions.
    settings.FACET_CACHE = True
    dated = factories.MissionFactory(start_date=datetime.date(1956, 11, 1))
    undated = factories.MissionFactory()
    assert _timeline_counts(client) == _timeline_counts(client) == (1, 1)
    with django_capture_on_commit_callbacks(execute=True):
        factories.MissionFactory()
    assert _timeline_counts(client) == (1, 2)
    with django_capture_on_commit_callbacks(execute=True):
        undated.start_date = datetime.date(1960, 1, 1)
        undated.save()
    assert _timeline_counts(client) == (2, 1)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_unpublish(record=dated)
    assert _timeline_counts(client) == (1, 1)
    with django_capture_on_commit_callbacks(execute=True):  # drafts count nowhere
        factories.MissionFactory(draft=True)
        factories.MissionFactory(draft=True, start_date=datetime.date(1990, 1, 1))
    assert _timeline_counts(client) == (1, 1)


@pytest.mark.parametrize(
    "path", ["/api/v1/citations/", "/api/v1/classifications/", "history"]
)
def test_lists_of_what_is_not_a_record_type_count_under_the_facet_cache(
    client, settings, django_capture_on_commit_callbacks, path
):
    """Citations, classifications and a record's history are listed with a cached total
    too: keyed on every change (`all`), not on a record type's rows, which they have not.
    """
    settings.FACET_CACHE = True
    mission = factories.MissionFactory(slug="unef-i")
    path = "/api/v1/missions/unef-i/history/" if path == "history" else path
    first = client.get(path)
    assert first.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        mission.name = "Emergency Force II"
        mission.save()
    assert client.get(path).status_code == 200
