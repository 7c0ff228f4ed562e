"""One search over every public record type, ranked, with highlighted snippets.

`find(query, *, types=None, limit=50)` is the single entry point, used by the /search/
page and the API: the best hits, and the matches of each type counted. On PostgreSQL
it is full-text search: a weighted document per type (names A, summary B, secondary
text C), stored in each table's `search_vector` column with a GIN index (migration
0007), ranked with ts_rank over at most CANDIDATES_PER_TYPE candidates of each type,
names first (`name_vector`, migration 0017), in one query. On SQLite it falls back to
substring matching with a simple score. On both, an exact name or acronym (UNEF,
HCNM, KFOR) ranks first.
"""

import difflib
import functools
import re
from dataclasses import dataclass

import psycopg
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import Count
from django.db.models import Exists
from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import Value
from django.utils.html import escape
from django.utils.safestring import mark_safe

from apps.core.models import Status

from .models import Source
from .models import SourceCreator
from .registry import RECORD_TYPES

CONFIG = "english"


@dataclass(frozen=True)
class Target:
    """How one model is searched: its weighted fields, and the fields an exact query hits."""

    model: type
    a: tuple  # names, acronyms, titles, symbols
    b: tuple = ("summary",)
    c: tuple = ()
    prefetch: tuple = ()

    @property
    def table(self):
        return self.model._meta.db_table

    def vector_sql(self):
        """The weighted tsvector; migration 0007 stores exactly this expression."""
        return vector_sql(self.a, self.b, self.c)

    def tie_name(self, record):
        """The name that orders hits of equal rank: the first non-empty name field,
        lower-cased (the `tie_name_sql` of the same record)."""
        return next((v for f in self.a if (v := getattr(record, f))), "").lower()

    def tie_name_sql(self):
        """`tie_name` in SQL, compared by code point ("C") as Python compares strings."""
        table = f'"{self.table}"'
        names = ", ".join(f"nullif({table}.{f}::text, '')" for f in self.a)
        return f"lower(coalesce({names}, '')) COLLATE \"C\""

    def name_vector_sql(self):
        """The names alone, one weight a field; migration 0017 stores exactly this."""
        return " || ".join(
            f"setweight(to_tsvector('{CONFIG}'::regconfig, coalesce({name}, '')), "
            f"'{weight}')"
            for weight, name in zip("ABC", self.a, strict=False)
        )


def vector_sql(a, b, c):
    parts = []
    for weight, fields in (("A", a), ("B", b), ("C", c)):
        if fields:
            text = " || ' ' || ".join(f"coalesce({name}, '')" for name in fields)
            parts.append(
                f"setweight(to_tsvector('{CONFIG}'::regconfig, {text}), '{weight}')"
            )
    return " || ".join(parts)


# The searched types, keyed by model name, from the registry's search fields.
TARGETS = {
    t.name: Target(t.model, t.search.a, t.search.b, t.search.c, t.search.prefetch)
    for t in RECORD_TYPES
    if t.search is not None
}
SEARCH_TYPES = list(TARGETS)


@dataclass
class SearchHit:
    record: object
    type: str  # the model name: "mission", "case"...
    rank: float
    snippet: str = ""  # safe HTML with <mark>

    @functools.cached_property
    def url(self):  # read by the page and its hints: reverse() once
        return self.record.get_absolute_url()

    @property
    def type_label(self):
        return self.record._meta.verbose_name

    def order_key(self):
        """The one total order of hits: best rank first, then by name, type and id.
        Pages are cut from it, so each match is on exactly one page."""
        return (
            -self.rank,
            TARGETS[self.type].tie_name(self.record),
            self.type,
            self.record.pk,
        )


@dataclass(frozen=True)
class SearchResults:
    """The hits of one search, best first, and how many records of each type match.

    A type's count stops at CANDIDATES_PER_TYPE: the types in `more` have more matches
    than their count says (pages show "150+")."""

    hits: list[SearchHit]
    counts: dict[str, int]  # {model_name: matches}, types without matches left out
    more: frozenset[str] = frozenset()
    # False when no record held every word of the query, and these hold some of them.
    every_word: bool = True


