"""Search over every record type: ranked, with snippets and type filters, on any database."""

import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.knowledge import search
from apps.knowledge.search import TARGETS
from apps.knowledge.search import count_records
from apps.knowledge.search import find
from apps.knowledge.search import search_records
from tests import factories
from tests.knowledge.test_public import NOT_PAGE_NUMBERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def collection():
    """Records whose names, acronyms and summaries the searches below rank."""
    un = factories.united_nations(summary="The world organisation.")
    unef = factories.unef_i(
        summary="The first peacekeeping force, sent after the Suez Crisis."
    )
    hcnm = factories.OrganisationFactory(
        name="High Commissioner on National Minorities",
        acronym="HCNM",
        summary="An OSCE institution for minority questions and early warning.",
    )
    kfor = factories.kfor(
        summary="A NATO-led force in Kosovo after the 1999 air campaign."
    )
    factories.MissionFactory(
        name="HCNM involvement in Estonia",
        acronym="",
        summary="The HCNM and the HCNM's recommendations on citizenship; HCNM again.",
    )
    factories.ConceptFactory(
        term="Traditional peacekeeping",
        summary="Forces between states with consent, as UNEF I and UNEF II were. "
        "UNEF is the model. UNEF, UNEF, UNEF.",
    )
    suez = factories.suez_crisis(summary="The 1956 war over the canal.")
    factories.DocumentFactory(
        title="Report on the Suez Crisis and after",
        summary="Discusses the Suez Crisis, the Suez Crisis and the Suez Crisis.",
    )
    factories.NormFactory(
        name="Consent", summary="KFOR and KFOR-like forces lacked it, KFOR noted."
    )
    return {"un": un, "hcnm": hcnm, "unef": unef, "kfor": kfor, "suez": suez}


@pytest.mark.parametrize(
    ("query", "key"),
    [("UNEF", "unef"), ("unef", "unef"), ("HCNM", "hcnm"), ("KFOR", "kfor")],
)
def test_an_acronym_finds_its_record_first(collection, query, key):
    hits = search_records(query)
    assert hits[0].record == collection[key]
    assert len(hits) > 1  # other records mention it too


def test_an_exact_name_finds_its_record_first(collection):
    hits = search_records("Suez Crisis")
    assert hits[0].record == collection["suez"]
    assert hits[0].type == "case"


def test_hits_carry_type_rank_and_a_safe_snippet(collection):
    factories.NormFactory(
        name="Tricky", summary="Sovereignty <script>alert(1)</script>"
    )
    hits = search_records("sovereignty")
    assert [hit.type for hit in hits] == ["norm"]
    hit = hits[0]
    assert hit.rank > 0
    assert "<mark>Sovereignty</mark>" in hit.snippet
    assert "<script>" not in hit.snippet
    assert "&lt;script" in hit.snippet


def test_types_restrict_the_search(collection):
    hits = search_records("UNEF", types=["concept"])
    assert {hit.type for hit in hits} == {"concept"}


def test_a_type_repeated_is_searched_once(collection, client):
    """`type=mission,mission,...` (the page and the API) costs what `type=mission` does
    and shows each hit once: every repetition added a type to the statement (500 of
    them took 4 s at 100x the data)."""
    once = find("force", types=["mission"])
    assert find("force", types=["mission"] * 500) == once
    assert len({hit.record for hit in once.hits}) == len(once.hits) == 2
    for path in ("/search/", "/api/v1/search/"):
        client.get(path, {"q": "force"})  # fills what every search shares
        with CaptureQueriesContext(connection) as single:
            assert (
                client.get(path, {"q": "force", "type": "mission"}).status_code == 200
            )
        with CaptureQueriesContext(connection) as repeated:
            response = client.get(
                path, {"q": "force", "type": ",".join(["mission"] * 500)}
            )
        assert response.status_code == 200
        assert [q["sql"] for q in repeated] == [q["sql"] for q in single]
    assert response.json()["count"] == 2
    page = client.get("/search/", {"q": "force", "type": "mission,mission"})
    assert page.context["chosen"] == ["mission"]


def test_limit_and_empty_queries(collection):
    assert len(search_records("force", limit=1)) == 1
    assert search_records("") == []
    assert search_records("   ") == []


