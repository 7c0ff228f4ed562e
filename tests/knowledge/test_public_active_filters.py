"""A filtered list or timeline says in words which filters are in force."""

import datetime

import pytest

from apps.knowledge.models import Country
from tests import factories

pytestmark = pytest.mark.django_db


def active_filters(client, url):
    content = client.get(url).content.decode()
    start = content.find('<p class="active-filters">')
    return content[start : content.find("</p>", start)] if start >= 0 else None


@pytest.fixture
def african_mission():
    case = factories.CaseFactory()
    case.countries.add(
        Country.objects.create(code="SL", name="Sierra Leone", region="africa")
    )
    mission = factories.MissionFactory(
        legal_basis="un_chapter_vii", start_date=datetime.date(1999, 10, 1)
    )
    mission.cases.add(case)
    return mission


def test_a_filtered_list_names_each_filter_and_how_to_clear_them(
    client, african_mission
):
    line = active_filters(
        client, "/missions/?region=africa&legal_basis=un_chapter_vii&q=force"
    )
    assert "region: Africa" in line
    assert "legal basis: UN Charter, Chapter VII (enforcement)" in line
    assert "words: “force”" in line
    assert '<a href="/missions/">Clear all filters</a>' in line


def test_the_timeline_names_its_filters_too(client, african_mission):
    line = active_filters(client, "/timeline/?decade=1990")
    assert "decade of start: 1990s" in line


def test_no_line_when_nothing_or_nothing_valid_is_filtered(client, african_mission):
    assert active_filters(client, "/missions/") is None
    assert active_filters(client, "/missions/?ordering=name") is None
    # A rejected value is explained by the error box, never claimed as applied.
    assert active_filters(client, "/missions/?decade=1990s") is None


def test_the_list_behind_a_see_all_link_names_its_record(client, african_mission):
    """A detail page's "see all" opens /missions/?case=<slug>: no facet shows that
    filter, so the line and the title name the case itself."""
    case = african_mission.cases.get()
    response = client.get(f"/missions/?case={case.slug}&started_after=1999-01-01")
    content = response.content.decode()
    line = active_filters(client, f"/missions/?case={case.slug}")
    assert f"case: {case.name}" in line
    assert f"<title>Missions: {case.name}, 1999-01-01 ·" in content
    assert "started on or after: 1999-01-01" in content


def test_a_draft_record_filter_is_refused_without_its_name(client):
    draft = factories.CaseFactory(name="Unpublished war", draft=True)
    content = client.get(f"/missions/?case={draft.slug}").content.decode()
    assert "Unpublished war" not in content
