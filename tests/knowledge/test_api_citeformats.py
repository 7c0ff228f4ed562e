"""Citation formats: what reference managers import must parse back to what we know."""

import json
from pathlib import Path

import pytest

from apps.knowledge import citeformats
from apps.knowledge.models import SourceCreator
from tests import factories
from tests.knowledge.citation_parsers import parse_bibtex
from tests.knowledge.citation_parsers import parse_ris

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return factories.flynn_farrell_article(
        title="Piecing Together the Democratic Peace: The CSCE & Norms",
        month=6,
        doi="10.1162/002081899550977",
    )


@pytest.fixture
def chapter():
    return factories.SourceFactory(
        slug="bellamy-2004-ch1",
        kind="chapter",
        title="Peacekeeping in Global Politics",
        container_title="Understanding Peacekeeping",
        publisher="Polity",
        place="Cambridge",
        year=2004,
        page_first=11,
        page_last=33,
        authors=["Bellamy, Alex J."],
        editors=["Smith, Jo"],
    )


def test_csl_item_of_an_article(article):
    item = citeformats.source_csl(article)
    assert item["type"] == "article-journal"
    assert item["author"] == [
        {"family": "Flynn", "given": "Gregory"},
        {"family": "Farrell", "given": "Henry"},
    ]
    assert item["issued"] == {"date-parts": [[1999, 6]]}
    assert item["page"] == "505\u2013535"
    assert json.loads(citeformats.to_csl_json([item]))[0]["id"] == "flynn-farrell-1999"


def test_bibtex_parses_back_with_escapes_and_page_ranges(article, chapter):
    text = citeformats.to_bibtex(
        [citeformats.source_csl(article), citeformats.source_csl(chapter)]
    )
    first, second = parse_bibtex(text)
    assert first["type"] == "article"
    assert first["key"] == "flynn-farrell-1999"
    assert first["author"] == "Flynn, Gregory and Farrell, Henry"
    assert (
        first["title"] == r"{Piecing Together the Democratic Peace: The CSCE \& Norms}"
    )
    assert first["journal"] == "International Organization"
    assert (first["pages"], first["month"]) == ("505--535", "jun")
    assert first["doi"] == "10.1162/002081899550977"
    # The chapter is a part of its book.
    assert (second["type"], second["booktitle"]) == (
        "incollection",
        "Understanding Peacekeeping",
    )
    assert second["editor"] == "Smith, Jo"
    assert second["pages"] == "11--33"


def test_ris_parses_back(article, chapter):
    text = citeformats.to_ris(
        [citeformats.source_csl(article), citeformats.source_csl(chapter)]
    )
    first, second = parse_ris(text)
    assert first["TY"] == ["JOUR"]
    assert first["AU"] == ["Flynn, Gregory", "Farrell, Henry"]
    assert first["JO"] == ["International Organization"]
    assert (first["SP"], first["EP"]) == (["505"], ["535"])
    assert first["PY"] == ["1999"]
    assert first["DA"] == ["1999/06//"]
    assert second["TY"] == ["CHAP"]
    assert second["ED"] == ["Smith, Jo"]
    assert "\r\n" in text


def test_formatted_styles(article, chapter):
    item = citeformats.source_csl(article)
    assert citeformats.apa(item) == (
        "Flynn, G., & Farrell, H. (1999). Piecing Together the Democratic Peace: "
        "The CSCE & Norms. International Organization, 53(3), 505\u2013535. "
        "https://doi.org/10.1162/002081899550977"
    )
    assert citeformats.chicago(item).startswith(
        "Flynn, Gregory, and Henry Farrell. 1999. \u201cPiecing Together"
    )
    html = citeformats.apa(item, html=True)
    assert "<i>International Organization</i>" in html
    assert "&amp;" in html
    assert "In J. Smith (Ed.), Understanding Peacekeeping (pp. 11\u201333)" in (
        citeformats.apa(citeformats.source_csl(chapter))
    )