# At most this many matches of each type are ranked, and counted. A common word
# matches thousands of records at scale ("kosovo" 2,300 at 100x the data), and ranking
# every one of them cost more than the rest of the page. On PostgreSQL the candidates
# are taken names first: the names and acronyms equal to the query, then the names
# holding every word (`name_vector`), then the other matches, each group in table order
# (mostly the order the records were added); a type with more matches counts "150+".
# In the curated collection no word is in more than 118 records of one type ("nation",
# sources), so there every match is ranked and counted.
CANDIDATES_PER_TYPE = 150


def find(
    query: str,
    *,
    types: list[str] | None = None,
    limit: int = 50,
    count_types: list[str] | None = None,
) -> SearchResults:
    """Published records of `types` (all by default) matching `query`, best first, at
    most `limit`, with the matches of each of `count_types` (default: `types`) counted."""
    query, terms = _prepare(query)
    if not terms:
        return SearchResults([], {})
    targets = _targets(types)
    counted = targets if count_types is None else _targets(count_types)
    words = _content_terms(terms)
    hits, counts = _search(targets, counted, query, terms, words, limit)
    every_word = True
    # A question ("what did Hirst say about Somalia") rarely has every word in one
    # record: when none has, the records holding most of them are better than nothing.
    # Not when the query has its own logic (quotes, "-word", "or").
    if not any(counts.values()) and len(words) > 1 and not _has_operators(query):
        hits, counts = _search(
            targets, counted, query, words, words, limit, any_word=True
        )
        every_word = not any(counts.values())
    hits = hits[:limit]
    for hit in hits:
        hit.snippet = snippet(hit.record, terms)
    return SearchResults(
        hits,
        {name: min(n, CANDIDATES_PER_TYPE) for name, n in counts.items() if n},
        frozenset(name for name, n in counts.items() if n > CANDIDATES_PER_TYPE),
        every_word,
    )


def _search(targets, counted, query, terms, words, limit, *, any_word=False):
    """(hits, counts) of the records holding every word of the query, or with
    `any_word`, any of `words` (those holding more of them first). PostgreSQL leaves
    out its stop words itself; the SQLite fallback is given `words`, the query's terms
    without them."""
    if connection.vendor == "postgresql":
        if any_word:
            query = " or ".join(words)  # websearch_to_tsquery's "or"
        return _postgres_search(targets, counted, query, terms, limit, any_word)
    hits = [
        hit
        for name, target in targets
        for hit in _fallback_ranked(
            target, name, query, words, min(limit, CANDIDATES_PER_TYPE), any_word
        )
    ]
    hits.sort(key=SearchHit.order_key)
    return hits, _fallback_counts(counted, query, words, any_word)


def _has_operators(query):
    """Whether the query uses websearch syntax: a quoted phrase, "-word" or "or"."""
    return bool(re.search(r'"|(?:^|\s)-\w|\bor\b', query, re.IGNORECASE))


def search_records(query, *, types=None, limit=50):
    """Published records matching `query`, best first, at most `limit`."""
    return find(query, types=types, limit=limit).hits


def count_records(query, *, types=None):
    """How many published records of each type match `query`: {model_name: count}."""
    return find(query, types=types, limit=0).counts


# PostgreSQL's English stop words (its tsearch_data/english.stop), which its full text
# leaves out of a query. The SQLite fallback leaves out the same, so that a question
# ("when did UNTAC start") finds on both what its other words find.
_STOP_WORDS_TEXT = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him
    his himself she her hers herself it its itself they them their theirs themselves
    what which who whom this that these those am is are was were be been being have
    has had having do does did doing a an the and but if or because as until while
    of at by for with about against between into through during before after above
    below to from up down in out on off over under again further then once here
    there when where why how all any both each few more most other some such no nor
    not only own same so than too very s t can will just don should now
