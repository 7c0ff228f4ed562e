"""PostgreSQL full-text search: stemming, web-search syntax, and the GIN indexes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.knowledge import search
from apps.knowledge.models import Norm
from apps.knowledge.search import TARGETS
from apps.knowledge.search import find
from apps.knowledge.search import search_records
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


def test_every_searched_table_has_a_stored_vector_with_a_gin_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE indexname LIKE %s",
            ["%_search_vector_idx"],
        )
        indexes = dict(cursor.fetchall())
        # Kept in the row, not in TOAST, where matching read every vector separately.
        cursor.execute(
            "SELECT attrelid::regclass::text, attstorage FROM pg_attribute "
            "WHERE attname = 'search_vector' AND attrelid::regclass::text = ANY(%s)",
            [[target.table for target in TARGETS.values()]],
        )
        storage = dict(cursor.fetchall())
    for target in TARGETS.values():
        assert indexes[target.table].endswith("USING gin (search_vector)")
        assert storage[target.table] == "m"


def test_the_stored_vector_follows_edits():
    norm = factories.NormFactory(name="Consent", summary="Of the host state.")
    assert search_records("sovereignty") == []
    norm.summary = "Follows from sovereignty."
    norm.save()
    assert [hit.record for hit in search_records("sovereignty")] == [norm]


def _plan(target, query):
    """PostgreSQL's plan for the records of `target` that the search matches."""
    analysed = search._analyse(query)
    sql = f'SELECT id FROM "{target.table}" WHERE {search._sql(target, analysed.mode).full}'
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, search._params(query, query.split(), analysed))
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("query", ["kosovo", "peace operation", '"host state"'])
def test_only_the_stored_vector_is_matched_when_the_query_has_words(query):
    """The by-name branch folds away while planning; left in, it forced a table scan."""
    for target in TARGETS.values():
        plan = _plan(target, query)
        assert "(search_vector @@ " in plan
        assert "upper(" not in plan


def test_the_planner_uses_the_gin_index_on_a_large_table():
    words = ["mandate", "force", "observer", "ceasefire", "mission", "council"]
    Norm.objects.bulk_create(
        Norm(
            slug=f"n-{i}",
            name=f"Norm {i}",
            summary=" ".join(f"{word}{i % 97}x{n}" for n, word in enumerate(words * 8)),
            conception="westphalian",
            status="published",
        )
        for i in range(3000)
    )
    factories.NormFactory(name="Kosovo", summary="Consent of the host state.")
    with connection.cursor() as cursor:
        # What autovacuum would do: move new rows from the GIN pending list into the
        # index, then gather statistics.
        cursor.execute(
            "SELECT gin_clean_pending_list('knowledge_norm_search_vector_idx')"
        )
        cursor.execute("ANALYZE knowledge_norm")
    plan = _plan(TARGETS["norm"], "kosovo")
    assert "Bitmap Index Scan on knowledge_norm_search_vector_idx" in plan
    assert [hit.record.name for hit in search_records("kosovo")] == ["Kosovo"]
    # A query of stop words only is compared with the names, through their index.
    plan = _plan(TARGETS["norm"], "the")
    assert "Bitmap Index Scan on knowledge_norm_name_upper_idx" in plan
    assert "Seq Scan" not in plan


def test_a_stop_word_acronym_is_still_found_by_name():
    who = factories.OrganisationFactory(name="World Health Organization", acronym="WHO")
    factories.OrganisationFactory(name="Who knows", acronym="")
    hits = search_records("WHO")
    assert [hit.record.name for hit in hits] == [who.name, "Who knows"]


def test_a_misspelt_mission_name_finds_the_mission(client):
    kfor = factories.MissionFactory(
        name="Kosovo Force", acronym="KFOR", summary="A NATO-led force."
    )
    factories.MissionFactory(name="Observer group", summary="Observers.")
    response = client.get("/search/?q=Kosvo+Forse")
    assert [hit.record for hit in response.context["similar"]] == [kfor]
    assert response.context["suggestion"] == "Kosovo Force"


def test_an_exact_name_ranks_first_however_many_names_hold_the_word(monkeypatch):
    """Candidates are capped per type; an exact name is always one of them."""
    monkeypatch.setattr(search, "CANDIDATES_PER_TYPE", 3)
    for i in range(6):
        factories.NormFactory(name=f"Sovereignty clause {i}", summary="A clause.")
    factories.NormFactory(name="Sovereignty", summary="A principle.", draft=True)
    exact = factories.NormFactory(name="Sovereignty", summary="A principle.")
    results = find("sovereignty")
    assert results.hits[0].record == exact
    assert len(results.hits) == 3
    assert results.counts == {"norm": 3}
    assert results.more == {"norm"}


