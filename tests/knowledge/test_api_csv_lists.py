"""`Accept: text/csv` on the lists: the same rows, filters, order and paging as the JSON,
straight into pandas (#15 item 8)."""

import io

import pandas
import pytest
from django.urls import reverse

from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_cache_cleared")]

LISTS = [*factories.RECORD_FACTORIES, "citation", "classification"]


@pytest.fixture
def missions():
    un = factories.OrganisationFactory(slug="un", name="United Nations")
    for index in range(5):
        mission = factories.MissionFactory(slug=f"m-{index}", name=f"Mission {index}")
        if index % 2:
            mission.organisations.add(un)
    factories.MissionFactory(slug="secret", draft=True)


def read(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    return pandas.read_csv(io.BytesIO(response.content), keep_default_na=False)


def test_csv_rows_are_the_json_rows_with_the_same_filters_order_and_paging(
    api, missions
):
    query = "?organisation=un&ordering=-name&page_size=1&page=2"
    url = reverse("api:mission-list") + query
    body = api.get(url).json()
    response = api.get(url, HTTP_ACCEPT="text/csv")
    frame = read(response)
    assert list(frame["slug"]) == [row["slug"] for row in body["results"]] == ["m-1"]
    assert frame.loc[0, "organisations"] == "un"
    assert response["X-Total-Count"] == str(body["count"]) == "2"
    assert 'rel="prev"' in response["Link"]
    assert "Accept" in response["Vary"]
    # ?format=csv says the same as the Accept header.
    assert api.get(url + "&format=csv").content == response.content


def test_every_list_answers_csv_without_drafts(api, missions):
    factories.CitationFactory(target=factories.NormFactory(slug="consent"))
    factories.CaseFactory(slug="suez-crisis")
    factories.DocumentFactory(slug="res-1000")
    factories.ConceptFactory(slug="liberal-peace")
    factories.ComparisonRowFactory(slug="consent-row")
    for name in LISTS:
        url = reverse(f"api:{name}-list")
        response = api.get(url, HTTP_ACCEPT="text/csv")
        frame = read(response)
        rows = api.get(url).json()["results"]
        assert rows, name
        assert list(frame["url"]) == [row["url"] for row in rows], name
        assert "secret" not in response.content.decode(), name


def test_an_empty_page_still_has_its_header(api, missions):
    frame = read(
        api.get(
            reverse("api:mission-list") + "?q=nothing-matches-this",
            HTTP_ACCEPT="text/csv",
        )
    )
    assert frame.empty
    assert {"slug", "name", "conception"} <= set(frame.columns)


def test_csv_errors_keep_the_json_error_shape(api, missions):
    response = api.get(
        reverse("api:mission-list") + "?organisaton=un", HTTP_ACCEPT="text/csv"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "organisaton" in response.json()["errors"]


def test_a_detail_does_not_offer_csv(api, missions):
    response = api.get(
        reverse("api:mission-detail", kwargs={"slug": "m-0"}), HTTP_ACCEPT="text/csv"
    )
    assert response.status_code == 406


def test_the_schema_declares_csv_on_lists(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    answer = schema["paths"]["/api/v1/missions/"]["get"]["responses"]["200"]
    assert answer["content"]["text/csv"]["schema"] == {"type": "string"}
    assert "X-Total-Count" in answer["headers"]
    detail = schema["paths"]["/api/v1/missions/{slug}/"]["get"]["responses"]["200"]
    assert "text/csv" not in detail["content"]