"""
ENGLISH_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


def _content_terms(terms):
    """`terms` without stop words; all of them when they are all stop words ("WHO")."""
    return [t for t in terms if t not in ENGLISH_STOP_WORDS] or terms


def _prepare(query):
    query = " ".join((query or "").split())[:200]
    terms = [
        t
        for t in re.findall(r"[\w][\w'.-]*", query.lower())
        if len(t) > 1 or t.isdigit()
    ]
    return query, terms


def _targets(types):
    """Each searched type of `types` once ("type=mission,mission,..." is one type)."""
    return [
        (name, TARGETS[name])
        for name in dict.fromkeys(types or SEARCH_TYPES)
        if name in TARGETS
    ]


def _exact_boost(target, query):
    """Conditions for an exact name or acronym, and for a name beginning with the query."""
    exact = Q()
    starts = Q()
    for name in target.a:
        exact |= Q(**{f"{name}__iexact": query})
        starts |= Q(**{f"{name}__istartswith": f"{query} "})
    return exact, starts


def _author_match(target, terms):
    if target.model is not Source:
        return None
    cased = [t.capitalize() for t in terms] + terms
    return Exists(SourceCreator.objects.filter(source=OuterRef("pk"), family__in=cased))


def _matching(target, query, terms, any_word=False):
    """The SQLite fallback's match (PostgreSQL's is `_sql`): the published records of
    one type holding every term as a substring (with `any_word`, any of them), or with
    an exact name, acronym or author."""
    queryset = target.model.objects.published()
    exact, starts = _exact_boost(target, query)
    condition = Q()
    for term in terms:
        anywhere = Q()
        for field in (*target.a, *target.b, *target.c):
            if len(term) <= 3:  # "UN" is a word, not every "found" and "under"
                anywhere |= Q(**{f"{field}__iregex": rf"\b{re.escape(term)}\b"})
            else:  # the singular also finds the plural
                anywhere |= Q(**{f"{field}__icontains": _singular(term)})
        condition = (condition | anywhere) if any_word else (condition & anywhere)
    condition |= exact | starts
    authors = _author_match(target, terms)
    if authors is not None:
        queryset = queryset.annotate(by_author=authors)
        condition |= Q(by_author=True)
    return queryset.filter(condition)


# PostgreSQL: one query counts and ranks every type ---------------------------------


@dataclass(frozen=True)
class Analysed:
    """What PostgreSQL makes of a query, asked first: the search's SQL is then chosen
    for the kind of query, with the parsed query as a constant, and the stemmed words
    are compared with each name's without parsing the query again for every row."""

    tsquery: str  # websearch_to_tsquery, as text
    words: str  # the query's stemmed words, a stripped tsvector as text
    mode: str  # "words"; "plain": words only (no "-", "or", quotes); "stop": no words;
    # "any": any of the words (find's second try), the records holding more first


def _analyse(query: str, any_word: bool = False) -> Analysed:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT q::text, numnode(q), strip(to_tsvector('{CONFIG}'::regconfig, %s))"
            f"::text FROM websearch_to_tsquery('{CONFIG}'::regconfig, %s) AS q",
            [query, query],
        )
        tsquery, nodes, words = cursor.fetchone()
    # Outside its quoted lexemes, a tsquery of plain words has only "&" between them.
    operators = re.sub(r"'(?:[^']|'')*'", "", tsquery)
    if not nodes:
        mode = "stop"
    elif any_word:  # find's second try: `query` is its words joined by "or"
        mode = "any"
    elif re.search(r"[|!<]", operators):
        mode = "words"
    else:
        mode = "plain"
    return Analysed(tsquery, words, mode)


@dataclass(frozen=True)
class TargetSQL:
    """One type's SQL on PostgreSQL, with named parameters (see `_params`)."""

    full: str  # the match condition
    candidates: str  # its first matches, names first (see CANDIDATES_PER_TYPE)
    rank: str  # the rank of a row


