"""Issue 13, B5: two people's changes to one record merge what they can, citations and
classifications item by item (keyed by source and locator, by value and period)."""

import pytest

from apps.knowledge import services
from apps.knowledge.merge import merge_dicts
from tests.factories import NormFactory
from tests.factories import SourceFactory

from .edits import edit


def cite(source, pages, **extra):
    return {"source": source, "claim": "summary", "pages": pages, **extra}


def judge(value, rationale, **extra):
    return {"value": value, "basis": "author", "rationale": rationale, **extra}


BASE = {
    "slug": "unef",
    "name": "UNEF I",
    "citations": [cite("ff", "512"), cite("ff", "513")],
    "classifications": [
        judge("westphalian", "Consent.", preferred=True, period_end=1960),
        judge("mixed", "Drift.", period_start=1961),
    ],
}


def test_citations_only_they_added_or_changed_merge_in_beside_mine():
    mine = {
        **BASE,
        "citations": [cite("ff", "512", note="My note."), cite("ff", "513")],
    }
    theirs = {
        **BASE,
        "citations": [
            cite("ff", "512"),
            cite("ff", "513", claim="mandate"),
            cite("bw", "7"),
        ],
    }
    merged, clashes = merge_dicts(BASE, mine, theirs)
    assert clashes == []
    assert merged["citations"] == [
        cite("ff", "512", note="My note."),
        cite("ff", "513", claim="mandate"),
        cite("bw", "7"),
    ]


def test_a_citation_they_removed_goes_unless_i_changed_it():
    theirs = {**BASE, "citations": [cite("ff", "513")]}
    merged, clashes = merge_dicts(BASE, BASE | {"name": "Mine"}, theirs)
    assert (merged["citations"], merged["name"], clashes) == (
        [cite("ff", "513")],
        "Mine",
        [],
    )
    mine = {**BASE, "citations": [cite("ff", "512", note="Kept."), cite("ff", "513")]}
    merged, clashes = merge_dicts(BASE, mine, theirs)
    assert merged["citations"] == [cite("ff", "512", note="Kept."), cite("ff", "513")]
    assert clashes == ["citations"]


def test_classifications_merge_by_value_and_period_field_by_field():
    first, second = BASE["classifications"]
    mine = {**BASE, "classifications": [first, {**second, "rationale": "Mine."}]}
    theirs = {
        **BASE,
        "classifications": [{**first, "departure": "Theirs."}, second],
    }
    merged, clashes = merge_dicts(BASE, mine, theirs)
    assert clashes == []
    assert merged["classifications"] == [
        {**first, "departure": "Theirs."},
        {**second, "rationale": "Mine."},
    ]
    # Both changed the same field of the same judgement: a clash, mine in the form.
    theirs["classifications"][1] = {**second, "rationale": "Theirs."}
    merged, clashes = merge_dicts(BASE, mine, theirs)
    assert clashes == ["classifications"]
    assert merged["classifications"][1]["rationale"] == "Mine."
    assert merged["classifications"][0]["departure"] == "Theirs."


def test_items_that_cannot_be_told_apart_merge_as_a_whole_list():
    twice = {**BASE, "citations": [cite("ff", "512"), cite("ff", "512", claim="x")]}
    mine = {**twice, "citations": [cite("ff", "512", note="Mine.")]}
    theirs = {**twice, "citations": [*twice["citations"], cite("bw", "7")]}
    merged, clashes = merge_dicts(twice, mine, theirs)
    assert (merged["citations"], clashes) == (mine["citations"], ["citations"])


@pytest.mark.django_db
def test_continuing_a_proposal_keeps_its_citations_beside_the_new_ones(curator):
    """The form continues the curator's own proposal but shows the live citations: a
    citation added now is merged with the one the proposal added, not instead of it."""
    norm = NormFactory(name="Consent")
    SourceFactory(slug="bw")
    live = services.record_content(norm)["citations"]
    first = edit(
        norm, user=curator, citations=[*live, {"source": "bw", "pages": "530"}]
    )
    assert first.outcome == "proposed"
    second = edit(
        norm,
        user=curator,
        carry=first.revision.data,
        citations=[*live, {"source": "bw", "pages": "531"}],
    ).revision
    pages = sorted(c["pages"] for c in second.data["citations"])
    assert {"530", "531"} <= set(pages)
    assert len(pages) == len(services.record_content(norm)["citations"]) + 2