def test_a_renamed_record_is_found_by_its_new_name_misspelt(client):
    """The names' words (migration 0019) follow every insert and rename."""
    norm = factories.NormFactory(name="Sovereignty", summary="A principle.")
    norm.name = "Subsidiarity"
    norm.save()
    response = client.get("/search/?q=subsidarity")
    assert [hit.record for hit in response.context["similar"]] == [norm]
    assert response.context["suggestion"] == "Subsidiarity"


def test_a_draft_name_is_never_suggested(client):
    factories.CaseFactory(name="Srebrenica massacre", summary="1995.", draft=True)
    response = client.get("/search/?q=srebrenca")
    assert response.context["similar"] == []
    assert response.context["suggestion"] == ""
    assert "Srebrenica" not in response.content.decode()


def test_the_names_closest_to_a_misspelt_word_rank_first():
    """Of many names holding a close word, the closest whole name comes first however
    new it is, then the names that tie, oldest first, however many there are."""
    kosovo = [
        factories.MissionFactory(name=f"Kosovo Mission {i}", summary="A mission.")
        for i in range(12)
    ]
    factories.MissionFactory(name="Observer group", summary="Observers.")
    closest = factories.MissionFactory(name="Kosvo region", summary="A mission.")
    similar = search.similar_names("kosvo")[0]
    assert similar[0].record == closest
    assert {hit.record for hit in similar[1:]} == set(kosovo[:9])


def test_a_misspelt_search_stays_within_the_query_budget(
    client, django_assert_max_num_queries
):
    factories.MissionFactory(name="Kosovo Force", acronym="KFOR", summary="NATO.")
    factories.CaseFactory(name="Kosovo War", summary="1999.")
    for query in ("kosvo", "kosvo forse", "the kosvo war", "zzqxw", "who"):
        with django_assert_max_num_queries(8):
            assert client.get("/search/", {"q": query}).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "a" * 5000,
        "'; DROP TABLE x; --",
        "%_%\\",
        "!!! ???",
        "Косво",
        "科索沃",
        "':* & !",
    ],
)
def test_hostile_misspelt_queries_answer_plainly(client, query):
    factories.MissionFactory(name="Kosovo Force", summary="NATO.")
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert response.context["hits"] == []


def test_a_long_misspelt_query_costs_what_four_words_cost(client):
    """Only the longest words of a misspelt query choose the names compared with it
    (search.SIMILAR_CHOSEN_WORDS): the queries and their LIKE patterns stay the same
    however many words follow."""
    words = [
        "peacekeeping",
        "observation",
        "withdrawal",
        "protection",
        "civilians",
        "ceasefire",
        "security",
        "monitors",
        "kosovo",
        "border",
        "force",
        "truce",
        "zone",
        "army",
    ]  # longest first: the first four are the chosen ones of any longer query
    mission = factories.MissionFactory(
        name=" ".join(word.capitalize() for word in words), summary="A mission."
    )

    def work(count):
        query = " ".join(word[:2] + word[3:] for word in words[:count])  # misspelt
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        assert [hit.record for hit in response.context["similar"]] == [mission]
        likes = [statement["sql"].count(" LIKE ") for statement in queries]
        return len(queries), max(likes)

    client.get("/search/", {"q": "warm"})  # fills what every search shares
    assert work(4) == work(9) == work(14)
    assert work(14)[1] <= search.SIMILAR_CHOSEN_WORDS * search.SIMILAR_WORDS * 2


def test_the_search_statement_is_planned_once_per_connection():
    """Planning it costs about as much as a third of running it: the second search of
    the same types reuses the first one's prepared statement, and finds the same."""
    mission = factories.MissionFactory(name="Observer group", summary="Ceasefire.")
    first = [hit.record for hit in search_records("observer")]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements "
            "WHERE statement LIKE 'WITH candidate AS%%'"
        )
        prepared = cursor.fetchone()[0]
    assert first == [mission]
    assert prepared == 1
    assert [hit.record for hit in search_records("ceasefire")] == [mission]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements "
            "WHERE statement LIKE 'WITH candidate AS%%'"
        )
        assert cursor.fetchone()[0] == 1
