"""The public pages: what a student sees on each of them."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.knowledge import services
from apps.knowledge import views
from apps.knowledge.models import Classification
from apps.knowledge.models import Country
from tests import factories

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


def page_text(client, url):
    """The page at `url` as a visitor reads it; it must be there (200)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return text(response)


# Home and static pages -----------------------------------------------------------------


def test_home_shows_the_question_counts_and_recent_records(client):
    factories.MissionFactory.create_batch(2, name="Recently edited mission")
    response = client.get("/")
    assert response.status_code == 200
    content = text(response)
    assert "Westphalian" in content and "Post-Westphalian" in content
    counts = {label: count for label, count, _ in response.context["view"].counts}
    assert counts["missions"] == 2
    assert "Recently edited mission" in content
    assert '<link rel="canonical" href="http://testserver/">' in content


def test_home_counts_and_recent_records_follow_every_publish(
    client, django_capture_on_commit_callbacks
):
    mission = factories.MissionFactory(name="First mission")
    first = text(client.get("/"))
    assert "First mission" in first
    with CaptureQueriesContext(connection) as queries:
        assert text(client.get("/")) == first  # served from the cached fragments
    assert not any("knowledge_" in q["sql"] for q in queries)
    with django_capture_on_commit_callbacks(execute=True):
        factories.MissionFactory(name="Second mission")
        services.record_unpublish(record=mission)
    response = client.get("/")
    assert "Second mission" in text(response) and "First mission" not in text(response)
    counts = {label: count for label, count, _ in response.context["view"].counts}
    assert counts["missions"] == 1


def test_about_generates_the_coding_scheme_from_live_data(client):
    factories.MissionFactory(host_consent="all_parties")
    factories.MissionFactory(host_consent="all_parties")
    factories.MissionFactory(host_consent="none")
    task = factories.MandateTaskFactory()
    factories.MissionFactory().mandate_tasks.add(task)
    content = page_text(client, reverse("knowledge:about"))
    # DEFINITIONS from the TextChoices, and live counts linking to the filtered list.
    assert "The host state and the main parties to the conflict agreed" in content
    assert "/missions/?consent=all_parties" in content
    assert ">2 missions</a>" in content
    assert "Organising or monitoring a vote." in content
    assert "/missions/?mandate_task=elections" in content


def test_robots_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in text(response)
    assert "Disallow: /admin/" in text(response)


def test_sitemap_lists_pages_and_records(client):
    mission = factories.MissionFactory()
    content = text(client.get("/sitemap.xml"))
    assert f"http://testserver{mission.get_absolute_url()}" in content
    assert "http://testserver/compare/" in content


