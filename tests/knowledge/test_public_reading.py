"""What a student reads on the public pages: titles, descriptions, labels."""

import re

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


def meta_description(content):
    return re.search(r'<meta name="description" content="([^"]*)"', content).group(1)


def test_meta_description_keeps_quotes_inside_the_attribute(client):
    document = factories.DocumentFactory(
        summary='Agreements also called "Europe Agreements", signed with R&D partners.'
    )
    content = text(client.get(document.get_absolute_url()))
    description = meta_description(content)
    assert description.startswith(
        "Agreements also called &quot;Europe Agreements&quot;"
    )
    assert "R&amp;D partners" in description


def test_the_glossary_is_called_the_glossary_in_nav_heading_and_breadcrumb(client):
    concept = factories.ConceptFactory()
    listing = text(client.get("/glossary/"))
    assert "<h1>Glossary</h1>" in listing
    assert "Concepts" not in listing
    detail = text(client.get(concept.get_absolute_url()))
    assert '<a href="/glossary/">Glossary</a></li>' in detail
    assert "Concepts" not in detail


def title(content):
    return re.search(r"<title>(.*?)</title>", content, re.S).group(1)


def test_a_filter_that_matches_nothing_stays_selected_and_removable(client):
    factories.MissionFactory(classified="westphalian")  # no case, so no region
    content = text(client.get("/missions/?conception=westphalian&region=africa"))
    assert (
        'class="selected" rel="nofollow"><span class="check" aria-hidden="true">'
        in (content)
    )
    africa = re.search(r'<a href="([^"]*)" class="selected"[^>]*>.*?Africa', content)
    assert africa and africa.group(1) == "?conception=westphalian"
    westphalian = re.search(
        r'<a href="([^"]*)" class="selected"[^>]*>.*?Westphalian', content
    )
    assert westphalian and westphalian.group(1) == "?region=africa"


def test_filtered_list_titles_name_their_filters(client):
    factories.MissionFactory(classified="westphalian")
    content = text(client.get("/missions/?conception=westphalian&q=force"))
    assert title(content).startswith("Missions: Westphalian, “force” ·")
    assert title(text(client.get("/missions/"))).startswith("Missions ·")


def test_an_organisation_lists_a_mission_it_ran_and_authorised_once(client):
    hcnm = factories.OrganisationFactory(name="High Commissioner")
    council = factories.OrganisationFactory(name="Council")
    own = factories.MissionFactory(name="Own engagement", authorising_body=hcnm)
    own.organisations.add(hcnm)
    other = factories.MissionFactory(name="Run by others", authorising_body=hcnm)
    other.organisations.add(council)
    content = text(client.get(hcnm.get_absolute_url()))
    assert content.count(own.get_absolute_url()) == 1
    assert "Missions it authorised, run by others" in content
    assert other.get_absolute_url() in content


def test_every_numbered_note_has_a_marker_and_the_rest_are_further_sources(client):
    mission = factories.MissionFactory(classified="westphalian")
    factories.CitationFactory(target=mission, claim="summary", locator="512")
    factories.CitationFactory(target=mission, claim="relations", locator="530")
    content = text(client.get(mission.get_absolute_url()))
    numbered = re.findall(r'<li id="fn-(\d+)"', content)
    assert numbered
    for number in numbered:
        assert f'href="#fn-{number}"' in content
    further = content.split('id="further-sources"', 1)[1]
    assert "p. 530" in further
    assert "p. 530" not in content.split('id="further-sources"', 1)[0]


def test_the_bibliography_sorts_and_leads_by_author(client):
    zeta = factories.SourceFactory(title="A first title", year=2001)
    zeta.creators.create(family="Zeta", given="Z", position=0)
    alpha = factories.SourceFactory(title="Zoology of peace", year=1999)
    alpha.creators.create(family="alpha", given="A", position=0)
    alpha.creators.create(family="Beta", given="B", position=1)
    anonymous = factories.SourceFactory(title="Middle report", year=2000)
    content = text(client.get("/sources/"))
    order = [content.index(s.get_absolute_url()) for s in (alpha, anonymous, zeta)]
    assert order == sorted(order)
    assert "alpha and Beta (1999)" in content