def test_sources_are_found_by_author(collection):
    source = factories.SourceFactory(title="Piecing together the democratic peace")
    source.creators.create(family="Flynn", given="Gregory")
    hits = search_records("Flynn")
    assert [hit.record for hit in hits] == [source]


def test_drafts_are_never_found(collection):
    factories.MissionFactory(name="Secret UNEF plan", acronym="UNEF", draft=True)
    factories.MissionFactory(
        name="In review", acronym="UNEF", status="in_review", summary="UNEF"
    )
    assert all(hit.record.is_published for hit in search_records("UNEF"))
    assert count_records("UNEF") == {"mission": 1, "concept": 1}


def test_search_page_ranks_filters_and_links(client, collection):
    response = client.get("/search/?q=UNEF")
    assert response.status_code == 200
    assert response.context["hits"][0].url == collection["unef"].get_absolute_url()
    assert [h.type for h in response.context["hits"]][:1] == ["mission"]
    types = {t["name"]: t for t in response.context["type_filters"]}
    assert types["mission"]["count"] == 1
    assert types["concept"]["url"] == "?q=UNEF&type=concept"
    filtered = client.get("/search/?q=UNEF&type=concept")
    assert [hit.type for hit in filtered.context["hits"]] == ["concept"]
    assert "<mark>UNEF</mark>" in filtered.content.decode()


def test_search_page_without_results_suggests_routes(client):
    content = client.get("/search/?q=zzyzx").content.decode()
    assert "Nothing found" in content
    assert "/glossary/" in content


def test_the_stored_vectors_are_exactly_the_searched_expressions():
    migration = importlib.import_module("apps.knowledge.migrations.0007_search_vectors")
    assert {t.table: t.vector_sql() for t in TARGETS.values()} == migration.VECTORS


def test_the_name_vectors_are_exactly_the_searched_names():
    migration = importlib.import_module(
        "apps.knowledge.migrations.0017_search_name_vectors"
    )
    assert {
        t.table: t.name_vector_sql() for t in TARGETS.values()
    } == migration.NAME_VECTORS


def test_the_trigram_indexes_cover_exactly_the_searched_names():
    migration = importlib.import_module(
        "apps.knowledge.migrations.0012_search_trigram_indexes"
    )
    assert {t.table: t.a for t in TARGETS.values()} == migration.NAMES


def test_the_name_words_cover_exactly_the_searched_names():
    migration = importlib.import_module(
        "apps.knowledge.migrations.0019_search_name_words"
    )
    assert {t.table: t.a for t in TARGETS.values()} == migration.NAMES


def test_the_name_indexes_cover_exactly_the_searched_names():
    migration = importlib.import_module(
        "apps.knowledge.migrations.0008_search_name_indexes"
    )
    assert {t.table: t.a for t in TARGETS.values()} == migration.NAMES


def test_counts_per_type_match_the_hits(collection):
    counts = count_records("UNEF")
    assert counts == {"mission": 1, "concept": 1}
    assert sum(counts.values()) == len(search_records("UNEF"))
    assert count_records("") == {}
    assert count_records("UNEF", types=["concept"]) == {"concept": 1}


def _equal_matches(n):
    """`n` norms that match "sovereignty" equally, named in the reverse of the order
    they were added (ties must be cut and shown in one order, whichever the data)."""
    return [
        factories.NormFactory(name=f"Norm {n - i:02}", summary="About sovereignty.")
        for i in range(n)
    ]


def test_search_page_counts_every_match_and_pages_through_them(client):
    norms = _equal_matches(45)
    response = client.get("/search/?q=sovereignty")
    assert response.context["total"] == 45
    assert len(response.context["hits"]) == 20
    content = response.content.decode()
    assert "45 results for “sovereignty”: 1\u201320" in content
    assert 'href="?q=sovereignty&amp;page=2" rel="next"' in content
    shown = []
    for page in (1, 2, 3):
        hits = client.get(f"/search/?q=sovereignty&page={page}").context["hits"]
        shown += [hit.record.name for hit in hits]
    # Each match once, equal ranks by name.
    assert shown == sorted(norm.name for norm in norms)
    last = client.get("/search/?q=sovereignty&page=3").content.decode()
    assert 'rel="next"' not in last and 'rel="prev"' in last