def test_404_page_is_helpful(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    content = text(response)
    assert "There is no published page at this address" in content
    assert 'role="search"' in content


# Not a whole number from 1, as the API's lists read `page` too (a 400 naming it).
NOT_PAGE_NUMBERS = [
    "0",
    "00",
    "-1",
    "+2",
    "1.5",
    "1e3",
    "abc",
    "1,2",
    "\uff11",  # a full-width one, which int() would read as 1
    "٣",  # an Arabic-Indic three
    "<b>2</b>",
]


@pytest.mark.parametrize("model_name", list(factories.PAGE_FACTORIES))
def test_a_list_page_number_that_is_not_a_number_is_a_400_that_says_so(
    client, model_name
):
    """Every list: the number is wrong, not the address; the page says so, in words,
    and links to the first page of the same list."""
    factories.PAGE_FACTORIES[model_name]()
    path = reverse(f"knowledge:{model_name}-list")
    for page in NOT_PAGE_NUMBERS:
        response = client.get(path, {"page": page})
        assert response.status_code == 400, page
        content = text(response)
        asked = page.replace("<", "&lt;").replace(">", "&gt;")
        assert (
            f"“{asked}” is not a valid page number: the pages of this list are "
            "numbered from 1." in content
        ), page
        assert f'<a href="{path}">Go to the first page</a>' in content
        assert '<meta name="robots" content="noindex">' in content
        assert "There is no published page at this address" not in content
    # A number past the end is a page that is not there (404), as in the API; an empty
    # one is the list's own address; neither is ever a server error.
    for page in ("4", "1" + "0" * 20, "9" * 5000):
        assert client.get(path, {"page": page}).status_code == 404, page[:20]
    assert client.get(path, {"page": ""}).status_code == 302
    assert client.get(path, {"page": "1"}).status_code == 200
    assert client.get(path, {"page": "last"}).status_code == 200


def test_the_first_page_link_keeps_the_filters_and_the_order(client):
    factories.NormFactory(conception="westphalian")
    response = client.get("/norms/?conception=westphalian&ordering=-name&page=0")
    assert response.status_code == 400
    assert (
        '<a href="/norms/?conception=westphalian&amp;ordering=-name">'
        "Go to the first page</a>" in text(response)
    )


@pytest.mark.parametrize("page", ["4", "1" + "0" * 20])
def test_a_list_page_number_past_the_end_says_so(client, page):
    """Not "no published page at this address": the list is there, the page is not."""
    for _ in range(31):  # two pages of 30
        factories.NormFactory()
    response = client.get("/norms/", {"page": page})
    assert response.status_code == 404
    content = text(response)
    assert (
        f"There is no page “{page[:20]}” of this list: pages run from 1 to 2."
        in content
    )
    assert "There is no published page at this address" not in content
    assert 'role="search"' in content
    assert client.get("/norms/", {"page": "2"}).status_code == 200


def test_a_page_past_the_end_links_to_the_last_page_with_the_same_filters(client):
    """An old link to page 999 of a filtered, sorted list: still a 404 (not a redirect
    that caches and crawlers would file under the old address), not indexed, and one
    link to the last page that keeps the filters and the order."""
    for _ in range(31):  # two pages of 30
        factories.NormFactory(conception="westphalian")
    response = client.get("/norms/?conception=westphalian&ordering=-name&page=999")
    assert response.status_code == 404
    content = text(response)
    assert '<meta name="robots" content="noindex">' in content
    assert "There is no page “999” of this list: pages run from 1 to 2." in content
    assert (
        '<a href="/norms/?conception=westphalian&amp;ordering=-name&amp;page=2">'
        "Go to the last page (page 2)</a>" in content
    )
    # A list of one page: its last page is the list's own address.
    response = client.get("/norms/?conception=post_westphalian&page=3")
    assert response.status_code == 404
    assert (
        '<a href="/norms/?conception=post_westphalian">Go to the last page (page 1)</a>'
        in text(response)
    )
    # An address with no such list says nothing of a last page.
    assert "Go to the last page" not in text(client.get("/no/such/page/"))


def test_the_country_facet_is_headed_by_what_it_shows(client):
    """The facet lists country names, so its heading does not promise ISO codes (the
    URL and the API still take the codes)."""
    egypt = Country.objects.create(code="EG", name="Egypt", region="middle_east")
    case = factories.CaseFactory()
    case.countries.add(egypt)
    factories.MissionFactory().cases.add(case)
    for url in ("/missions/", "/cases/"):
        response = client.get(url)
        country = next(g for g in response.context["facets"] if g.param == "country")
        assert country.label == "Country"
        assert "ISO code" not in text(response)
    chosen = page_text(client, "/missions/?country=EG")
    assert "country: Egypt" in chosen


def test_500_template_stands_alone():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert "{%" not in html


# Lists -------------------------------------------------------------------------------


@pytest.mark.parametrize("model_name", list(factories.PAGE_FACTORIES))
def test_every_list_renders_with_an_api_link(client, model_name):
    record = factories.PAGE_FACTORIES[model_name]()
    content = page_text(client, reverse(f"knowledge:{model_name}-list"))
    assert record.get_absolute_url() in content
    plural = record._meta.verbose_name_plural
    assert f'href="/api/v1/{plural}/"' in content


def test_mission_facets_filter_with_several_values(client):
    un = factories.OrganisationFactory(slug="un", name="United Nations")
    osce = factories.OrganisationFactory(slug="osce", name="OSCE")
    nato = factories.OrganisationFactory(slug="nato", name="NATO")
    a = factories.MissionFactory(name="Run by the UN")
    b = factories.MissionFactory(name="Run by the OSCE")
    c = factories.MissionFactory(name="Run by NATO")
    a.organisations.add(un)
    b.organisations.add(osce)
    c.organisations.add(nato)
    response = client.get("/missions/?organisation=un,osce")
    content = text(response)
    assert "Run by the UN" in content and "Run by the OSCE" in content
    assert "Run by NATO" not in content
    assert 'href="/api/v1/missions/?organisation=un,osce"' in content


def test_repeated_parameters_redirect_to_the_comma_form(client):
    response = client.get("/missions/?organisation=un&organisation=osce&q=")
    assert response.status_code == 302
    assert response["Location"] == "/missions/?organisation=un,osce"


def test_conception_filter_reads_the_records_own_preferred_judgement(client):
    mission = factories.MissionFactory(slug="west", classified="westphalian")
    # A case with the same key, judged otherwise, and a judgement of the mission
    # that is not the preferred one: neither makes the mission post-Westphalian.
    factories.CaseFactory(id=mission.pk, slug="post", classified="post_westphalian")
    Classification.objects.create(
        target=mission, value="post_westphalian", preferred=False, rationale="Other."
    )

    def listed(path):
        return [record.slug for record in client.get(path).context["page_obj"]]

    assert listed("/missions/?conception=post_westphalian") == []
    assert listed("/missions/?conception=westphalian,mixed") == ["west"]
    assert listed("/cases/?conception=post_westphalian") == ["post"]
    assert listed("/cases/?conception=westphalian") == []


def test_facet_counts_respect_the_other_facets(client):
    un = factories.OrganisationFactory(slug="un", name="United Nations")
    osce = factories.OrganisationFactory(slug="osce", name="OSCE")
    factories.MissionFactory(classified="westphalian", organisations=[un])
    factories.MissionFactory(classified="post_westphalian", organisations=[un])
    factories.MissionFactory(classified="post_westphalian", organisations=[osce])
    factories.MissionFactory(
        classified="post_westphalian", draft=True, organisations=[un]
    )

    response = client.get("/missions/?organisation=un")
    facets = {group.param: group for group in response.context["facets"]}
    conception = {v.value: v.count for v in facets["conception"].values}
    # Within the UN's missions: one of each; the draft is never counted.
    assert conception == {"westphalian": 1, "post_westphalian": 1}
    # The organisation facet ignores its own selection: choosing OSCE too would add one.
    organisations = {
        v.value: (v.count, v.selected) for v in facets["organisation"].values
    }
    assert organisations == {"un": (2, True), "osce": (1, False)}
    # Each value links to the query with it toggled.
    osce_value = next(v for v in facets["organisation"].values if v.value == "osce")
    assert osce_value.url == "?organisation=un,osce"
    un_value = next(v for v in facets["organisation"].values if v.value == "un")
    assert un_value.url == "?"


def test_facets_hide_draft_values(client):
    hidden = factories.OrganisationFactory(
        slug="secret-org", name="Secret org", draft=True
    )
    factories.MissionFactory().organisations.add(hidden)
    response = client.get("/missions/")
    assert "Secret org" not in text(response)


def test_decade_and_region_facets(client):
    egypt = Country.objects.create(code="EG", name="Egypt", region="middle_east")
    case = factories.CaseFactory(start_date=datetime.date(1956, 10, 1))
    case.countries.add(egypt)
    mission = factories.MissionFactory(start_date=datetime.date(1956, 11, 1))
    mission.cases.add(case)
    factories.MissionFactory(start_date=datetime.date(1999, 6, 1))
    response = client.get("/missions/?decade=1950")
    facets = {group.param: group for group in response.context["facets"]}
    assert {v.value: v.count for v in facets["decade"].values} == {"1950": 1, "1990": 1}
    assert {v.label: v.count for v in facets["region"].values} == {"Middle East": 1}
    assert {v.label: v.count for v in facets["country"].values} == {"Egypt": 1}
    assert list(response.context["object_list"]) == [mission]


def test_invalid_filter_value_is_reported(client):
    factories.MissionFactory()
    response = client.get("/missions/?conception=feudal")
    assert response.status_code == 400
    assert "Some filters could not be applied" in text(response)


def test_sorting_and_pagination(client):
    for name in ["Charlie", "Alpha", "Bravo"]:
        factories.MissionFactory(name=name, acronym="")
    names = [
        m.name for m in client.get("/missions/?ordering=-name").context["object_list"]
    ]
    assert names == ["Charlie", "Bravo", "Alpha"]
    factories.MissionFactory.create_batch(30)
    first = client.get("/missions/?ordering=name")
    assert first.context["paginator"].num_pages == 2
    assert 'href="?ordering=name&amp;page=2"' in text(first)
    second = client.get("/missions/?ordering=name&page=2")
    assert second.status_code == 200
    assert len(second.context["object_list"]) == 3


def test_mission_list_offers_comparison_checkboxes(client):
    mission = factories.MissionFactory()
    content = text(client.get("/missions/"))
    assert 'action="/compare/missions/"' in content
    assert f'name="ids" value="{mission.slug}"' in content


def test_glossary_shows_definitions(client):
    factories.ConceptFactory(term="Liberal peace", summary="Peace *among* democracies.")
    content = text(client.get("/glossary/"))
    assert "Liberal peace" in content
    assert "<em>among</em>" in content


# Details -----------------------------------------------------------------------------


def test_mission_detail_numbers_citations_as_footnotes(client):
    mission = factories.MissionFactory(host_consent="all_parties", cited=False)
    summary_source = factories.SourceFactory(title="Summary source")
    consent_source = factories.SourceFactory(title="Consent source")
    factories.CitationFactory(target=mission, source=summary_source, locator="512")
    factories.CitationFactory(
        target=mission, source=consent_source, claim="host_consent", locator="520-521"
    )
    response = client.get(mission.get_absolute_url())
    content = text(response)
    assert "Consent of all main parties" in content
    # The definition of the coded value is shown beside it.
    assert "The host state and the main parties to the conflict agreed" in content
    notes = [(n.number, n.citation.source.title) for n in response.context["footnotes"]]
    assert ("Summary source" in dict(notes).values()) and len(notes) == 3
    consent_number = next(n for n, t in notes if t == "Consent source")
    assert f'href="#fn-{consent_number}"' in content
    assert f'id="fn-{consent_number}"' in content
    assert "pp. 520-521" in content


def test_classification_shows_rationale_period_and_alternative(client):
    mission = factories.MissionFactory(classified="mixed")
    Classification.objects.create(
        target=mission,
        value="westphalian",
        preferred=False,
        period_start=1992,
        period_end=1995,
        rationale="Early years: monitoring with consent.",
    )
    content = text(client.get(mission.get_absolute_url()))
    assert "Consent-based and confined to the line between the parties." in content
    assert "Early years: monitoring with consent." in content
    assert "1992\u20131995" in content
    assert "alternative reading" in content


def test_related_records_link_both_ways(client):
    case = factories.CaseFactory(name="Suez Crisis")
    norm = factories.NormFactory(name="Consent")
    document = factories.DocumentFactory(title="Resolution 1000", norms=[norm])
    mission = factories.MissionFactory(
        name="First Emergency Force", cases=[case], authorised_by=[document]
    )
    assert case.get_absolute_url() in text(client.get(mission.get_absolute_url()))
    assert mission.get_absolute_url() in text(client.get(case.get_absolute_url()))
    assert mission.get_absolute_url() in text(client.get(document.get_absolute_url()))
    assert norm.get_absolute_url() in text(client.get(document.get_absolute_url()))
    assert document.get_absolute_url() in text(client.get(norm.get_absolute_url()))


@pytest.mark.parametrize("model_name", list(factories.PAGE_FACTORIES))
def test_detail_pages_have_cite_this_jsonld_and_canonical(client, model_name):
    record = factories.PAGE_FACTORIES[model_name](
        last_reviewed=datetime.date(2026, 11, 1)
    )
    response = client.get(record.get_absolute_url())
    assert response.status_code == 200
    content = text(response)
    assert "APA" in content and "Chicago" in content
    for ext in ("bib", "ris", "json"):
        assert reverse("knowledge:cite", args=[model_name, record.slug, ext]) in content
    assert "1 November 2026" in content  # last reviewed
    canonical = f"http://testserver{record.get_absolute_url()}"
    assert f'<link rel="canonical" href="{canonical}">' in content
    match = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', content, re.S
    )
    data = json.loads(match.group(1))
    assert data["@context"] == "https://schema.org"
    assert data["url"] == canonical
    assert data["lastReviewed"] == "2026-11-01"
    description = re.search(r'<meta name="description" content="([^"]+)"', content)
    assert description.group(1).startswith(("A record summary.", "Source: "))


