"""Records without a date read last, in the same order on SQLite and PostgreSQL.

PostgreSQL sorts NULL last ascending and first descending, SQLite the other way round:
the missions list opened on the nine undated missions on SQLite and on 1945 on
PostgreSQL, and "Start (descending)" did the opposite."""

import datetime
import re

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def missions():
    undated = factories.MissionFactory(slug="undated", name="A undated mission")
    old = factories.MissionFactory(
        slug="old", name="B old mission", start_date=datetime.date(1956, 11, 1)
    )
    new = factories.MissionFactory(
        slug="new", name="C new mission", start_date=datetime.date(1999, 10, 1)
    )
    return undated, old, new


def listed(client, url):
    content = client.get(url).content.decode()
    return re.findall(r'<h3><a href="/missions/([\w-]+)/"', content)


def test_the_missions_list_reads_undated_missions_last_either_way(client, missions):
    assert listed(client, "/missions/") == ["old", "new", "undated"]
    assert listed(client, "/missions/?ordering=start") == ["old", "new", "undated"]
    assert listed(client, "/missions/?ordering=-start") == ["new", "old", "undated"]


def test_the_api_reads_them_in_the_same_order(client, missions):
    def slugs(query):
        return [
            row["slug"]
            for row in client.get(f"/api/v1/missions/{query}").json()["results"]
        ]

    assert slugs("") == ["old", "new", "undated"]
    assert slugs("?ordering=-start") == ["new", "old", "undated"]


def test_a_rows_cases_and_the_compare_menu_read_undated_records_last(client, missions):
    _undated, old, _new = missions
    dated_case = factories.CaseFactory(
        slug="dated-case", name="Z dated", start_date=datetime.date(1960, 1, 1)
    )
    undated_case = factories.CaseFactory(slug="undated-case", name="A undated")
    old.cases.add(undated_case, dated_case)
    row = next(
        r
        for r in client.get("/api/v1/missions/").json()["results"]
        if r["slug"] == "old"
    )
    assert [case["slug"] for case in row["cases"]] == ["dated-case", "undated-case"]
    # The detail page's "compare with" menu offers the others in the list's order.
    menu = client.get("/missions/undated/").content.decode()
    assert menu.index('value="old"') < menu.index('value="new"')
    menu = client.get("/missions/new/").content.decode()
    assert menu.index('value="old"') < menu.index('value="undated"')


def test_the_documents_list_reads_undated_documents_last(client):
    factories.DocumentFactory(slug="no-date", title="A document without date")
    factories.DocumentFactory(
        slug="dated", title="B dated", date=datetime.date(1990, 11, 21)
    )
    content = client.get("/documents/").content.decode()
    assert re.findall(r'<h3><a href="/documents/([\w-]+)/"', content) == [
        "dated",
        "no-date",
    ]
