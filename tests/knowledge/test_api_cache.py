"""Anonymous API answers come from the shared cache until content changes, never stale,
never a curator's view, and still throttled."""

import pytest
from rest_framework.test import APIClient

from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_cache_cleared")]

MISSIONS = "/api/v1/missions/"


@pytest.fixture(autouse=True)
def response_cache(settings):
    settings.PAGE_CACHE = True  # off in the test suite, whose transactions never commit


def slugs(response):
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


def test_second_anonymous_read_runs_no_query(api, django_assert_num_queries):
    mission = factories.MissionFactory()
    url = f"{MISSIONS}{mission.slug}/"
    for path in (MISSIONS, url, url + "references/?format=bibtex", "/api/v1/compare/"):
        first = api.get(path)
        assert first.status_code == 200
        with django_assert_num_queries(0):
            second = api.get(path)
        assert second.content == first.content
        for header in ("ETag", "Last-Modified", "Content-Type", "Content-Disposition"):
            assert second.get(header) == first.get(header)
        with django_assert_num_queries(0):
            assert api.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_query_order_does_not_matter_but_format_and_host_do(
    api, settings, django_assert_num_queries
):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "kb.test"]
    mission = factories.MissionFactory()
    api.get(MISSIONS + "?page_size=5&fields=slug,url")
    with django_assert_num_queries(0):
        same = api.get(MISSIONS + "?fields=slug,url&page_size=5")
    assert slugs(same) == [mission.slug]
    cite = f"{MISSIONS}{mission.slug}/cite/"
    bibtex = api.get(cite + "?format=bibtex")
    assert api.get(cite + "?format=ris").content != bibtex.content
    assert api.get(cite, HTTP_ACCEPT="application/x-bibtex").content == bibtex.content
    other_host = api.get(MISSIONS + "?page_size=5&fields=slug,url", HTTP_HOST="kb.test")
    assert other_host.json()["results"][0]["url"].startswith("http://kb.test/")


def test_publishing_shows_at_once(api, as_editor, django_capture_on_commit_callbacks):
    shown = factories.MissionFactory(slug="shown")
    factories.MissionFactory(slug="waiting", draft=True)
    assert slugs(api.get(MISSIONS)) == ["shown"]
    assert api.get(f"{MISSIONS}waiting/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert as_editor.post(f"{MISSIONS}waiting/publish/").status_code == 200
    assert sorted(slugs(api.get(MISSIONS))) == ["shown", "waiting"]
    assert api.get(f"{MISSIONS}waiting/").status_code == 200
    # An edit too.
    assert api.get(f"{MISSIONS}shown/").json()["name"] == shown.name
    with django_capture_on_commit_callbacks(execute=True):
        shown.name = "Renamed mission"
        shown.save()
    assert api.get(f"{MISSIONS}shown/").json()["name"] == "Renamed mission"


def test_a_curators_view_is_never_cached_nor_served_from_the_cache(
    api, as_curator, django_assert_max_num_queries
):
    factories.MissionFactory(slug="public")
    factories.MissionFactory(slug="draft", draft=True)
    # The curator first: what they see (drafts) must not reach the cache...
    assert sorted(slugs(as_curator.get(MISSIONS))) == ["draft", "public"]
    assert as_curator.get(f"{MISSIONS}draft/").status_code == 200
    assert slugs(api.get(MISSIONS)) == ["public"]
    assert api.get(f"{MISSIONS}draft/").status_code == 404
    # ... nor does the cached anonymous answer reach the curator.
    assert sorted(slugs(as_curator.get(MISSIONS))) == ["draft", "public"]


def test_cached_answers_count_against_the_throttle(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "1000/minute"},
    }
    factories.MissionFactory()
    for _ in range(3):
        assert api.get(MISSIONS).status_code == 200
    refused = api.get(MISSIONS)
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled" and refused["Retry-After"]


def test_a_cached_answer_has_the_headers_of_a_fresh_one(api):
    mission = factories.MissionFactory()
    url = f"{MISSIONS}{mission.slug}/"
    first = api.get(url)
    second = api.get(url)
    for header in ("Allow", "Vary", "ETag", "Last-Modified", "Content-Type"):
        assert second[header] == first[header], header
    signed_in = api.get(url, HTTP_AUTHORIZATION="Token nonsense")
    assert signed_in.status_code == 401  # never answered from the cache


def test_nothing_is_cached_when_the_page_cache_is_off(
    api, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE = False
    factories.MissionFactory()
    api.get(MISSIONS)
    with django_assert_max_num_queries(12) as queries:
        assert api.get(MISSIONS).status_code == 200
    assert len(queries.captured_queries) > 0


def test_browsable_api_pages_are_not_cached(api, django_assert_max_num_queries):
    factories.MissionFactory()
    api.get(MISSIONS, HTTP_ACCEPT="text/html")
    with django_assert_max_num_queries(20) as queries:
        response = APIClient().get(MISSIONS, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert len(queries.captured_queries) > 0


def test_search_answers_are_cached_until_a_publish(
    api, as_editor, django_assert_num_queries, django_capture_on_commit_callbacks
):
    factories.MissionFactory(slug="seen", name="Zanzibar observer mission")
    factories.MissionFactory(slug="later", name="Zanzibar police mission", draft=True)
    search = "/api/v1/search/?q=zanzibar"
    first = api.get(search)
    assert [hit["slug"] for hit in first.json()["results"]] == ["seen"]
    with django_assert_num_queries(0):
        assert api.get(search).content == first.content
    with django_capture_on_commit_callbacks(execute=True):
        assert as_editor.post(f"{MISSIONS}later/publish/").status_code == 200
    found = {hit["slug"] for hit in api.get(search).json()["results"]}
    assert found == {"seen", "later"}


def test_unknown_parameters_and_accept_values_are_answered_but_never_stored(
    api, django_assert_max_num_queries
):
    factories.MissionFactory()
    variants = [
        # A parameter no list takes is a 400 naming the valid ones (issue 15).
        ({"path": MISSIONS + "?utm_source=x"}, 400),
        ({"path": MISSIONS + "?page_size=5&page_size=6"}, 200),
        ({"path": MISSIONS, "HTTP_ACCEPT": "application/json; q=0.9, x/y"}, 200),
    ]
    for variant, status in variants:
        for _ in range(2):
            with django_assert_max_num_queries(50) as queries:
                assert api.get(**variant).status_code == status
            # (An error is answered before any query and never stored.)
            assert status == 400 or len(queries) > 0, f"{variant} came from the cache"


def test_a_cached_csv_page_keeps_its_total_and_links(api, django_assert_num_queries):
    factories.MissionFactory.create_batch(3)
    path = f"{MISSIONS}?page_size=2"
    first = api.get(path, HTTP_ACCEPT="text/csv")
    assert first["Content-Type"].startswith("text/csv")
    with django_assert_num_queries(0):
        second = api.get(path, HTTP_ACCEPT="text/csv")
    assert second.content == first.content
    assert second["X-Total-Count"] == first["X-Total-Count"] == "3"
    assert second["Link"] == first["Link"]
    assert api.get(path).json()["count"] == 3  # the JSON is kept apart