@pytest.mark.parametrize("page", ["4", "25", "26", "999"])
def test_a_search_page_past_the_last_links_to_the_last(client, page):
    """45 matches are three pages of 20: page 4 on is a 404 that says so (not an empty
    page numbered "61-45"), with a link to page 3 of the same search."""
    _equal_matches(45)
    response = client.get(f"/search/?q=sovereignty&type=norm&page={page}")
    assert response.status_code == 404
    content = response.content.decode()
    assert '<meta name="robots" content="noindex">' in content
    assert (
        f"There is no page “{page}” of these results: pages run from 1 to 3." in content
    )
    assert (
        '<a href="/search/?q=sovereignty&amp;type=norm&amp;page=3">'
        "Go to the last page (page 3)</a>" in content
    )


@pytest.mark.parametrize("page", [*NOT_PAGE_NUMBERS, "last"])
def test_a_search_page_number_that_is_not_a_number_is_a_400_that_keeps_the_search(
    client, page
):
    """As on every list (and in the API's search): the number is wrong, not the search;
    the page says so and links to the first page of the same search, not page 1's
    results under a wrong address. "last" too: a search, like the API's, has none."""
    _equal_matches(3)
    response = client.get(
        "/search/", {"q": "sovereignty", "type": "norm", "page": page}
    )
    assert response.status_code == 400
    content = response.content.decode()
    asked = page.replace("<", "&lt;").replace(">", "&gt;")
    assert (
        f"“{asked}” is not a valid page number: the pages of these results are "
        "numbered from 1." in content
    )
    assert (
        '<a href="/search/?q=sovereignty&amp;type=norm">Go to the first page</a>'
        in content
    )
    assert '<meta name="robots" content="noindex">' in content
    assert "Norm 01" not in content


def test_a_search_page_number_too_long_for_int_is_past_the_end(client):
    """Not page 1 (as it was) and not a server error: a whole number, past the end."""
    _equal_matches(3)
    for page in ("1" + "0" * 20, "9" * 5000):
        response = client.get("/search/", {"q": "sovereignty", "page": page})
        assert response.status_code == 404, page[:20]
        assert f"There is no page “{page[:20]}” of these results" in (
            response.content.decode()
        )
    # An empty number is the first page; leading zeros are the number's own.
    assert client.get("/search/?q=sovereignty&page=").context["first"] == 1
    assert client.get("/search/?q=sovereignty&page=001").status_code == 200
    assert (
        client.get("/search/", {"q": "sovereignty", "page": "0" * 30 + "2"}).status_code
        == 404
    )


def test_api_search_pages_through_every_match_once(api):
    norms = _equal_matches(45)
    shown = []
    url = "/api/v1/search/?q=sovereignty&page_size=20"
    while url:
        page = api.get(url).json()
        assert page["count"] == 45
        shown += [hit["name"] for hit in page["results"]]
        url = page["next"]
    assert shown == sorted(norm.name for norm in norms)


@pytest.mark.parametrize(
    "params",
    [{"page": "\uff12"}, {"page": " 2"}, {"page": "1_0"}, {"page_size": "\uff15"}],
)
def test_api_search_takes_page_numbers_in_ascii_digits_only(api, params):
    # As the lists' pages do (limits.is_page_number): int() would read these.
    _equal_matches(3)
    response = api.get("/api/v1/search/", {"q": "sovereignty", **params})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == list(params)


def test_a_misspelt_name_is_found_and_corrected(client):
    kosovo = factories.CaseFactory(name="Kosovo conflict", summary="A war in 1999.")
    factories.CaseFactory(name="Suez Crisis", summary="A war in 1956.")
    content = client.get("/search/?q=Kosvo").content.decode()
    assert "Nothing found for “Kosvo”" in content
    assert 'Did you mean <a href="?q=Kosovo">Kosovo</a>?' in content
    assert kosovo.get_absolute_url() in content
    assert "/cases/suez" not in content


def test_a_misspelt_term_finds_the_glossary_entry(client):
    term = factories.ConceptFactory(term="Peacekeeping", summary="Keeping a peace.")
    content = client.get("/search/?q=peacekeping").content.decode()
    assert term.get_absolute_url() in content
    assert "Did you mean" in content


def test_a_plural_query_ranks_the_singular_name_first(collection):
    term = factories.ConceptFactory(
        term="Peacekeeping operation", summary="An operation to keep a peace."
    )
    factories.SourceFactory(
        title="Peacekeeping operations and their politics",
        summary="On peacekeeping operations, peacekeeping operations everywhere.",
    )
    assert search_records("peacekeeping operations")[0].record == term


