"""Query counts per page stay flat as the number of rows grows (no N+1)."""

import datetime

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

# With every cache empty: the page query, one query for the facets on the record's own
# columns (their sum is the count), one per facet on a relation, and the prefetches of
# each row's relations (issue 17: the missions list made 20 before).
LIST_BUDGET = {
    "mission": 13,
    "case": 10,
    "norm": 5,
    "document": 8,
    "organisation": 6,
    "concept": 5,
    "source": 8,
}


def _rich_mission(org, case, norm, document):
    mission = factories.MissionFactory(
        start_date=datetime.date(1990, 1, 1), host_consent="all_parties"
    )
    mission.organisations.add(org)
    mission.cases.add(case)
    mission.norms.add(norm)
    mission.authorised_by.add(document)
    factories.CitationFactory(target=mission, claim="host_consent")
    return mission


def _grow(model_name, n):
    if model_name != "mission":
        return factories.PAGE_FACTORIES[model_name].create_batch(n)
    org = factories.OrganisationFactory()
    case = factories.CaseFactory()
    norm = factories.NormFactory()
    document = factories.DocumentFactory()
    return [_rich_mission(org, case, norm, document) for _ in range(n)]


@pytest.mark.parametrize("model_name", list(factories.PAGE_FACTORIES))
def test_list_query_count_does_not_grow_with_rows(
    client, django_assert_max_num_queries, model_name
):
    _grow(model_name, 3)
    url = reverse(f"knowledge:{model_name}-list")
    budget = LIST_BUDGET[model_name]
    with django_assert_max_num_queries(budget):
        assert client.get(url).status_code == 200
    _grow(model_name, 25)
    with django_assert_max_num_queries(budget):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("model_name", list(factories.PAGE_FACTORIES))
def test_detail_query_count_does_not_grow_with_relations(
    client, django_assert_max_num_queries, model_name
):
    record = factories.PAGE_FACTORIES[model_name]()
    for _ in range(12):
        factories.CitationFactory(target=record)
    if model_name == "mission":
        for _ in range(8):
            record.cases.add(factories.CaseFactory())
            record.organisations.add(factories.OrganisationFactory())
    if model_name == "source":
        for _ in range(8):
            factories.CitationFactory(target=factories.MissionFactory(), source=record)
            factories.CitationFactory(target=factories.NormFactory(), source=record)
    with django_assert_max_num_queries(25):
        assert client.get(record.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/compare/",
        "/timeline/",
        "/about/",
        "/search/?q=mission",
        "/sitemap.xml",
        "/compare/missions/?ids=mission-a,mission-b,mission-c",
    ],
)
def test_other_pages_query_count_is_bounded(client, django_assert_max_num_queries, url):
    org, case = factories.OrganisationFactory(), factories.CaseFactory()
    norm, document = factories.NormFactory(), factories.DocumentFactory()
    for slug in ("mission-a", "mission-b", "mission-c"):
        _rich_mission(org, case, norm, document).__class__.objects.filter(
            pk=_rich_mission(org, case, norm, document).pk
        ).update(slug=slug)
    factories.ComparisonRowFactory.create_batch(5)
    with django_assert_max_num_queries(40):
        assert client.get(url).status_code == 200
    _grow("mission", 20)
    factories.ComparisonRowFactory.create_batch(10)
    with django_assert_max_num_queries(40):
        assert client.get(url).status_code == 200


@pytest.fixture
def facet_cache(settings):
    from django.core.cache import cache

    settings.FACET_CACHE = True
    cache.clear()
    yield
    cache.clear()


def _counts(response):
    return {
        group.param: {v.value: v.count for v in group.values}
        for group in response.context["facets"]
    }


def test_every_page_and_order_of_a_list_shares_its_cached_facets(
    client, facet_cache, django_assert_max_num_queries
):
    un = factories.OrganisationFactory(slug="un")
    for _ in range(35):  # two pages
        factories.MissionFactory(classified="westphalian").organisations.add(un)
    first = client.get("/missions/?organisation=un")
    assert first.context["paginator"].count == 35
    # The page, and one prefetch per row relation (the preferred classification's
    # citations and their sources' authors say whose judgement it is, issue 12): no
    # facet or count query.
    with django_assert_max_num_queries(5):
        second = client.get("/missions/?organisation=un&ordering=-start&page=2")
    assert second.status_code == 200
    assert _counts(second) == _counts(first)
    assert second.context["paginator"].count == 35
    assert len(second.context["object_list"]) == 5
    with django_assert_max_num_queries(5):  # the timeline's mission facets too
        assert client.get("/timeline/?organisation=un").context["facets"]


def test_publishing_invalidates_the_cached_facets(
    client, facet_cache, django_capture_on_commit_callbacks
):
    factories.MissionFactory(classified="westphalian")
    with django_capture_on_commit_callbacks(execute=True):
        hidden = factories.MissionFactory(classified="mixed", draft=True)
    assert _counts(client.get("/missions/"))["conception"] == {"westphalian": 1}
    with django_capture_on_commit_callbacks(execute=True):
        hidden.status = "published"
        hidden.save()
    response = client.get("/missions/")
    assert _counts(response)["conception"] == {"westphalian": 1, "mixed": 1}
    assert response.context["paginator"].count == 2


@pytest.mark.parametrize("path", ["/missions/", "/timeline/"])
def test_a_publish_shows_at_once_in_the_cached_facet_block(
    client, facet_cache, django_capture_on_commit_callbacks, path
):
    factories.MissionFactory(
        classified="westphalian", start_date=datetime.date(1990, 1, 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        hidden = factories.MissionFactory(
            classified="mixed", draft=True, start_date=datetime.date(1995, 1, 1)
        )
    link = 'href="?conception=mixed"'
    for _ in range(2):  # the second reads the cached block
        response = client.get(path)
        assert link not in response.content.decode()
        assert response.context["facets"][0].param == "conception"
    with django_capture_on_commit_callbacks(execute=True):
        hidden.status = "published"
        hidden.save()
    assert link in client.get(path).content.decode()
