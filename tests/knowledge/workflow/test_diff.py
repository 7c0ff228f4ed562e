"""What a reviewer reads: the field-by-field difference of two canonical dicts."""

from apps.knowledge.diff import diff_records

BEFORE = {
    "slug": "unef-i",
    "name": "First United Nations Emergency Force",
    "summary": "Deployed after the Suez crisis. It stood between Egypt and Israel.",
    "norms": ["consent", "impartiality"],
    "classifications": [
        {
            "value": "westphalian",
            "preferred": True,
            "rationale": "Consent-based.",
            "citations": [
                {"source": "flynn", "claim": "classification", "pages": "512"}
            ],
        }
    ],
    "citations": [
        {"source": "flynn", "claim": "summary", "pages": "510-511"},
        {"source": "flynn", "claim": "host_consent", "pages": "512"},
    ],
}


def test_unchanged_records_have_no_differences():
    assert diff_records(BEFORE, dict(BEFORE)) == []


def test_scalars_lists_and_citations_are_compared_item_by_item():
    after = {
        **BEFORE,
        "name": "UNEF I",
        "norms": ["consent", "sovereignty"],
        "citations": [
            {"source": "flynn", "claim": "summary", "pages": "510-511"},
            {"source": "bellamy", "claim": "host_consent", "section": "Consent"},
        ],
        "wikidata": "Q1065",
    }
    changes = {c.key: c for c in diff_records(BEFORE, after)}
    assert set(changes) == {"name", "norms", "citations", "wikidata"}
    assert (changes["name"].before, changes["name"].after) == (
        "First United Nations Emergency Force",
        "UNEF I",
    )
    assert (changes["norms"].added, changes["norms"].removed) == (
        ["sovereignty"],
        ["impartiality"],
    )
    assert changes["citations"].added == ["bellamy, section Consent (host_consent)"]
    assert changes["citations"].removed == ["flynn, pages 512 (host_consent)"]
    assert (changes["wikidata"].label, changes["wikidata"].before) == (
        "Wikidata ID",
        "",
    )


def test_a_classification_and_its_citation_are_described_in_full():
    after = {
        **BEFORE,
        "classifications": [
            {**BEFORE["classifications"][0], "value": "mixed", "period_start": 1956}
        ],
    }
    (change,) = diff_records(BEFORE, after)
    assert change.removed == [
        "westphalian (preferred): Consent-based.; cites flynn, pages 512 (classification)"
    ]
    assert change.added == [
        "mixed (preferred), from 1956: Consent-based.; cites flynn, pages 512 "
        "(classification)"
    ]


def test_long_prose_gets_a_word_diff_and_reordering_is_shown():
    after = {
        **BEFORE,
        "summary": "Sent after the Suez crisis. It stood between Egypt and Israel.",
        "norms": ["impartiality", "consent"],
    }
    changes = {c.key: c for c in diff_records(BEFORE, after)}
    assert ("delete", "Deployed") in changes["summary"].text_diff
    assert ("insert", "Sent") in changes["summary"].text_diff
    assert changes["norms"].before == "consent; impartiality"
    assert changes["norms"].after == "impartiality; consent"


def test_a_new_record_shows_every_field_as_added():
    changes = diff_records({}, BEFORE)
    assert [c.key for c in changes] == list(BEFORE)
    assert changes[0].after == "unef-i"
