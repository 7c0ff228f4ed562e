"""Issue 12 on the pages and in the API: whose judgement each classification is, public
caveats, "not established" reasons, open-ended dates, and records with no date counted
("not coded") instead of dropped."""

import datetime
import html
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.html import strip_tags

from apps.knowledge.api import export
from apps.knowledge.models import Classification
from apps.knowledge.models import MandateTask
from apps.knowledge.models import SourceCreator
from apps.knowledge.views import rows
from tests import factories

pytestmark = pytest.mark.django_db


def text(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def author_classified(**kwargs):
    """A mission classified by Bellamy, Williams and Griffin themselves, p. 27."""
    mission = factories.MissionFactory(classified=False, **kwargs)
    source = factories.SourceFactory(page_first=11, page_last=33)
    for position, family in enumerate(["Bellamy", "Williams", "Griffin"]):
        SourceCreator.objects.create(
            source=source, role="author", family=family, position=position
        )
    classification = Classification.objects.create(
        target=mission,
        value="westphalian",
        basis="author",
        preferred=True,
        rationale="Order between states.",
    )
    factories.CitationFactory(
        target=classification, source=source, claim="classification", locator="27"
    )
    return mission


def curators_label(mission, value, rule, departure):
    """The curators' preferred label for a mission by a rule of the codebook, and why
    it departs (from the rule, or from missions coded alike)."""
    return Classification.objects.create(
        target=mission,
        value=value,
        basis="curators",
        rule=rule,
        departure=departure,
        preferred=True,
        rationale=f"By rule {rule}.",
    )


def curators_classified(**kwargs):
    """A mission the curators classified by rule tasks-westphalian (interposition)."""
    mission = factories.MissionFactory(classified=False, **kwargs)
    task = MandateTask.objects.create(
        slug="interposition", name="Interposition", conception="westphalian"
    )
    mission.mandate_tasks.add(task)
    classification = curators_label(
        mission, "mixed", "tasks-westphalian", "Its later years added policing."
    )
    factories.CitationFactory(target=classification, claim="mandate_tasks")
    return mission


def test_detail_and_list_say_whose_judgement_and_link_the_rule(client):
    author = author_classified(name="Author Force")
    curators = curators_classified(name="Curated Force")
    page = text(client.get(author.get_absolute_url()))
    assert "Bellamy, Williams and Griffin&#x27;s classification, p. 27" in page
    page = text(client.get(curators.get_absolute_url()))
    assert (
        '<a class="basis" href="/data/#rule-tasks-westphalian">Curators&#x27; '
        "application of the rule “Westphalian tasks only”</a>" in page
    )
    assert "Its later years added policing." in page  # the departure
    listing = text(client.get("/missions/"))
    assert "Bellamy, Williams and Griffin&#x27;s classification, p. 27" in listing
    assert 'href="/data/#rule-tasks-westphalian"' in listing
    compared = text(client.get(f"/compare/missions/?ids={author.slug},{curators.slug}"))
    assert "Bellamy, Williams and Griffin&#x27;s classification, p. 27" in compared
    assert "Curators&#x27; application of the rule “Westphalian tasks only”" in compared
    overview = text(client.get("/compare/"))
    assert "Bellamy, Williams and Griffin&#x27;s classification, p. 27" in overview
    assert 'href="/data/#rule-tasks-westphalian"' in overview


def readable(response):
    """What a reader sees of a page: its text without tags, scripts or styles."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", text(response), flags=re.S)
    return " ".join(html.unescape(strip_tags(page)).split())


def test_a_curators_classification_names_its_rule_by_title(client):
    """A reader sees the rule's title, not its slug (the slug stays in the link to the
    codebook, and in the API's `rule`), wherever the basis is shown."""
    mission = curators_classified(
        name="Curated Force",
        start_date=datetime.date(1974, 3, 1),  # on the timeline
        start_precision="month",
    )
    mission.classifications.update(rationale="Interposition, nothing more.")
    factories.MissionFactory(slug="other")
    shown = "Curators' application of the rule “Westphalian tasks only”"
    for url in (
        mission.get_absolute_url(),
        "/missions/",
        f"/compare/missions/?ids={mission.slug},other",
        "/compare/",
        "/timeline/",
    ):
        seen = readable(client.get(url))
        assert shown in seen, url
        assert "tasks-westphalian" not in seen, url
    item = client.get(f"/api/v1/missions/{mission.slug}/").json()["classifications"][0]
    assert (item["rule"], item["basis_display"]) == ("tasks-westphalian", shown)


def test_deep_list_pages_print_the_same_conceptions(client, monkeypatch):
    """Past the first pages a list reads its preferred classifications in a query of
    their own instead of joined to the page's (rows.JOIN_PREFERRED_BELOW): the page
    must read the same either way."""
    author_classified(name="Author Force")
    curators_classified(name="Curated Force")
    factories.MissionFactory(classified=False, name="Unclassified Force")
    factories.CaseFactory(name="Some Conflict")
    joined = [text(client.get(path)) for path in ("/missions/", "/cases/")]
    assert "Bellamy, Williams and Griffin&#x27;s classification, p. 27" in joined[0]
    assert "Not classified" in joined[0]
    monkeypatch.setattr(rows, "JOIN_PREFERRED_BELOW", 0)
    apart = [text(client.get(path)) for path in ("/missions/", "/cases/")]
    assert apart == joined


def test_a_departure_heading_says_whether_the_label_leaves_its_rule(client):
    """A reason given for differing from a mission coded alike, with the rule's own
    value kept, is not presented as a departure from the rule."""
    departing = curators_classified(name="Departing Force")
    page = text(client.get(departing.get_absolute_url()))
    assert "Why it departs from the rule “Westphalian tasks only”:" in page
    same = factories.MissionFactory(classified=False, name="Aims Force")
    curators_label(
        same,
        "westphalian",
        "aims-between-states",
        "Its own mandate states an aim between states.",
    )
    page = text(client.get(same.get_absolute_url()))
    assert "Why it is labelled differently from missions coded alike:" in page
    assert "Why it departs from" not in page
    assert "Its own mandate states an aim between states." in page


def test_codebook_page_states_every_rule_at_its_anchor(client):
    page = text(client.get("/data/"))
    for slug in [
        "tasks-westphalian",
        "tasks-post-westphalian",
        "tasks-both",
        "aims-between-states",
        "aims-inside-state",
    ]:
        assert f'id="rule-{slug}"' in page
    assert "Taking sides, lacking a UN mandate or failing to act are not signs" in page


def test_api_gives_basis_rule_label_and_departure(client):
    author = author_classified()
    curators = curators_classified()
    body = client.get(f"/api/v1/missions/{author.slug}/").json()
    (item,) = body["classifications"]
    assert item["basis"] == "author" and item["rule"] == ""
    assert (
        item["basis_display"] == "Bellamy, Williams and Griffin's classification, p. 27"
    )
    body = client.get(f"/api/v1/missions/{curators.slug}/").json()
    (item,) = body["classifications"]
    assert (item["basis"], item["rule"], item["rule_label"]) == (
        "curators",
        "tasks-westphalian",
        "Westphalian tasks only",
    )
    assert item["departure"] == "Its later years added policing."
    rows = client.get("/api/v1/classifications/").json()["results"]
    assert {r["basis"] for r in rows} == {"author", "curators"}
    listed = {
        r["slug"]: (r["conception_basis"], r["conception_rule"])
        for r in client.get("/api/v1/missions/").json()["results"]
    }
    assert listed == {
        author.slug: ("author", None),
        curators.slug: ("curators", "tasks-westphalian"),
    }
    export.store_current_version()  # the file is cut from the stored version
    table = client.get("/api/v1/export/missions.csv").content.decode()
    assert "conception_basis" in table.splitlines()[0]
    assert "curators,tasks-westphalian" in table


def test_caveat_and_not_established_reasons_are_public(client):
    mission = factories.MissionFactory(
        caveat="Its end date is disputed between the sources.",
        host_consent="",
        not_established={"host_consent": "No cited text says whether it was asked."},
        start_date=datetime.date(1956, 11, 1),
        start_precision="month",
    )
    page = text(client.get(mission.get_absolute_url()))
    assert "Its end date is disputed between the sources." in page
    assert "Not established: No cited text says whether it was asked." in page
    assert "November 1956\u2013<" not in page and "November 1956\u2013 " not in page
    body = client.get(f"/api/v1/missions/{mission.slug}/").json()
    assert body["caveat"] == "Its end date is disputed between the sources."
    assert body["not_established"] == {
        "host_consent": "No cited text says whether it was asked."
    }


DATE_RANGES = {  # a mission's dates -> how they read, and what its page says of them
    "continuing": (
        {
            "start_date": datetime.date(1999, 6, 1),
            "start_precision": "month",
            "continuing_as_of_date": datetime.date(2004, 3, 1),
            "continuing_as_of_precision": "month",
        },
        "from June 1999, continuing as of March 2004",
        "from June 1999, continuing as of March 2004",
    ),
    "same-year": (
        {
            "start_date": datetime.date(1994, 1, 1),
            "start_precision": "year",
            "end_date": datetime.date(1994, 1, 1),
            "end_precision": "year",
        },
        "1994",
        "1994",
    ),
    "month-then-year": (
        {
            "start_date": datetime.date(1992, 8, 1),
            "start_precision": "month",
            "end_date": datetime.date(1992, 1, 1),
            "end_precision": "year",
        },
        "August 1992 (ended the same year)",
        "August 1992 (ended the same year)",
    ),
    "end-not-established": (
        {
            "start_date": datetime.date(1956, 11, 1),
            "start_precision": "month",
            "not_established": {"end": "No document gives it."},
        },
        "from November 1956, end not established",
        "end not established: No document gives it.",
    ),
}


@pytest.mark.parametrize(
    "dates, reads, on_page", DATE_RANGES.values(), ids=DATE_RANGES.keys()
)
def test_open_ended_and_same_year_ranges_read_correctly(client, dates, reads, on_page):
    mission = factories.MissionFactory(**dates)
    assert mission.dates_display == reads
    assert on_page in text(client.get(mission.get_absolute_url()))


def test_undated_records_are_counted_as_not_coded_everywhere(client):
    factories.MissionFactory(
        start_date=datetime.date(1956, 11, 1), start_precision="month"
    )
    factories.MissionFactory(start_date=None, start_precision="")
    factories.MissionFactory(start_date=None, start_precision="")
    response = client.get("/missions/")
    facets = {g.param: g for g in response.context["facets"]}
    decades = {v.value: (v.label, v.count) for v in facets["decade"].values}
    assert decades == {"1950": ("1950s", 1), "none": ("Not coded", 2)}
    page = text(client.get("/missions/?decade=none"))
    assert (
        "2 missions" in page
        or len(client.get("/missions/?decade=none").context["object_list"]) == 2
    )
    api = client.get("/api/v1/missions/?decade=none").json()
    assert api["count"] == 2
    assert client.get("/api/v1/missions/?decade=1950,none").json()["count"] == 3
    bad = client.get("/api/v1/missions/?decade=nope")
    assert bad.status_code == 400 and "decade" in bad.json()["errors"]
    compare = client.get("/compare/")
    (missions, _cases) = compare.context["view"].classified
    rows = {r["label"]: r["total"] for r in missions["decades"]}
    assert rows == {"1950s": 1, "Not coded": 2}
    timeline = text(client.get("/timeline/"))
    assert "2 more missions matching these filters have no start date coded" in timeline
    assert "/missions/?decade=none" in timeline


def test_content_report_counts_fields_and_lists_inconsistencies(settings):
    settings.LANGUAGE_CODE = "en"
    complete = factories.MissionFactory(
        slug="complete",
        **factories.period("1956-11-01", "1967-06-01"),
        traditional_coding=True,
        not_established={},
    )
    factories.CitationFactory(target=complete, claim="dates")
    factories.CitationFactory(target=complete, claim="mission_type")
    factories.MissionFactory(
        slug="reasoned",
        **factories.period("1960-01-01"),
        traditional_coding=True,
        not_established={"end": "No document gives it."},
    )
    gap = factories.MissionFactory(slug="gappy", host_consent="", impartiality="")
    out = io.StringIO()
    call_command("content_report", stdout=out)
    report = out.getvalue()
    assert "Missions: 3 records" in report
    start_line = next(line for line in report.splitlines() if "  start " in line)
    assert start_line.split()[1:] == [
        "1",
        "1",
        "0",
        "1",
    ]  # cited, uncited, n/e, missing
    end_line = next(line for line in report.splitlines() if "  end " in line)
    assert end_line.split()[1:] == ["1", "0", "1", "1"]
    # Every mission has a type; only one cites a text for it.
    type_line = next(line for line in report.splitlines() if "  mission_type " in line)
    assert type_line.split()[1:] == ["1", "2", "0", "0"]
    assert "  gappy: start, end, host_consent" in report
    assert "reasoned:" not in report
    with pytest.raises(CommandError, match="1 mission"):
        call_command("content_report", "--strict", stdout=io.StringIO())
    gap.delete()
    call_command("content_report", "--strict", stdout=io.StringIO())  # no error


def test_content_report_lists_same_coding_different_labels_and_rule_conflicts():
    # Coded alike: a traditional force under Chapter VI.
    coded = {"traditional_coding": True, "legal_basis": "un_chapter_vi"}
    factories.MissionFactory(slug="alpha", classified="westphalian", **coded)
    factories.MissionFactory(slug="beta", classified="mixed", **coded)
    mission = factories.MissionFactory(slug="gamma", classified=False)
    Classification.objects.create(
        target=mission,
        value="westphalian",
        basis="curators",
        rule="tasks-westphalian",  # but it has no tasks
        preferred=True,
        rationale="r",
    )
    out = io.StringIO()
    call_command("content_report", stdout=out)
    report = out.getvalue()
    assert "Coded alike, labelled differently, no departure stated: 1" in report
    assert "alpha (westphalian); beta (mixed)" in report
    assert "missions/gamma: rule tasks-westphalian does not match" in report


def test_content_report_leaves_out_a_stated_departure_and_a_partial_coding():
    # Coded alike: a traditional force under Chapter VI.
    coded = {"traditional_coding": True, "legal_basis": "un_chapter_vi"}
    factories.MissionFactory(slug="alpha", classified="westphalian", **coded)
    beta = factories.MissionFactory(slug="beta", classified="mixed", **coded)
    beta.classifications.update(departure="Its mandate was widened in 1999.")
    partial = {**coded, "legal_basis": ""}
    factories.MissionFactory(slug="gamma", classified="mixed", **partial)
    out = io.StringIO()
    call_command("content_report", stdout=out)
    assert "Coded alike, labelled differently, no departure stated: 0" in (
        out.getvalue()
    )
