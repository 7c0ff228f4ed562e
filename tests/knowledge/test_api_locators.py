"""Citations with the place cited, as reference managers and citation processors read
them: CSL-JSON locators rendered by citeproc-py, BibTeX pages that pybtex's plain style
accepts, RIS SP-EP and an ID on every record."""

import pytest
from django.urls import reverse

from apps.knowledge import citeformats
from tests import factories
from tests.knowledge.citation_parsers import parse_bibtex
from tests.knowledge.citation_parsers import parse_ris

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_cache_cleared")]


@pytest.fixture
def cited():
    source = factories.flynn_farrell_article()
    mission = factories.MissionFactory(
        slug="osce-kosovo", cited=False, classified=False
    )
    factories.CitationFactory(target=mission, source=source, locator="512")
    factories.CitationFactory(target=mission, source=source, locator="515-516")
    return mission


def test_references_with_locators_render_in_citeproc(api, cited):
    citeproc = pytest.importorskip("citeproc")
    from citeproc.source.json import CiteProcJSON

    url = reverse("api:mission-references", kwargs={"slug": "osce-kosovo"})
    items = api.get(url + "?locators=true").json()
    assert [(i["id"], i["locator"], i["label"]) for i in items] == [
        ("flynn-farrell-1999", "512", "page"),
        ("flynn-farrell-1999", "515\u2013516", "page"),
    ]
    bibliography_items = {item["id"]: item for item in items}
    source = CiteProcJSON(
        [
            {k: v for k, v in item.items() if k not in ("locator", "label")}
            for item in bibliography_items.values()
        ]
    )
    style = citeproc.CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = citeproc.CitationStylesBibliography(
        style, source, citeproc.formatter.plain
    )
    rendered = []
    for item in items:
        citation = citeproc.Citation(
            [
                citeproc.CitationItem(
                    item["id"], locator=citeproc.Locator(item["label"], item["locator"])
                )
            ]
        )
        bibliography.register(citation)
        rendered.append(str(bibliography.cite(citation, lambda item: None)))
    assert rendered[0] == "(Flynn and Farrell, 1999, p. 512)"
    assert rendered[1] == "(Flynn and Farrell, 1999, pp. 515\u2013516)"


def test_references_with_locators_in_bibtex_and_ris(api, cited):
    url = reverse("api:mission-references", kwargs={"slug": "osce-kosovo"})
    entries = parse_bibtex(
        api.get(url + "?locators=true&format=bibtex").content.decode()
    )
    assert [e["pages"] for e in entries] == ["512", "515--516"]
    assert len({e["key"] for e in entries}) == 2
    records = parse_ris(api.get(url + "?locators=true&format=ris").content.decode())
    assert [(r["SP"], r.get("EP")) for r in records] == [
        (["512"], [""]),
        (["515"], ["516"]),
    ] or [r["SP"] for r in records] == [["512"], ["515"]]
    assert all(r["ID"] for r in records)
    # Without `locators`: one item per work, as before.
    assert len(api.get(url).json()) == 1
    assert api.get(url + "?locators=maybe").status_code == 400


def _plain_style_accepts(bibtex):
    pybtex = pytest.importorskip("pybtex")
    from pybtex.database import parse_string
    from pybtex.plugin import find_plugin

    data = parse_string(bibtex, "bibtex")
    style = find_plugin("pybtex.style.formatting", "plain")()
    formatted = list(style.format_entries(data.entries.values()))
    backend = find_plugin("pybtex.backends", "text")()
    return [entry.text.render(backend) for entry in formatted], pybtex


def _bibtex_without_pages(api, **fields):
    """The BibTeX the API offers for a source with no pages recorded."""
    source = factories.SourceFactory(page_first=None, page_last=None, **fields)
    url = reverse("api:source-cite", kwargs={"slug": source.slug})
    return api.get(url + "?format=bibtex").content.decode()


def test_a_report_without_institution_is_offered_as_misc(api):
    bibtex = _bibtex_without_pages(
        api,
        kind="report",
        title="Durable Peace After Civil War",
        container_title="Annual Meeting of the American Political Science Association",
        year=2001,
        authors=["Rothchild, Donald"],
    )
    (text,), _ = _plain_style_accepts(bibtex)
    assert "Rothchild" in text and "2001" in text
    assert "institution" in bibtex.lower()  # said to be missing, in the note


def test_a_chapter_missing_author_and_book_says_so(api):
    no_book = {"container_title": "", "year": None}
    bibtex = _bibtex_without_pages(
        api, kind="chapter", title="Security as a Step to Peace", **no_book
    )
    (text,), _ = _plain_style_accepts(bibtex)
    assert "Security as a Step to Peace" in text
    assert "Not recorded: author, booktitle, publisher, year" in text
    assert ", ," not in text and "()" not in text and ". ." not in text


def test_every_ris_record_has_an_id():
    ris = citeformats.to_ris([{"id": "a", "type": "book", "title": "A"}])
    assert "ID  - a" in ris
