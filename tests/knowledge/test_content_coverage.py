"""docs/content-coverage.md lists what the four texts name and the record that holds each
entity; every row must point at a published record that the site search finds."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from apps.knowledge.models import Case
from apps.knowledge.models import Concept
from apps.knowledge.models import Document
from apps.knowledge.models import Mission
from apps.knowledge.models import Norm
from apps.knowledge.models import Organisation
from apps.knowledge.search import search_records

BASE = Path(settings.BASE_DIR)
ROW = re.compile(r"^\| (\d+) \| (.+?) \| (\w+) \| (.+?) \| (.+?) \| `(.+)` \|$")
SEARCHED = [Mission, Case, Document, Norm, Organisation, Concept]


def rows():
    text = (BASE / "docs" / "content-coverage.md").read_text(encoding="utf-8")
    found = [ROW.match(line) for line in text.splitlines()]
    return [m.groups() for m in found if m]


def test_the_list_is_complete_and_numbered():
    listed = rows()
    assert len(listed) >= 200
    assert [int(r[0]) for r in listed] == list(range(1, len(listed) + 1))
    for _n, named, kind, where, record, _term in listed:
        assert kind in {"operation", "case", "document", "norm", "organisation"}, named
        assert re.match(r'(p\. \d+|section "|note \d+)', where), (named, where)
        assert re.fullmatch(r"(covered by |added: )?`[a-z0-9-]+`", record), named


@pytest.mark.django_db
def test_every_named_entity_has_a_published_record_found_by_search(curated):
    missing = []
    for _n, named, _kind, _where, record, term in rows():
        slug = record.split("`")[1]
        published = any(
            m.objects.published().filter(slug=slug).exists() for m in SEARCHED
        )
        hits = {hit.record.slug for hit in search_records(term, limit=200)}
        if not published or slug not in hits:
            missing.append((named, slug, term))
    assert missing == []


# A text's own spelling of a name, and the record a search for it must find (the "Spellings the
# texts use" rows of docs/content-coverage.md).
VARIANT_SPELLINGS = {
    "Kazakstan": "hcnm-kazakhstan",
    "Sanjak": "csce-mission-kosovo-sandjak-vojvodina",
    "Bosnia-Herzegovina": "csce-mission-bosnia-herzegovina",
    "Chairman in Office": "osce-chairman-in-office",
    "Conference on Security and Cooperation in Europe": "osce",
    "Organization for Security and Cooperation in Europe": "osce",
    "Conflict Prevention Center": "conflict-prevention-centre",
    "Interfet": "interfet",
    "Chapter Seven": "un-charter",
}


def test_variant_spellings_are_listed_in_the_coverage_table():
    listed = {(term, record.split("`")[1]) for *_rest, record, term in rows()}
    assert set(VARIANT_SPELLINGS.items()) <= listed


@pytest.mark.django_db
def test_variant_spellings_find_their_records(curated):
    missing = [
        (term, slug)
        for term, slug in VARIANT_SPELLINGS.items()
        if slug not in {hit.record.slug for hit in search_records(term, limit=200)}
    ]
    assert missing == []