def test_a_page_of_the_knowledge_base_is_citable():
    mission = factories.MissionFactory(name="First UN Emergency Force", acronym="")
    item = citeformats.record_csl(mission, "https://kb.example.org/missions/x/")
    assert item["type"] == "webpage"
    assert item["URL"] == "https://kb.example.org/missions/x/"
    (entry,) = parse_bibtex(citeformats.to_bibtex([item]))
    assert entry["type"] == "misc"
    assert entry["title"] == "{First UN Emergency Force}"
    assert entry["url"] == "https://kb.example.org/missions/x/"
    (record,) = parse_ris(citeformats.to_ris([item]))
    assert record["TY"] == ["ELEC"]
    assert "First UN Emergency Force" in citeformats.apa(item)


HOSTILE = "x},note={injected}, evil = {y"


def test_no_field_value_can_add_a_bibtex_field_or_a_ris_tag():
    source = factories.SourceFactory(
        slug="hostile",
        title=HOSTILE,
        container_title=HOSTILE,
        publisher=HOSTILE,
        place=HOSTILE,
        volume="1}",
        issue="{2",
        edition=HOSTILE,
        url="https://example.org/a},note={injected",
        doi="10.1000/x},note={injected}\\",
        isbn="1}{",
    )
    SourceCreator.objects.create(source=source, family=HOSTILE, given="A}")
    mission = factories.MissionFactory(name=HOSTILE)
    items = [
        citeformats.source_csl(source),
        citeformats.record_csl(mission, "https://kb.example.org/m/},note={injected"),
    ]
    first, second = parse_bibtex(citeformats.to_bibtex(items))
    for entry in (first, second):
        assert "evil" not in entry
        assert "injected" not in entry.get("note", "")
    assert first["url"] == "https://example.org/a%7D,note=%7Binjected"
    assert first["doi"] == "10.1000/x%7D,note=%7Binjected%7D%5C"
    ris = citeformats.to_ris(
        [{**items[0], "title": "a\r\nER  - \r\nTY  - JOUR\nT1  - b"}]
    )
    (record,) = parse_ris(ris)
    assert len(record["TY"]) == 1
    assert "T1" not in record


# Each kind of work in each format: the pieces each style writes for a book, a web
# page, a chapter whose book is not recorded and a report cited by section, given as
# CSL-JSON, the format reference managers exchange.
BOOK, WEBPAGE, CHAPTER_WITHOUT_BOOK, REPORT_BY_SECTION = json.loads(
    (Path(__file__).parent / "csl_works.json").read_text()
)


STYLED = [
    (
        "apa",
        BOOK,
        "Doyle, M. W., & Sambanis, N. (2006). Making War and Building Peace "
        "(2nd ed.). Princeton University Press.",
    ),
    (
        "apa",
        WEBPAGE,
        "United Nations. (2023, April 5). Where we operate. United Nations "
        "Peacekeeping. https://peacekeeping.un.org/en/where-we-operate",
    ),
    (
        "apa",
        CHAPTER_WITHOUT_BOOK,
        "Lee, A. (2004). A chapter. In J. Roe, A. Poe (Eds.), [book not recorded] "
        "(pp. 11\u201333). Polity.",
    ),
    # No author: the title takes the author's place.
    ("apa", REPORT_BY_SECTION, "Annual report. (2010)."),
    (
        "chicago",
        BOOK,
        "Doyle, Michael W., and Nicholas Sambanis. 2006. Making War and Building "
        "Peace. Princeton: Princeton University Press.",
    ),
    (
        "chicago",
        WEBPAGE,
        "United Nations. 2023. \u201cWhere we operate.\u201d United Nations "
        "Peacekeeping. Accessed January 2, 2024. "
        "https://peacekeeping.un.org/en/where-we-operate.",
    ),
    (
        "chicago",
        CHAPTER_WITHOUT_BOOK,
        "Lee, Ann. 2004. \u201cA chapter.\u201d In [book not recorded], edited by "
        "Jo Roe, Al Poe, 11\u201333. Cambridge: Polity.",
    ),
    ("chicago", REPORT_BY_SECTION, "Annual report. 2010."),
]