def test_acronyms_of_recorded_missions_in_prose_link_to_their_pages(client):
    onuc = factories.MissionFactory(acronym="ONUC")
    factories.MissionFactory(acronym="DRAFTOP", status="draft")
    case = factories.CaseFactory(
        summary="After ONUC, and before DRAFTOP or [ONUC](/x/), came `ONUC` again."
    )
    content = text(client.get(case.get_absolute_url()))
    summary = content.split('class="summary"', 1)[1].split("</div>", 1)[0]
    assert summary.count(f'<a href="{onuc.get_absolute_url()}">ONUC</a>') == 1
    assert '<a href="/x/" rel="noopener noreferrer">ONUC</a>' in summary
    assert "<code>ONUC</code>" in summary
    assert "DRAFTOP" in summary and "/missions/" + "draftop" not in summary.lower()
    own = text(client.get(onuc.get_absolute_url()))
    assert f'<a href="{onuc.get_absolute_url()}">ONUC</a>' not in own


def test_un_documents_link_to_their_official_text_by_symbol(client):
    resolution = factories.DocumentFactory(symbol="S/RES/1244 (1999)", url="")
    content = text(client.get(resolution.get_absolute_url()))
    assert 'href="https://undocs.org/S/RES/1244%20(1999)"' in content
    treaty = factories.DocumentFactory(symbol="", url="https://example.org/act")
    assert 'href="https://example.org/act"' in text(
        client.get(treaty.get_absolute_url())
    )
    plain = factories.DocumentFactory(symbol="CSCE/HFA", url="")
    assert "Official text" not in text(client.get(plain.get_absolute_url()))


def test_about_states_the_scope_and_how_to_report_an_error(client, settings):
    settings.CORRECTIONS_EMAIL = "fixes@example.org"
    content = text(client.get("/about/"))
    assert 'id="scope-heading">What it covers, and what it does not' in content
    assert "not a complete register" in content
    assert 'href="mailto:fixes@example.org"' in content


def test_the_frame_is_one_click_away(client):
    mission = factories.MissionFactory(classified="westphalian")
    detail = text(client.get(mission.get_absolute_url()))
    assert 'class="badge c-westphalian" href="/compare/#conception-westphalian"' in (
        detail
    )
    compare = text(client.get("/compare/"))
    assert 'id="conception-westphalian"' in compare
    assert 'href="/glossary/westphalian-order/"' in compare
    order = factories.ConceptFactory(slug="post-westphalian-order", term="Order")
    entry = text(client.get(order.get_absolute_url()))
    assert 'href="/compare/#conception-post_westphalian"' in entry
    other = factories.ConceptFactory(slug="liberal-peace", term="Liberal peace")
    assert "/compare/#conception" not in text(client.get(other.get_absolute_url()))


def test_list_rows_link_their_conception_to_its_definition(client):
    factories.CaseFactory(classified="mixed")
    content = text(client.get("/cases/"))
    assert 'class="badge c-mixed" href="/compare/#conception-mixed"' in content


def test_a_chapter_without_its_book_says_so_instead_of_empty_punctuation(client):
    chapter = factories.SourceFactory(
        kind="chapter", title="A step to peace", container_title="", year=None
    )
    content = text(client.get(chapter.get_absolute_url()))
    cite = content.split("Cite this", 1)[1].split("Download", 1)[0]
    assert "In ." not in cite and "In </" not in cite
    assert "In [book not recorded]" in cite


def test_sorting_ignores_case(client):
    later = factories.ConceptFactory(term="CSCE emergency mechanism")
    earlier = factories.ConceptFactory(term="Casualty aversion")
    content = text(client.get("/glossary/"))
    assert content.index(earlier.get_absolute_url()) < content.index(
        later.get_absolute_url()
    )
    upper = factories.MissionFactory(name="UN force")
    lower = factories.MissionFactory(name="a mission")
    for url in ("/missions/?ordering=name", "/api/v1/missions/?ordering=name"):
        body = text(client.get(url))
        assert body.index(lower.slug) < body.index(upper.slug), url
