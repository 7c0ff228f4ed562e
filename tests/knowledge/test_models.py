import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db import transaction

from apps.core import fuzzydate
from apps.core.markdown import render
from apps.knowledge.models import Citation
from apps.knowledge.models import Classification
from apps.knowledge.models import Mission
from apps.knowledge.models import Source
from tests.factories import CitationFactory
from tests.factories import MissionFactory
from tests.factories import SourceFactory
from tests.factories import period

pytestmark = pytest.mark.django_db


def test_fuzzy_dates_round_trip_and_display():
    for text, shown in [
        ("1956", "1956"),
        ("1956-11", "November 1956"),
        ("1956-11-05", "5 November 1956"),
    ]:
        date, precision = fuzzydate.parse(text)
        assert fuzzydate.to_text(date, precision) == text
        assert fuzzydate.display(date, precision) == shown


@pytest.mark.parametrize("bad", ["56", "1956-13", "1956-02-30", "November 1956", ""])
def test_fuzzy_date_rejects_nonsense(bad):
    with pytest.raises(ValueError):
        fuzzydate.parse(bad)


def test_mission_ending_before_it_starts_is_refused_with_a_clear_message():
    mission = MissionFactory.build(slug="x", **period("1993-05", "1992"))
    with pytest.raises(ValidationError) as exc:
        mission.full_clean()
    assert "before the start" in exc.value.message_dict["end_date"][0]


def test_end_year_may_cover_a_start_month_in_the_same_year():
    mission = MissionFactory.build(slug="y", **period("1956-11", "1956"))
    mission.full_clean()  # "1956" can mean December 1956


def test_locator_outside_the_source_page_range_is_refused():
    source = SourceFactory(page_first=505, page_last=535)
    citation = Citation(
        source=source,
        locator_type="pages",
        locator="540",
        content_type_id=1,
        object_id=1,
    )
    with pytest.raises(ValidationError) as exc:
        citation.clean()
    assert (
        "outside the source's page range 505-535"
        in exc.value.message_dict["locator"][0]
    )


@pytest.mark.parametrize("locator", ["abc", "512-510", "12a"])
def test_malformed_or_reversed_page_locators_are_refused(locator):
    citation = Citation(source=SourceFactory(), locator_type="pages", locator=locator)
    with pytest.raises(ValidationError):
        citation.clean()


def test_page_range_is_derived_on_save():
    mission = MissionFactory()
    citation = CitationFactory(target=mission, locator="512-514")
    citation.refresh_from_db()
    assert (citation.page_start, citation.page_end) == (512, 514)
    assert citation.locator_display == "pp. 512-514"


def test_section_locators_need_no_pages():
    source = SourceFactory(page_first=None, page_last=None)
    citation = Citation(
        source=source, locator_type="section", locator="Limiting the Goals"
    )
    citation.clean()
    assert citation.locator_display == "Section \u201cLimiting the Goals\u201d"


def test_slugs_are_unique_with_a_message():
    MissionFactory(slug="unef-i")
    duplicate = MissionFactory.build(slug="unef-i")
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert "slug" in exc.value.message_dict


def test_only_one_preferred_classification_per_record():
    mission = MissionFactory()  # comes with a preferred classification
    with pytest.raises(IntegrityError), transaction.atomic():
        Classification.objects.create(
            target=mission, value="mixed", preferred=True, rationale="x"
        )
    Classification.objects.create(
        target=mission, value="mixed", preferred=False, rationale="y"
    )
    assert mission.classifications.count() == 2


def test_classification_period_must_be_ordered():
    classification = Classification(
        value="mixed",
        period_start=1999,
        period_end=1995,
        rationale="r",
        content_type_id=1,
        object_id=1,
    )
    with pytest.raises(ValidationError) as exc:
        classification.full_clean()
    assert "before it starts" in str(exc.value)


def test_source_citations_protect_the_source_from_deletion():
    citation = CitationFactory(target=MissionFactory(cited=False))
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        citation.source.delete()
    assert Source.objects.filter(pk=citation.source.pk).exists()


def test_published_queryset_is_the_door():
    MissionFactory(slug="pub")
    MissionFactory(slug="draft", draft=True)
    MissionFactory(slug="review", status="in_review")
    MissionFactory(slug="gone", status="archived")
    assert list(Mission.objects.published().values_list("slug", flat=True)) == ["pub"]


def test_preferred_classification_and_str():
    mission = MissionFactory(name="First UN Emergency Force", acronym="UNEF I")
    assert str(mission) == "UNEF I: First UN Emergency Force"
    assert mission.preferred_classification().value == "westphalian"


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src='https://evil.example'></iframe>",
        '<p onclick="steal()">hi</p>',
        "<style>body{display:none}</style>",
    ],
)
def test_markdown_is_sanitised(hostile):
    html = str(render(hostile))
    for needle in ("<script", "onerror", "javascript:", "<iframe", "onclick", "<style"):
        assert needle not in html.lower()


def test_markdown_keeps_ordinary_formatting():
    html = str(render("Some *emphasis* and a [link](https://www.un.org/)."))
    assert "<em>emphasis</em>" in html
    assert 'href="https://www.un.org/"' in html


def test_markdown_renders_each_text_on_its_own():
    # The converter is reused between calls: a reference defined in one text must not
    # resolve a link in the next.
    render("See [the Charter][un].\n\n[un]: https://www.un.org/")
    html = str(render("Also [the Charter][un]."))
    assert "href" not in html
    assert "[the Charter][un]" in html


@pytest.mark.parametrize(
    ("authors", "label"),
    [
        ([], "Understanding Peacekeeping (2004)"),
        (["Bellamy"], "Bellamy 2004: Understanding Peacekeeping"),
        (
            ["Bellamy", "Williams"],
            "Bellamy & Williams 2004: Understanding Peacekeeping",
        ),
        (
            ["Bellamy", "Williams", "Griffin"],
            "Bellamy, Williams & Griffin 2004: Understanding Peacekeeping",
        ),
        (["A", "B", "C", "D"], "A et al. 2004: Understanding Peacekeeping"),
    ],
)
def test_source_label_names_up_to_three_authors_as_the_prose_does(authors, label):
    # Never "Bellamy & Williams et al.": a reader would look for a two-author work.
    assert Source.label_for(authors, 2004, "Understanding Peacekeeping", "up") == label


def test_source_label_does_not_repeat_a_year_its_title_ends_with():
    title = "Security Council resolution 814 (1993)"
    assert Source.label_for([], 1993, title, "s") == title
    # Another year in the title is the title's own: the source's year still follows.
    assert Source.label_for([], 1995, title, "s") == f"{title} (1995)"
