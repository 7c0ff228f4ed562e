"""PostgreSQL full-text search: stemming, web-search syntax, and the GIN indexes."""

import pytest
from django.db import connection

from apps.knowledge.search import TARGETS, search_records
from tests import factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="full-text search needs PostgreSQL"
    ),
]


def test_stemming_matches_other_word_forms():
    mission = factories.MissionFactory(
        name="Observer group", summary="Observers monitored the ceasefire lines."
    )
    assert [hit.record for hit in search_records("monitoring observer")] == [mission]


def test_names_weigh_more_than_summaries():
    in_name = factories.NormFactory(name="Sovereignty", summary="A principle of order.")
    in_summary = factories.NormFactory(
        name="Non-intervention", summary="Follows from sovereignty."
    )
    hits = search_records("sovereignty")
    assert [hit.record for hit in hits] == [in_name, in_summary]
    assert hits[0].rank > hits[1].rank


def test_web_search_syntax_excludes_terms():
    kept = factories.CaseFactory(name="Bosnian War", summary="War in Bosnia.")
    factories.CaseFactory(name="Kosovo War", summary="War in Kosovo and Bosnia.")
    assert [hit.record for hit in search_records("war -kosovo")] == [kept]


def test_every_searched_table_has_a_gin_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE indexname LIKE %s",
            ["%_search_idx"],
        )
        indexes = dict(cursor.fetchall())
    for target in TARGETS.values():
        assert "USING gin" in indexes[target.table]