@functools.cache
def _sql(target: Target, mode: str) -> TargetSQL:
    """The match is the stored, GIN-indexed `search_vector` of migration 0007; a query
    made only of stop words ("WHO", "US") is compared with the names instead, through
    their upper-cased indexes (0008). The rank is ts_rank over the vector, plus 1 for an
    exact name or acronym, 0.9 for a name equal to the query once both are stemmed, 0.5
    for a name that begins with the query, 0.6 for an author's name."""
    table = f'"{target.table}"'
    tsquery = "%(tsquery)s::tsquery"
    exact = " OR ".join(f"upper({table}.{f}::text) = upper(%(q)s)" for f in target.a)
    starts = " OR ".join(
        f"upper({table}.{f}::text) LIKE upper(%(starts)s)" for f in target.a
    )
    # Each name field has its own weight in `name_vector` (migration 0017: A, B, C), so
    # ts_filter gives one field's stemmed words back ("Peacekeeping operation" for the
    # query "peacekeeping operations") without parsing the name again.
    stemmed = " OR ".join(
        f"strip(ts_filter({table}.name_vector, '{{{weight}}}')) = %(words)s::tsvector"
        for weight, _ in zip("abc", target.a, strict=False)
    )
    if mode == "stop":  # no words: no text rank, and no stemmed name equals none
        full = f"{exact} OR {starts}"
        text_rank = "0.0"
        stemmed = "FALSE"
    else:
        full = f"{table}.search_vector @@ {tsquery}"
        text_rank = f"ts_rank({table}.search_vector, {tsquery})"
    if mode == "any":  # each word held adds 1, more than any text rank
        text_rank += (
            " + (SELECT count(*) FROM unnest(tsvector_to_array(%(words)s::tsvector))"
            f" AS w WHERE {table}.search_vector @@ quote_literal(w)::tsquery)"
        )
    rank = (
        f"{text_rank} + CASE WHEN {exact} THEN 1.0 WHEN {stemmed} THEN 0.9 "
        f"WHEN {starts} THEN 0.5 ELSE 0.0 END"
    )
    if target.model is Source:
        creators = SourceCreator._meta.db_table
        author = (
            f'EXISTS (SELECT 1 FROM "{creators}" WHERE "{creators}".source_id = '
            f'{table}.id AND "{creators}".family = ANY(%(families)s))'
        )
        full += f" OR {author}"
        rank += f" + CASE WHEN {author} THEN 0.6 ELSE 0.0 END"
    # The candidates: exact names and acronyms, then names holding every word of the
    # query (`name_vector`, GIN-indexed), then the other matches. A name holding every
    # word of a plain query matches the full text too; other queries check it again.
    names = f"{table}.name_vector @@ {tsquery}"
    also_full = "" if mode == "plain" else f" AND ({full})"
    groups = [f"({exact}){also_full}"]
    if mode != "stop":
        groups.append(f"{names} AND ({exact}) IS NOT TRUE{also_full}")
        groups.append(f"({full}) AND {names} IS NOT TRUE AND ({exact}) IS NOT TRUE")
    else:
        groups.append(f"({full}) AND ({exact}) IS NOT TRUE")
    published = f"{table}.status = %(published)s"  # models.published_q()
    candidates = " UNION ALL ".join(
        f"(SELECT {table}.id FROM {table} WHERE {published} AND {group} LIMIT %(fetch)s)"
        for group in groups
    )
    return TargetSQL(full, f"{candidates} LIMIT %(fetch)s", rank)


@functools.cache
def _search_sql(ranked: tuple[str, ...], counted: tuple[str, ...], mode: str) -> str:
    """One statement: the candidates of every type, the best `limit` of the ranked
    types (rows of type, id, rank) and the count of each type (rows of type, count)."""
    # `n` numbers a type's candidates in the order they come, names first; the one
    # past the cap is counted ("150+") but not ranked.
    candidates = " UNION ALL ".join(
        f"SELECT '{name}' AS type, id, row_number() OVER () AS n "
        f"FROM ({_sql(TARGETS[name], mode).candidates}) c"
        for name in dict.fromkeys(ranked + counted)
    )
    counts = (
        "SELECT type, NULL::integer, NULL::float8, NULL::text, count(*) "
        "FROM candidate GROUP BY type"
    )
    if not ranked:
        return f"WITH candidate AS ({candidates}) {counts}"
    ranks = " UNION ALL ".join(
        f"SELECT '{name}' AS type, id, ({_sql(TARGETS[name], mode).rank})::float8 AS rank, "
        f"{TARGETS[name].tie_name_sql()} AS name "
        f'FROM "{TARGETS[name].table}" WHERE id IN '
        f"(SELECT id FROM candidate WHERE type = '{name}' AND n <= %(cap)s)"
        for name in ranked
    )
    # The hits' rows carry the tie name, so Python can keep their order (SearchHit.order_key)
    # without numbering every ranked row: a window would sort them all, not the best few.
    return (
        f"WITH candidate AS ({candidates}) "
        f"(SELECT type, id, rank, name, NULL::bigint FROM ({ranks}) AS ranked "
        f"ORDER BY rank DESC, name, type, id LIMIT %(limit)s) "
        f"UNION ALL ({counts})"
    )


