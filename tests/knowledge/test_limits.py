"""Rules the pages and the API share are one number each (apps/knowledge/limits.py):
the same records compared at most, the same related records listed per relation."""

import pytest
from rest_framework.test import APIClient

from apps.knowledge import limits
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_page_and_the_api_compare_the_same_number_of_records(client):
    slugs = [f"m{n}" for n in range(limits.COMPARE_MAX + 1)]
    for slug in slugs:
        factories.MissionFactory(slug=slug)
    api = APIClient()

    page = client.get(f"/compare/missions/?ids={','.join(slugs)}")
    assert len(page.context["records"]) == limits.COMPARE_MAX
    assert "At most four missions" in page.content.decode()
    too_many = api.get(f"/api/v1/compare/records/?ids={','.join(slugs)}")
    assert too_many.status_code == 400
    assert f"at most {limits.COMPARE_MAX}" in str(too_many.json())

    enough = ",".join(slugs[: limits.COMPARE_MAX])
    assert len(client.get(f"/compare/missions/?ids={enough}").context["records"]) == (
        limits.COMPARE_MAX
    )
    assert len(api.get(f"/api/v1/compare/records/?ids={enough}").json()["records"]) == (
        limits.COMPARE_MAX
    )


def test_one_related_limit_cuts_the_page_and_the_api_alike(client, monkeypatch):
    monkeypatch.setattr(limits, "RELATED_LIMIT", 2)
    un = factories.OrganisationFactory(slug="un")
    for _ in range(3):
        factories.MissionFactory(cited=False).organisations.add(un)

    page = client.get(un.get_absolute_url())
    group = next(
        g for g in page.context["related_groups"] if g["heading"] == "Missions it ran"
    )
    assert (len(group["items"]), group["total"]) == (2, 3)
    data = APIClient().get("/api/v1/organisations/un/").json()
    assert (len(data["missions"]), data["missions_count"]) == (2, 3)
