"""The public pages: what a student sees, and what never leaks."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

DETAIL_FACTORIES = {
    "mission": factories.MissionFactory,
    "case": factories.CaseFactory,
    "norm": factories.NormFactory,
    "document": factories.DocumentFactory,
    "organisation": factories.OrganisationFactory,
    "concept": factories.ConceptFactory,
    "source": factories.SourceFactory,
}


@pytest.mark.parametrize("model_name", list(DETAIL_FACTORIES))
@pytest.mark.parametrize("status", ["draft", "in_review", "archived"])
def test_unpublished_records_are_404_and_absent_from_lists(client, model_name, status):
    hidden = DETAIL_FACTORIES[model_name](status=status)
    shown = DETAIL_FACTORIES[model_name]()
    response = client.get(hidden.get_absolute_url())
    assert response.status_code == 404
    assert client.get(shown.get_absolute_url()).status_code == 200
    listing = client.get(reverse(f"knowledge:{model_name}-list")).content.decode()
    assert str(shown) in listing
    assert hidden.get_absolute_url() not in listing


def test_home_counts_only_published(client):
    factories.MissionFactory.create_batch(2)
    factories.MissionFactory(draft=True)
    response = client.get("/")
    counts = {label: count for label, count, _ in response.context["counts"]}
    assert counts["missions"] == 2


def test_mission_page_hides_draft_relations(client):
    case = factories.CaseFactory(name="Published case")
    secret = factories.CaseFactory(name="Secret draft case", draft=True)
    mission = factories.MissionFactory()
    mission.cases.add(case, secret)
    content = client.get(mission.get_absolute_url()).content.decode()
    assert "Published case" in content
    assert "Secret draft case" not in content


def test_mission_page_shows_classification_and_footnoted_sources(client):
    mission = factories.MissionFactory(host_consent="all_parties")
    content = client.get(mission.get_absolute_url()).content.decode()
    assert "Westphalian" in content
    assert "Consent of all main parties" in content
    assert "p. 512" in content


@pytest.mark.parametrize("model_name", list(DETAIL_FACTORIES))
def test_list_query_count_does_not_grow_with_rows(
    client, django_assert_max_num_queries, model_name
):
    DETAIL_FACTORIES[model_name].create_batch(3)
    url = reverse(f"knowledge:{model_name}-list")
    with django_assert_max_num_queries(6):
        client.get(url)
    DETAIL_FACTORIES[model_name].create_batch(20)
    with django_assert_max_num_queries(6):
        client.get(url)


def test_mission_detail_query_count_is_bounded(client, django_assert_max_num_queries):
    mission = factories.MissionFactory()
    for _ in range(10):
        factories.CitationFactory(target=mission)
        mission.cases.add(factories.CaseFactory())
    with django_assert_max_num_queries(16):
        response = client.get(mission.get_absolute_url())
    assert response.status_code == 200


def test_compare_page_lists_rows(client):
    factories.ComparisonRowFactory(name="Consent of the host")
    factories.ComparisonRowFactory(name="Hidden row", draft=True)
    content = client.get(reverse("knowledge:compare")).content.decode()
    assert "Consent of the host" in content
    assert "Hidden row" not in content