@pytest.mark.parametrize(
    "style, work, expected",
    STYLED,
    ids=[f"{style}-{work['type']}" for style, work, _ in STYLED],
)
def test_apa_and_chicago_of_a_book_a_web_page_a_chapter_and_an_anonymous_report(
    style, work, expected
):
    assert getattr(citeformats, style)(work) == expected


def test_apa_in_html_sets_the_title_in_italics():
    assert "<i>Making War and Building Peace</i>" in citeformats.apa(BOOK, html=True)


# A work without author or date (the OSCE Handbook, a UN resolution): the title takes
# the author's place as the style sets it, and Chicago's "n.d." ends with one period.
UNDATED_HANDBOOK = {"type": "book", "title": "OSCE Handbook", "publisher": "OSCE"}
UNDATED_PAGE = {"type": "webpage", "title": "Where we operate", "URL": "https://x.org/"}


def test_chicago_writes_no_date_with_one_period():
    assert citeformats.chicago(UNDATED_HANDBOOK) == "OSCE Handbook. n.d. OSCE."
    assert "n.d.." not in citeformats.chicago(UNDATED_PAGE)


def test_a_title_in_the_authors_place_keeps_its_italics_or_quotes():
    assert citeformats.apa(UNDATED_HANDBOOK, html=True).startswith(
        "<i>OSCE Handbook</i>. (n.d.)."
    )
    assert citeformats.chicago(UNDATED_HANDBOOK, html=True).startswith(
        "<i>OSCE Handbook.</i> n.d."
    )
    assert citeformats.chicago(UNDATED_PAGE) == (
        "\u201cWhere we operate.\u201d n.d. https://x.org/."
    )
    # An article is part of a greater whole: APA leaves its title plain.
    article = {"type": "article-journal", "title": "A study", "issued": {}}
    assert citeformats.apa(article, html=True).startswith("A study. (n.d.).")


def test_bibtex_offers_an_incomplete_entry_as_misc_saying_what_is_missing():
    book, page, chapter, report = parse_bibtex(
        citeformats.to_bibtex([BOOK, WEBPAGE, CHAPTER_WITHOUT_BOOK, REPORT_BY_SECTION])
    )
    assert book["type"] == "book"
    assert (book["edition"], book["address"]) == ("2nd", "Princeton")
    assert page["type"] == "misc"
    assert page["author"] == "{United Nations}"
    assert page["howpublished"] == "United Nations Peacekeeping"
    assert (page["month"], page["urldate"]) == ("apr", "2024-01-02")
    assert (chapter["type"], chapter["note"]) == ("misc", "Not recorded: booktitle")
    assert chapter["pages"] == "11--33"
    assert (report["type"], report["key"]) == ("misc", "annual-2010-section-4")
    assert report["note"] == "Cited: section 4. Not recorded: author, institution"


def test_ris_of_a_book_a_web_page_and_a_place_cited_that_is_not_a_page():
    book, page, report = parse_ris(
        citeformats.to_ris([BOOK, WEBPAGE, REPORT_BY_SECTION])
    )
    assert book["TY"] == ["BOOK"]
    assert (book["ET"], book["PB"], book["CY"]) == (
        ["2nd"],
        ["Princeton University Press"],
        ["Princeton"],
    )
    assert book["DA"] == ["2006///"]
    assert page["TY"] == ["ELEC"]
    assert (page["DA"], page["Y2"]) == (["2023/04/05/"], ["2024/01/02"])
    assert page["UR"] == ["https://peacekeeping.un.org/en/where-we-operate"]
    assert report["TY"] == ["RPRT"]
    assert report["N1"] == ["Cited: section 4"]
    assert "SP" not in report