def _params(query, terms, analysed, limit=0):
    return {
        "q": query,
        "tsquery": analysed.tsquery,
        "words": analysed.words,
        "starts": connection.ops.prep_for_like_query(f"{query} ") + "%",
        "families": [t.capitalize() for t in terms] + terms,
        "published": Status.PUBLISHED,
        "cap": CANDIDATES_PER_TYPE,
        "fetch": CANDIDATES_PER_TYPE + 1,  # one more tells "more than"
        "limit": limit,
    }


class _ServerBindingDebugCursor(CursorDebugWrapper):
    """Django logs a statement (DEBUG, tests) from the text its own cursors compose on
    the client; a server-binding cursor composes none, so compose it for the log."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params)):
            return CursorWrapper.execute(self, sql, params)


def _prepared_rows(sql: str, params: dict) -> list[tuple]:
    """The rows of `sql`, run as a prepared statement of this connection.

    Planning the search statement (the candidates, ranks and counts of every type) is
    about 2 ms of the 7 ms of CPU PostgreSQL spends on it at 100x data. Prepared, its
    plan is kept for every later query of the same types and mode. Django's cursors
    bind parameters on the client and cannot prepare, so this one binds on the server;
    wrapped as Django's own, its errors and its place in `connection.queries` are the
    same."""
    connection.ensure_connection()
    wrapper = _ServerBindingDebugCursor if connection.queries_logged else CursorWrapper
    with wrapper(psycopg.Cursor(connection.connection), connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _postgres_search(targets, counted, query, terms, limit, any_word=False):
    """The best `limit` hits of `targets` and the count of each of `counted`, from one
    query, in the order of SearchHit.order_key; then only the records shown are fetched."""
    analysed = _analyse(query, any_word)
    sql = _search_sql(
        tuple(name for name, _ in targets) if limit else (),
        tuple(name for name, _ in counted),
        analysed.mode,
    )
    rows = _prepared_rows(sql, _params(query, terms, analysed, limit))
    # SearchHit.order_key with PostgreSQL's own lower-cased names, which Python's
    # lower() may not match letter for letter; "C" order is code point order.
    order = {
        (kind, pk): (-rank, tie_name, kind, pk)
        for kind, pk, rank, tie_name, _ in rows
        if pk is not None
    }
    wanted = {name for name, _ in counted}
    counts = {name: n for name, pk, _, _, n in rows if pk is None and name in wanted}
    hits = []
    for name, target in targets:
        pks = [pk for kind, pk in order if kind == name]
        if pks:
            records = target.model.objects.prefetch_related(*target.prefetch)
            for record in records.filter(pk__in=pks):
                hits.append(SearchHit(record, name, -order[name, record.pk][0]))
    hits.sort(key=lambda hit: order[hit.type, hit.record.pk])
    return hits, counts


def _fallback_counts(counted, query, terms, any_word=False):
    """{model_name: matches}, from one query: a UNION ALL of one count per type."""
    rows = _union(
        _matching(target, query, terms, any_word)
        .order_by()
        .annotate(type=Value(name))
        .values("type")
        .annotate(n=Count("pk"))
        .values_list("type", "n")
        for name, target in counted
    )
    return dict(rows)


def _fallback_ranked(target, name, query, terms, limit, any_word=False):
    """A simple score: exact name 10, name beginning with the query 5, author 3,
    then term frequency weighted by field (names 1, summary 0.2, the rest 0.1); with
    `any_word`, first 20 for each term the record holds."""
    queryset = _matching(target, query, terms, any_word)
    queryset = queryset.prefetch_related(*target.prefetch)
    lowered = query.lower()
    hits = []
    # The same matches are scored for every page (by id, the first few times the
    # most that are ranked), so the pages are cut from one order.
    for record in queryset.order_by("pk")[: CANDIDATES_PER_TYPE * 4]:
        score = 3.0 if getattr(record, "by_author", False) else 0.0
        for weight, names in ((1.0, target.a), (0.2, target.b), (0.1, target.c)):
            for field in names:
                text = (getattr(record, field) or "").lower()
                if weight == 1.0 and text == lowered:
                    score += 10
                elif weight == 1.0 and _singular(text) == _singular(lowered):
                    score += 9
                elif weight == 1.0 and text.startswith(lowered + " "):
                    score += 5
                score += weight * sum(text.count(term) for term in terms)
        if any_word:
            score += 20 * _terms_held(record, target, terms)
        hits.append(SearchHit(record, name, score))
    hits.sort(key=SearchHit.order_key)
    return hits[:limit]


def _terms_held(record, target, terms):
    """How many of `terms` some searched field of `record` holds."""
    texts = [
        (getattr(record, field) or "").lower()
        for field in (*target.a, *target.b, *target.c)
    ]
    return sum(any(_holds(text, term) for text in texts) for term in terms)


def _holds(text, term):
    """As `_matching` compares: a short term whole, a longer one as its singular."""
    if len(term) <= 3:
        return re.search(rf"\b{re.escape(term)}\b", text) is not None
    return _singular(term) in text


def _singular(text):
    return " ".join(
        w[:-1] if len(w) > 3 and w.endswith("s") else w for w in text.split()
    )


# Names close to a misspelt query ------------------------------------------------------

SIMILAR_LIMIT = 10
WORD_SIMILARITY = 0.4


def similar_names(query, *, types=None):
    """For a query that finds nothing: published records whose names are close to it
    ("Kosvo" -> the Kosovo records), best first, and the query with each word replaced
    by the closest word of those names ("Kosovo"), or "" when nothing is close.

    On PostgreSQL, pg_trgm's word similarity: the query's words against the names'
    distinct words (migration 0019), then the whole query against the names holding
    the closest of them (trigram indexes of migration 0012); elsewhere, difflib over
    the names in Python."""
    query, terms = _prepare(query)
    if not terms:
        return [], ""
    targets = _targets(types)
    if connection.vendor == "postgresql":
        hits = _postgres_similar(targets, query.lower())
    else:
        hits = _fallback_similar(targets, query.lower())
    hits.sort(key=lambda hit: (-hit.rank, str(hit.record).lower()))
    hits = hits[:SIMILAR_LIMIT]
    # Each word as spelt in the best names, a capitalised spelling first ("Kosovo",
    # "Peacekeeping" as a name of its own), so the suggestion does not depend on the
    # order of a set.
    spelling: dict[str, str] = {}
    for hit in hits:
        for name in target_names(TARGETS[hit.type], hit.record):
            for word in re.findall(r"[\w'-]+", name):
                known = spelling.setdefault(word.lower(), word)
                if not known[0].isupper() and word[0].isupper():
                    spelling[word.lower()] = word
    corrected = []
    for word in query.split():
        close = difflib.get_close_matches(word.lower(), spelling, n=1, cutoff=0.7)
        corrected.append(spelling[close[0]] if close else word)
    suggestion = " ".join(corrected)
    return hits, (suggestion if suggestion.lower() != query.lower() else "")


def target_names(target, record):
    return [getattr(record, f) or "" for f in target.a]


def _union(querysets):
    first, *others = querysets
    return first.union(*others, all=True) if others else first


# A misspelt query is compared with the names' distinct words first (migration 0019:
# about 900 words, at 1x as at 100x), and with whole names only for the records whose
# names hold one of the closest words: comparing it with every name sharing a few
# trigrams took 50-300 ms at 100x. For each word of the query (English stop words left
# out unless the query has nothing else) its SIMILAR_WORDS closest name words; then, of
# each type, the first SIMILAR_LIMIT published records by id whose names hold one of
# them, and the first SIMILAR_EVERY_WORD holding the best word for every query word;
# only these are compared with the whole query, as before. Records that tie with the
# best hold the same words, so the first of them by id are the ones shown before.
#
# A long query's work is capped: its SIMILAR_QUERY_WORDS longest words are looked up
# among the name words (one query for all of them), and of those with close name
# words, only the SIMILAR_CHOSEN_WORDS longest choose the candidates. Every word chosen
# adds up to SIMILAR_WORDS candidate groups to each table holding its close words; the
# 14 words of a misspelt sentence made 24 patterns over 7 tables, and 2.3 times the
# time of "kosovo" (1.3 times with 4). Long words carry most of the trigrams of the
# whole query, which ranks the candidates; short ones ("war", "un") are in many names
# and tell them apart least. A query of at most SIMILAR_CHOSEN_WORDS words keeps all.
SIMILAR_WORDS = 3
SIMILAR_QUERY_WORDS = 12
SIMILAR_CHOSEN_WORDS = 4
SIMILAR_EVERY_WORD = 50  # candidates holding the best word for every chosen word


def _longest(words: list[str], n: int) -> list[str]:
    """The `n` longest of `words` (ties to the earlier), in their order."""
    kept = set(sorted(words, key=lambda w: (-len(w), words.index(w)))[:n])
    return [word for word in words if word in kept]


def _chosen(
    close: dict[str, list[str]], stop: set[str], words: list[str]
) -> dict[str, list[str]]:
    """The query words (with their close name words) that choose the candidates: stop
    words left out unless only they are left, then the SIMILAR_CHOSEN_WORDS longest."""
    if set(close) - stop:
        close = {q: found for q, found in close.items() if q not in stop}
    kept = _longest([word for word in words if word in close], SIMILAR_CHOSEN_WORDS)
    return {q: found for q, found in close.items() if q in kept}


def _close_words(words: list[str]) -> tuple[dict[str, set[str]], list[str]]:
    """The name words to look for, each with the tables whose names hold it, and the
    best of them for each query word chosen (stop words left out unless only they are
    left; then the SIMILAR_CHOSEN_WORDS longest)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT query_word, word, tables, numnode(plainto_tsquery("
            f"'{CONFIG}'::regconfig, query_word)) = 0 "
            "FROM knowledge_close_words(%s::text[], %s) "
            "ORDER BY query_word, similarity DESC, word",
            [words, SIMILAR_WORDS],
        )
        rows = cursor.fetchall()
    close: dict[str, list[str]] = {}
    tables: dict[str, set[str]] = {}
    stop = set()
    for query_word, word, held_by, is_stop in rows:
        close.setdefault(query_word, []).append(word)
        tables[word] = set(held_by)
        if is_stop:
            stop.add(query_word)
    close = _chosen(close, stop, words)
    # In a query of several words, a word that is a name word is looked up alone, else
    # the closest name words (a word held only by a draft or a former name must not
    # hide them); as LIKE patterns of the singular ("operation" also finds
    # "operations"), in every table holding the word in either form.
    patterns: dict[str, set[str]] = {}
    best = []
    for query_word, found in close.items():
        alone = query_word in found and len(close) > 1
        chosen = [query_word] if alone else found
        for word in chosen:
            patterns.setdefault(_singular(word), set()).update(
                *(tables[f] for f in found if _singular(f) == _singular(word))
            )
        best.append(_singular(chosen[0]))
    return patterns, list(dict.fromkeys(best))


def _similar_sql(names, patterns, best):
    """The candidates of each type of `names` and the best SIMILAR_LIMIT of them, as
    rows of (type, id, rank); `patterns` ({word: tables holding it}) and `best` (words)
    name the LIKE parameters p0, p1... and b0, b1..."""
    candidates = []
    ranks = []
    for name in names:
        target = TARGETS[name]
        table = f'"{target.table}"'
        fields = [f"lower({table}.{f}::text)" for f in target.a]

        def holds(param, fields=fields):
            return "(" + " OR ".join(f"{f} LIKE %({param})s" for f in fields) + ")"

        groups = [
            (holds(f"p{i}"), "limit")
            for i, held_by in enumerate(patterns.values())
            if target.table in held_by
        ]
        if len(best) > 1 and all(target.table in patterns[w] for w in best):
            every = " AND ".join(holds(f"b{i}") for i in range(len(best)))
            groups.append((every, "every"))
        if not groups:
            continue
        candidates.extend(
            f"SELECT '{name}' AS type, id FROM (SELECT {table}.id FROM {table} "
            f"WHERE {table}.status = %(published)s AND {group} "
            f"ORDER BY {table}.id LIMIT %({limit})s) AS c{len(candidates) + n}"
            for n, (group, limit) in enumerate(groups)
        )
        score = ", ".join(f"word_similarity(%(q)s, {f})" for f in fields)
        ranks.append(
            f"SELECT '{name}' AS type, {table}.id, greatest({score})::float8 AS rank "
            f"FROM {table} WHERE {table}.id IN "
            f"(SELECT id FROM candidate WHERE type = '{name}')"
        )
    if not candidates:
        return None
    return (
        f"WITH candidate AS ({' UNION ALL '.join(candidates)}) "
        f"SELECT type, id, rank FROM ({' UNION ALL '.join(ranks)}) AS ranked "
        f"WHERE rank >= %(threshold)s ORDER BY rank DESC, type, id LIMIT %(limit)s"
    )


def _like(word):
    return "%" + connection.ops.prep_for_like_query(word) + "%"


def _postgres_similar(targets, query):
    words = _longest(
        list(dict.fromkeys(re.findall(r"[\w'-]+", query))), SIMILAR_QUERY_WORDS
    )
    patterns, best = _close_words(words)
    if not patterns:
        return []
    sql = _similar_sql(tuple(name for name, _ in targets), patterns, best)
    if sql is None:
        return []
    params = {
        "q": query,
        "published": Status.PUBLISHED,
        "limit": SIMILAR_LIMIT,
        "every": SIMILAR_EVERY_WORD,
        "threshold": WORD_SIMILARITY,
        **{f"p{i}": _like(word) for i, word in enumerate(patterns)},
        **{f"b{i}": _like(word) for i, word in enumerate(best)},
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ranks = {(name, pk): rank for name, pk, rank in cursor.fetchall()}
    hits = []
    for name, target in targets:
        pks = [pk for kind, pk in ranks if kind == name]
        if pks:
            for record in target.model.objects.filter(pk__in=pks):
                hits.append(SearchHit(record, name, float(ranks[name, record.pk])))
    return hits


def _fallback_similar(targets, query):
    hits = []
    for name, target in targets:
        for record in target.model.objects.published().only("pk", "slug", *target.a):
            words = [
                word.lower()
                for text in target_names(target, record)
                for word in re.findall(r"[\w'-]+", text)
            ]
            scores = [
                max(
                    (
                        difflib.SequenceMatcher(None, part, word).ratio()
                        for word in words
                    ),
                    default=0,
                )
                for part in query.split()
            ]
            score = sum(scores) / len(scores)
            if score >= 0.75:
                hits.append(SearchHit(record, name, score))
    return hits


# Snippets -------------------------------------------------------------------------------

_MARKDOWN = [
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # [text](url) -> text
    (re.compile(r"[*_`#>]+"), ""),
    (re.compile(r"\s+"), " "),
]


def plain_text(markdown_text):
    text = markdown_text or ""
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return text.strip()


def snippet(record, terms, *, width=220):
    """About `width` characters of the summary around the first match, terms marked."""
    text = plain_text(getattr(record, "summary", ""))
    if not text:
        return mark_safe("")
    stems = [t[:-1] if len(t) > 4 and t.endswith("s") else t for t in terms]
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE
    )
    match = pattern.search(text)
    start = 0
    if match and match.start() > width // 3:
        start = text.rfind(" ", 0, match.start() - width // 3) + 1
    end = start + width
    if end < len(text):
        end = (
            text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
        )
    piece = text[start:end]
    html = []
    last = 0
    for found in pattern.finditer(piece):
        html.append(escape(piece[last : found.start()]))
        html.append(f"<mark>{escape(found.group(0))}</mark>")
        last = found.end()
    html.append(escape(piece[last:]))
    prefix = "\u2026 " if start else ""
    suffix = " \u2026" if end < len(text) else ""
    return mark_safe(prefix + "".join(html) + suffix)