def test_a_short_word_matches_whole_words_only(collection):
    factories.NormFactory(name="Foundations", summary="Found under the Charter.")
    hits = search_records("UN")
    assert hits[0].record.acronym == "UN"
    assert all(hit.record.name != "Foundations" for hit in hits)


@pytest.mark.parametrize(
    "question",
    ["who was sent after the Suez Crisis?", "When was UNEF sent to Suez?"],
)
def test_a_question_finds_what_its_content_words_find(collection, question):
    """Students type questions: "who", "was", "the" are in no record's every field,
    so on any database they are left out, as PostgreSQL's English stop words are."""
    assert collection["unef"] in [hit.record for hit in search_records(question)]


def test_when_no_record_holds_every_word_those_holding_most_come_first(collection):
    results = find("what did the Suez peacekeeping elephants do")
    assert not results.every_word
    # UNEF's summary holds "Suez" and "peacekeeping"; the others one of them.
    assert results.hits[0].record == collection["unef"]
    assert sum(results.counts.values()) == len(results.hits) > 1


def test_a_query_every_word_of_which_one_record_holds_finds_only_those(collection):
    results = find("Suez peacekeeping")
    assert results.every_word
    assert [hit.record for hit in results.hits] == [collection["unef"]]


@pytest.mark.parametrize(
    "query", ['"Suez elephants"', "Suez -crisis elephants", "elephants or giraffes"]
)
def test_a_query_with_its_own_logic_is_not_loosened(collection, query):
    results = find(query)
    assert results.hits == [] and results.every_word


def test_the_search_page_says_no_record_held_every_word(client, collection):
    page = client.get("/search/", {"q": "Suez peacekeeping elephants"}).content.decode()
    assert "No record holds every word of “Suez peacekeeping elephants”" in page
    assert collection["unef"].get_absolute_url() in page


def test_a_misspelt_word_is_corrected_beside_results_holding_the_others(
    client, collection
):
    page = client.get("/search/", {"q": "traditional pecekeeping"}).content.decode()
    assert "No record holds every word" in page
    assert "Did you mean" in page and "traditional peacekeeping" in page.lower()


def test_the_api_says_no_record_held_every_word(api, collection):
    loose = api.get("/api/v1/search/", {"q": "Suez peacekeeping elephants"}).json()
    assert loose["every_word"] is False and loose["count"] > 1
    strict = api.get("/api/v1/search/", {"q": "Suez peacekeeping"}).json()
    assert strict["every_word"] is True and strict["count"] == 1


def test_a_query_of_stop_words_alone_still_searches(collection):
    who = factories.OrganisationFactory(name="World Health Organization", acronym="WHO")
    assert search_records("WHO")[0].record == who


@pytest.mark.parametrize("url", ["/search/?q=suez", "/api/v1/search/?q=suez"])
def test_search_queries_do_not_grow_with_matches(
    client, collection, django_assert_max_num_queries, url
):
    # At most: the counts, the ranking (one query each on PostgreSQL), one fetch per
    # record type and the sources' authors.
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
    for factory in (factories.MissionFactory, factories.NormFactory):
        factory.create_batch(30, summary="After the Suez Crisis.")
    factories.SourceFactory(title="Suez", summary="The Suez Crisis.")
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


def test_a_type_with_more_matches_than_are_ranked_says_more_than(client, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES_PER_TYPE", 3)
    factories.NormFactory.create_batch(5, summary="About sovereignty.")
    factories.NormFactory(summary="Sovereignty, in draft.", draft=True)
    factories.CaseFactory(name="Sovereignty dispute", summary="Over an island.")
    results = find("sovereignty")
    assert results.counts == {"norm": 3, "case": 1}
    assert results.more == {"norm"}
    assert [hit.type for hit in results.hits].count("norm") == 3
    content = client.get("/search/?q=sovereignty").content.decode()
    assert "More than 4 results for “sovereignty”" in content
    assert '3+<span class="visually-hidden"> results</span>' in content
    assert '1<span class="visually-hidden"> result</span>' in content  # read aloud
    only_cases = client.get("/search/?q=sovereignty&type=case").content.decode()
    assert "1 result for “sovereignty”" in only_cases
    page = client.get("/api/v1/search/?q=sovereignty").json()
    assert page["count"] == 4
    assert len(page["results"]) == 4