def test_source_page_lists_every_published_record_citing_it(client):
    source = factories.SourceFactory(title="Flynn and Farrell")
    mission = factories.MissionFactory(name="Cited directly", cited=False)
    factories.CitationFactory(target=mission, source=source, locator="512")
    classified = factories.MissionFactory(name="Cited for its classification")
    classification = classified.classifications.get()
    factories.CitationFactory(
        target=classification, source=source, claim="classification", locator="530"
    )
    hidden = factories.CaseFactory(name="Draft citing case", draft=True)
    factories.CitationFactory(target=hidden, source=source)
    norm = factories.NormFactory(name="Cited norm")
    factories.CitationFactory(target=norm, source=source, locator="507")
    content = text(client.get(source.get_absolute_url()))
    assert "Cited directly" in content
    assert "Cited for its classification" in content
    assert "p. 530" in content
    assert "Cited norm" in content
    assert "Draft citing case" not in content


@pytest.mark.parametrize(
    ("ext", "content_type", "marker"),
    [
        ("bib", "application/x-bibtex", "@"),
        ("ris", "application/x-research-info-systems", "TY  -"),
        ("json", "application/vnd.citationstyles.csl+json", '"type"'),
    ],
)
def test_citation_downloads(client, ext, content_type, marker):
    mission = factories.MissionFactory(slug="unef-i", name="UNEF I")
    response = client.get(reverse("knowledge:cite", args=["mission", "unef-i", ext]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"] == f'attachment; filename="unef-i.{ext}"'
    body = response.content.decode()
    assert marker in body
    assert mission.get_absolute_url() in body


def test_citation_download_of_a_source_cites_the_work(client):
    source = factories.SourceFactory(
        slug="flynn-farrell-1999", title="Piecing Together"
    )
    body = client.get(
        reverse("knowledge:cite", args=["source", source.slug, "json"])
    ).content.decode()
    assert json.loads(body)[0]["title"] == "Piecing Together"


def test_citation_download_rejects_unknown_formats(client):
    factories.MissionFactory(slug="x")
    assert client.get("/cite/mission/x.doc").status_code == 404
    assert client.get("/cite/widget/x.bib").status_code == 404


# The comparison ---------------------------------------------------------------------------


def test_compare_page_cites_each_cell_and_counts_by_decade(client):
    row = factories.ComparisonRowFactory(name="Consent of the host", cited=False)
    west = factories.SourceFactory(title="Westphalian source")
    factories.CitationFactory(target=row, source=west, claim="westphalian")
    factories.CitationFactory(target=row, claim="post_westphalian", locator="530")
    factories.MissionFactory(
        name="Fifties mission", acronym="", start_date=datetime.date(1956, 11, 1)
    )
    factories.MissionFactory(
        classified="post_westphalian", start_date=datetime.date(1999, 6, 1)
    )
    factories.CaseFactory(classified="mixed", start_date=datetime.date(1991, 1, 1))
    response = client.get(reverse("knowledge:compare"))
    content = text(response)
    assert "Consent of the host" in content
    assert "Westphalian source" in content  # the footnote
    assert 'href="#fn-1"' in content and 'href="#fn-2"' in content
    missions = response.context["view"].classified[0]

    def counts(group):
        return [(r["decade"], [c["n"] for c in r["cells"]]) for r in group["decades"]]

    assert counts(missions) == [(1950, [1, 0, 0]), (1990, [0, 1, 0])]
    cases = response.context["view"].classified[1]
    assert counts(cases) == [(1990, [0, 0, 1])]
    assert "Fifties mission" in content
    # Each count links to the list it counts ("post-Westphalian missions of the
    # 1990s"), which holds exactly that many.
    cell = missions["decades"][1]["cells"][1]
    assert cell["url"] == "/missions/?conception=post_westphalian&decade=1990"
    link = cell["url"].replace("&", "&amp;")
    assert f'<a href="{link}">1</a>' in response.content.decode()
    listed = client.get(cell["url"])
    assert listed.status_code == 200  # the list's canonical address, no redirect
    assert len(listed.context["object_list"]) == 1


def test_compare_page_lists_where_the_texts_disagree_with_their_own_headings(client):
    factories.ComparisonRowFactory(name="Consent of the host")
    factories.ComparisonRowFactory(
        name="Why the national/international boundary eroded",
        section="disagreement",
        westphalian="Flynn and Farrell: the choices of states.",
        post_westphalian="Bellamy, Williams and Griffin: globalization.",
    )
    content = text(client.get(reverse("knowledge:compare")))
    block = content.split('id="section-disagreement"')[1]
    assert "Where the texts disagree" in block
    assert "Why the national/international boundary eroded" in block
    assert "Flynn and Farrell: the choices of states." in block
    assert "A competing view" in block and ">Post-Westphalian<" not in block
    assert "Consent of the host" not in block  # other sections keep their own table
    assert 'href="#section-disagreement"' in content  # listed in the page's contents


def test_compare_page_is_rendered_once_per_content_generation(
    client, django_capture_on_commit_callbacks
):
    row = factories.ComparisonRowFactory(westphalian="Consent comes first.")
    other = factories.ComparisonRowFactory(name="Use of force")
    factories.MissionFactory(name="Early mission", acronym="", classified="westphalian")
    first = text(client.get(reverse("knowledge:compare")))
    assert "Consent comes first." in first and "Use of force" in first
    assert "Early mission" in first and "Later mission" not in first
    # Nothing changed: the table and the counts come from the fragment cache.
    with CaptureQueriesContext(connection) as queries:
        assert text(client.get(reverse("knowledge:compare"))) == first
    assert not any("knowledge_" in q["sql"] for q in queries)
    # Any committed change (an edit, an unpublish, a new mission) shows at once.
    with django_capture_on_commit_callbacks(execute=True):
        row.westphalian = "Consent above all."
        row.save()
        services.record_unpublish(record=other)
        factories.MissionFactory(name="Later mission", acronym="", classified="mixed")
    content = text(client.get(reverse("knowledge:compare")))
    assert "Consent above all." in content and "Consent comes first." not in content
    assert "Use of force" not in content
    assert "Later mission" in content


def test_compare_records_side_by_side_with_citations(client):
    a = factories.MissionFactory(
        slug="unef-i", acronym="UNEF I", host_consent="all_parties"
    )
    b = factories.MissionFactory(
        slug="kfor",
        acronym="KFOR",
        host_consent="contested",
        classified="post_westphalian",
    )
    factories.CitationFactory(target=b, claim="host_consent", locator="525")
    response = client.get("/compare/missions/?ids=unef-i,kfor")
    assert response.status_code == 200
    assert response.context["records"] == [a, b]
    content = text(response)
    assert "Consent of all main parties" in content
    assert "Partial, contested or coerced consent" in content
    assert "p. 525" in content
    conception_row = response.context["rows"][0]
    assert [cell["value"] for cell in conception_row["cells"]] == [
        "westphalian",
        "post_westphalian",
    ]
    assert all(cell["notes"] for cell in conception_row["cells"])
    assert "<title>Comparing UNEF I, KFOR" in content


def test_compare_records_picker_offers_the_chosen_first_and_says_how_many_more(
    client, monkeypatch
):
    monkeypatch.setattr(views.compare, "COMPARE_CHOICES", 3)
    for letter in "abcdef":
        factories.MissionFactory(slug=letter, name=f"Mission {letter}", acronym="")
    factories.MissionFactory(slug="draft", draft=True)
    response = client.get("/compare/missions/?ids=f,e")
    assert [c.slug for c in response.context["choices"]] == ["f", "e", "a", "b", "c"]
    content = text(response)
    assert 'value="f" id="choose-f" checked' in content
    assert 'value="a" id="choose-a">' in content
    assert 'id="choose-d"' not in content
    assert "Showing 5 of 6 missions" in content
    assert "Showing" not in text(client.get("/compare/cases/"))


def test_compare_records_picker_offers_a_mission_published_since_at_once(
    client, django_capture_on_commit_callbacks
):
    # The picker's list is shared by every comparison (cached): a publish renews it.
    for letter in "ab":
        factories.MissionFactory(slug=letter, name=f"Mission {letter}", acronym="")
    response = client.get("/compare/missions/?ids=a")
    assert [c.slug for c in response.context["choices"]] == ["a", "b"]
    with django_capture_on_commit_callbacks(execute=True):
        factories.MissionFactory(slug="c", name="Mission c", acronym="")
    response = client.get("/compare/missions/?ids=a")
    assert [c.slug for c in response.context["choices"]] == ["a", "b", "c"]
    assert 'value="c" id="choose-c">' in text(response)


def test_compare_records_from_checkboxes_redirects_to_the_citable_url(client):
    factories.MissionFactory(slug="a")
    factories.MissionFactory(slug="b")
    response = client.get("/compare/missions/?ids=a&ids=b")
    assert response.status_code == 302
    assert response["Location"] == "/compare/missions/?ids=a,b"


def test_compare_records_bounds(client):
    for slug in "abcde":
        factories.CaseFactory(slug=slug)
    one = client.get("/compare/cases/?ids=a")
    assert one.status_code == 400
    assert "Pick two to four cases" in text(one)
    five = client.get("/compare/cases/?ids=a,b,c,d,e")
    assert len(five.context["records"]) == 4
    assert "At most four cases" in text(five)
    assert client.get("/compare/cases/").status_code == 200
    assert client.get("/compare/norms/?ids=a,b").status_code == 404


def test_mission_detail_offers_add_to_comparison(client):
    mission = factories.MissionFactory(slug="unef-i")
    other = factories.MissionFactory(slug="kfor")
    content = text(client.get(mission.get_absolute_url()))
    assert 'action="/compare/missions/"' in content
    assert '<input type="hidden" name="ids" value="unef-i">' in content
    assert f'<option value="{other.slug}">' in content


# Timeline ---------------------------------------------------------------------------------


def test_timeline_draws_svg_and_a_table_and_filters(client):
    un = factories.OrganisationFactory(slug="un")
    early = factories.MissionFactory(
        acronym="UNEF I",
        start_date=datetime.date(1956, 11, 1),
        end_date=datetime.date(1967, 6, 1),
        end_precision="month",
    )
    early.organisations.add(un)
    factories.MissionFactory(
        acronym="KFOR",
        classified="post_westphalian",
        start_date=datetime.date(1999, 6, 1),
    )
    factories.MissionFactory(acronym="UNDATED")
    content = page_text(client, reverse("knowledge:timeline"))
    assert '<svg viewBox="0 0 960' in content
    assert 'role="img"' in content
    assert "<caption>Missions in the timeline" in content
    assert "UNEF I" in content and "KFOR" in content
    assert "UNDATED" not in content
    assert "bar c-post_westphalian open" in content
    filtered = text(client.get("/timeline/?organisation=un"))
    assert "UNEF I" in filtered and "KFOR" not in filtered


def test_timeline_draws_at_most_its_limit_and_says_how_to_see_the_rest(
    client, monkeypatch
):
    from apps.knowledge import views

    monkeypatch.setattr(views.timeline, "TIMELINE_LIMIT", 2)
    for year in (1956, 1960, 1999):
        factories.MissionFactory(
            acronym=f"M{year}", start_date=datetime.date(year, 1, 1)
        )
    content = text(client.get(reverse("knowledge:timeline")))
    assert "3 missions with a start date" in content
    assert "shows the first 2 by start date" in content
    assert "M1956" in content and "M1960" in content
    assert "M1999" not in content
    filtered = text(client.get("/timeline/?decade=1990"))
    assert "M1999" in filtered and "shows the first" not in filtered


@pytest.mark.parametrize(
    ("query", "dated", "undated"),
    [
        ("", 3, 2),
        ("?decade=1990", 1, 0),
        ("?decade=none", 0, 2),
        ("?decade=1990,none", 1, 2),
        ("?decade=nope", 3, 2),  # not applied: the page says so and shows every one
        ("?organisation=un", 1, 1),
        ("?organisation=un&decade=none", 0, 1),
        ("?started_after=1990-01-01", 1, 0),
    ],
)
def test_timeline_counts_dated_and_undated_missions_under_its_filters(
    client, query, dated, undated
):
    un = factories.OrganisationFactory(slug="un")
    for year in (1956, 1960, 1999):
        mission = factories.MissionFactory(start_date=datetime.date(year, 1, 1))
    mission.organisations.add(un)  # 1999
    factories.MissionFactory().organisations.add(un)  # no start
    factories.MissionFactory()
    for start in (None, datetime.date(1995, 1, 1)):  # drafts count nowhere
        factories.MissionFactory(draft=True, start_date=start).organisations.add(un)
    response = client.get("/timeline/" + query)
    assert response.context["total"] == dated
    assert response.context["undated"] == undated
    content = text(response)
    plural = "" if dated == 1 else "s"
    assert f"{dated} mission{plural} with a start date" in content
    assert ("no start date coded" in content) == (undated > 0)
    if undated:
        plural = "" if undated == 1 else "s"
        assert f"{undated} more mission{plural} matching these filters" in content


def test_coded_values_link_to_records_coded_the_same(client):
    task = factories.MandateTaskFactory()
    mission = factories.MissionFactory(host_consent="contested")
    mission.mandate_tasks.add(task)
    content = text(client.get(mission.get_absolute_url()))
    assert 'href="/missions/?consent=contested"' in content
    assert 'href="/missions/?mandate_task=elections"' in content


def test_note_markers_sit_inside_the_last_paragraph(client):
    mission = factories.MissionFactory(summary="First paragraph.\n\nSecond paragraph.")
    content = text(client.get(mission.get_absolute_url()))
    assert re.search(r"Second paragraph\.<sup class=\"fn\"><a href=\"#fn-1\"", content)


def test_staff_preview_unpublished_records_marked_and_uncached(client, curator):
    draft = factories.MissionFactory(name="Work in progress", draft=True)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(curator)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Preview of an unpublished record" in text(response)
    assert "no-cache" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    published = factories.MissionFactory()
    response = client.get(published.get_absolute_url())
    assert "Preview" not in text(response)


def summary_of(response):
    """The text of a record page's summary section (the meta description repeats it)."""
    found = re.search(r'aria-label="Summary">\s*<p>([^<]*)', text(response))
    return found and found.group(1)


def test_a_record_page_reuses_its_blocks_and_shows_a_published_change_at_once(
    client, settings, django_capture_on_commit_callbacks
):
    settings.BLOCK_CACHE = True
    mission = factories.MissionFactory(summary="First words.")
    norm = factories.NormFactory(name="Consent of the parties")
    mission.norms.add(norm)
    with CaptureQueriesContext(connection) as first:
        assert "First words." in text(client.get(mission.get_absolute_url()))
    with CaptureQueriesContext(connection) as again:
        assert "Consent of the parties" in text(client.get(mission.get_absolute_url()))
    assert len(again) < len(first)  # the blocks were not rendered again
    with django_capture_on_commit_callbacks(execute=True):
        mission.summary = "Second words."
        mission.save()
    assert summary_of(client.get(mission.get_absolute_url())) == "Second words."
    with django_capture_on_commit_callbacks(execute=True):
        norm.name = "Consent of the main parties"
        norm.save()
    assert "Consent of the main parties" in text(client.get(mission.get_absolute_url()))


def test_a_staff_preview_of_a_draft_is_never_stored(client, curator, settings):
    settings.BLOCK_CACHE = True
    draft = factories.MissionFactory(summary="First draft.", draft=True)
    client.force_login(curator)
    assert "First draft." in text(client.get(draft.get_absolute_url()))
    draft.summary = "Second draft."  # a draft's edit moves no version
    draft.save()
    assert summary_of(client.get(draft.get_absolute_url())) == "Second draft."


def test_region_facet_counts_a_mission_whose_other_case_has_no_country(client):
    egypt = Country.objects.create(code="EG", name="Egypt", region="middle_east")
    located = factories.CaseFactory()
    located.countries.add(egypt)
    mission = factories.MissionFactory()
    mission.cases.add(located, factories.CaseFactory())  # the second has no country
    hidden = factories.CaseFactory(draft=True)
    hidden.countries.add(
        Country.objects.create(code="FR", name="France", region="europe")
    )
    mission.cases.add(hidden)
    facets = {g.param: g for g in client.get("/missions/").context["facets"]}
    assert {v.value: v.count for v in facets["region"].values} == {"middle_east": 1}


def test_compare_page_lists_a_bounded_number_per_conception(client):
    factories.MissionFactory.create_batch(26)
    response = client.get(reverse("knowledge:compare"))
    westphalian = response.context["view"].classified[0]["by_conception"][0]
    assert westphalian["count"] == 26
    assert len(westphalian["records"]) == 24
    assert (
        'href="/missions/?conception=westphalian">All 26' in response.content.decode()
    )


@pytest.mark.parametrize(
    ("model_name", "param", "chosen", "other"),
    [
        ("case", "conflict_type", {"conflict_type": "intra_state"}, {}),
        ("norm", "conception", {"conception": "contested"}, {}),
        ("document", "kind", {"kind": "treaty"}, {}),
        ("organisation", "kind", {"kind": "alliance"}, {}),
        ("source", "kind", {"kind": "book"}, {}),
    ],
)
def test_each_list_filters_and_counts_its_facets(
    client, model_name, param, chosen, other
):
    factory = factories.PAGE_FACTORIES[model_name]
    wanted = factory(**chosen)
    unwanted = factory(**other)
    value = chosen[param]
    response = client.get(f"{reverse(f'knowledge:{model_name}-list')}?{param}={value}")
    assert response.status_code == 200
    assert list(response.context["object_list"]) == [wanted]
    assert unwanted.get_absolute_url() not in response.content.decode()
    facet = next(g for g in response.context["facets"] if g.param == param)
    assert {v.value: v.count for v in facet.values} == {
        value: 1,
        str(getattr(unwanted, param)): 1,
    }


def test_glossary_text_filter(client):
    factories.ConceptFactory(term="Liberal peace")
    factories.ConceptFactory(term="Security guarantee")
    response = client.get("/glossary/?q=liberal")
    assert [c.term for c in response.context["object_list"]] == ["Liberal peace"]


def test_json_ld_cannot_break_out_of_its_script(client):
    norm = factories.NormFactory(name="</script><script>alert(1)</script>")
    content = text(client.get(norm.get_absolute_url()))
    block = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', content, re.S
    ).group(1)
    assert "<" not in block
    assert json.loads(block)["mainEntity"]["name"].startswith("</script>")


def test_a_selected_facet_can_be_cleared_alone(client):
    factories.MissionFactory(mission_type="observation")
    content = text(
        client.get("/missions/?mission_type=observation&conception=westphalian")
    )
    assert 'href="?conception=westphalian" rel="nofollow">Clear' in content


def test_detail_page_marks_notes_and_badges_the_conception(client):
    mission = factories.MissionFactory(classified="post_westphalian")
    factories.CitationFactory(target=mission, claim="host_consent", locator="525")
    content = text(client.get(mission.get_absolute_url()))
    assert (
        '<a class="badge c-post_westphalian" href="/compare/#conception-post_westphalian">'
        '<span class="swatch" aria-hidden="true"></span>Post-Westphalian'
    ) in content
    assert '<sup class="fn"><a href="#fn-1" aria-label="Source note 1">1</a></sup>' in (
        content
    )
    unclassified = factories.MissionFactory(classified=False, draft=True)
    unclassified.status = "published"  # bypass the publishing rules for the badge
    unclassified.save()
    content = text(client.get(unclassified.get_absolute_url()))
    assert 'class="badge c-none"' in content and "Not classified" in content


def test_region_and_country_facets_count_each_record_once(client):
    """A mission reaching one region or country through two cases counts once, and so
    does a case with two countries in one region."""
    fr = Country.objects.create(code="FR", name="France", region="europe")
    de = Country.objects.create(code="DE", name="Germany", region="europe")
    first, second = factories.CaseFactory(), factories.CaseFactory()
    first.countries.add(fr, de)
    second.countries.add(fr)
    factories.MissionFactory().cases.add(first, second)
    facets = {g.param: g for g in client.get("/missions/").context["facets"]}
    assert {v.value: v.count for v in facets["region"].values} == {"europe": 1}
    assert {v.value: v.count for v in facets["country"].values} == {"FR": 1, "DE": 1}
    facets = {g.param: g for g in client.get("/cases/").context["facets"]}
    assert {v.value: v.count for v in facets["region"].values} == {"europe": 2}
    assert {v.value: v.count for v in facets["country"].values} == {"FR": 2, "DE": 1}


def test_filters_through_to_many_relations_list_each_record_once(client):
    fr = Country.objects.create(code="FR", name="France", region="europe")
    de = Country.objects.create(code="DE", name="Germany", region="europe")
    case = factories.CaseFactory()
    case.countries.add(fr, de)
    response = client.get("/cases/?region=europe&country=FR,DE")
    assert list(response.context["object_list"]) == [case]
    assert response.context["paginator"].count == 1
    source = factories.SourceFactory(title="Edited volume")
    source.creators.create(family="Smithson")
    source.creators.create(family="Smith", position=1)
    response = client.get("/sources/?q=smith")
    assert list(response.context["object_list"]) == [source]


def test_list_rows_show_their_published_relations(client):
    mission = factories.MissionFactory(name="Observer group", classified="mixed")
    mission.organisations.add(
        factories.OrganisationFactory(name="Visible body"),
        factories.OrganisationFactory(name="Hidden body", draft=True),
    )
    factories.MissionFactory(name="Unclassified mission", classified=False)
    content = text(client.get("/missions/"))
    assert "Visible body" in content and "Hidden body" not in content
    assert 'class="badge c-mixed"' in content and "Not classified" in content
    case = factories.CaseFactory()
    case.countries.add(
        Country.objects.create(code="EG", name="Egypt", region="middle_east")
    )
    assert "Egypt" in text(client.get("/cases/"))
    source = factories.SourceFactory()
    source.creators.create(family="Author")
    source.creators.create(family="Editor", role="editor")
    content = text(client.get("/sources/"))
    assert "Author" in content and "Editor" not in content
