"""One search over every public record type, ranked, with highlighted snippets.

`search_records(query, *, types=None, limit=50)` is the single entry point, used by the
/search/ page and the API. On PostgreSQL it is full-text search: a weighted document per
type (names A, summary B, secondary text C), stored in each table's `search_vector`
column with a GIN index (migration 0007), ranked with ts_rank. On SQLite it falls back
to substring matching with a simple score. On both, an exact name or acronym (UNEF, HCNM, KFOR) ranks first.
"""

import difflib
import re
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BooleanField, Count, Exists, FloatField, OuterRef, Q, Value
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import Source, SourceCreator
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

    @property
    def url(self):
        return self.record.get_absolute_url()

    @property
    def type_label(self):
        return self.record._meta.verbose_name


def search_records(query, *, types=None, limit=50):
    """Published records matching `query`, best first, at most `limit`."""
    query, terms = _prepare(query)
    if not terms:
        return []
    targets = _targets(types)
    if connection.vendor == "postgresql":
        hits = _postgres_ranked(targets, query, terms, limit)
    else:
        hits = [
            hit
            for name, target in targets
            for hit in _fallback_ranked(target, name, query, terms, limit)
        ]
    hits.sort(key=lambda hit: (-hit.rank, str(hit.record).lower()))
    hits = hits[:limit]
    for hit in hits:
        hit.snippet = snippet(hit.record, terms)
    return hits


def count_records(query, *, types=None):
    """How many published records of each type match `query`: {model_name: count}."""
    query, terms = _prepare(query)
    if not terms:
        return {}
    # One query for every type: a UNION ALL of one grouped count per type.
    counts = _union(
        _matching(target, query, terms)
        .order_by()
        .annotate(type=Value(name))
        .values("type")
        .annotate(n=Count("pk"))
        .values_list("type", "n")
        for name, target in _targets(types)
    )
    return {name: n for name, n in counts if n}


def _union(querysets):
    first, *others = querysets
    return first.union(*others, all=True) if others else first


def _prepare(query):
    query = " ".join((query or "").split())[:200]
    terms = [
        t
        for t in re.findall(r"[\w][\w'.-]*", query.lower())
        if len(t) > 1 or t.isdigit()
    ]
    return query, terms


def _targets(types):
    return [
        (name, TARGETS[name]) for name in (types or SEARCH_TYPES) if name in TARGETS
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


def _matching(target, query, terms):
    """The published records of one type that match: full text on PostgreSQL,
    substrings elsewhere, and on both an exact name, acronym or author."""
    queryset = target.model.objects.published()
    if connection.vendor == "postgresql":
        return queryset.filter(_postgres_sql(target, query, terms)[0])
    exact, starts = _exact_boost(target, query)
    condition = Q()
    for term in terms:
        anywhere = Q()
        for field in (*target.a, *target.b, *target.c):
            if len(term) <= 3:  # "UN" is a word, not every "found" and "under"
                anywhere |= Q(**{f"{field}__iregex": rf"\b{re.escape(term)}\b"})
            else:  # the singular also finds the plural
                anywhere |= Q(**{f"{field}__icontains": _singular(term)})
        condition &= anywhere
    condition |= exact | starts
    authors = _author_match(target, terms)
    if authors is not None:
        queryset = queryset.annotate(by_author=authors)
        condition |= Q(by_author=True)
    return queryset.filter(condition)


def _postgres_ranked(targets, query, terms, limit):
    """One query ranks the matches of every type and keeps the best `limit`; then
    only those records are fetched. Ties go to the older record."""
    ranked = _union(
        _matching(target, query, terms)
        .order_by()
        .annotate(type=Value(name), rank=_postgres_sql(target, query, terms)[1])
        .values_list("type", "pk", "rank")
        for name, target in targets
    )
    best = ranked.order_by("-rank", "type", "pk")[:limit]
    ranks = {(name, pk): rank for name, pk, rank in best}
    hits = []
    for name, target in targets:
        pks = [pk for kind, pk in ranks if kind == name]
        if pks:
            records = target.model.objects.prefetch_related(*target.prefetch)
            for record in records.filter(pk__in=pks):
                hits.append(SearchHit(record, name, float(ranks[name, record.pk])))
    return hits


def _postgres_sql(target, query, terms):
    """SQL for one type on PostgreSQL: the match condition, and the rank.

    The match is the stored, GIN-indexed `search_vector` of migration 0007. The rank is
    ts_rank over it, plus 1 for an exact name or acronym, 0.5 for a name that begins
    with the query, 0.6 for an author's name. Written as SQL because building the same
    with ORM lookups for seven types took longer (30 ms) than running the queries.
    """
    table = f'"{target.table}"'
    tsquery = f"websearch_to_tsquery('{CONFIG}'::regconfig, %s)"
    exact = " OR ".join(f"upper({table}.{f}::text) = upper(%s)" for f in target.a)
    starts = " OR ".join(f"upper({table}.{f}::text) LIKE upper(%s)" for f in target.a)
    names = [query] * len(target.a) + [
        connection.ops.prep_for_like_query(f"{query} ") + "%"
    ] * len(target.a)
    # A name equal to or beginning with the query holds all its words, so full text
    # finds it, unless the query is only stop words ("WHO", "US"): only then are names
    # compared. The query is a constant, so PostgreSQL drops that branch while planning
    # and the GIN index answers alone; kept, it upper-cased every name of the table.
    match = (
        f"{table}.search_vector @@ {tsquery} "
        f"OR (numnode({tsquery}) = 0 AND ({exact} OR {starts}))"
    )
    match_params = [query, query, *names]
    # A name equal to the query once both are stemmed ("peacekeeping operations" and
    # the glossary's "Peacekeeping operation") ranks next to an exact one.
    stemmed = " OR ".join(
        f"strip(to_tsvector('{CONFIG}'::regconfig, coalesce({table}.{f}::text, ''))) "
        f"= strip(to_tsvector('{CONFIG}'::regconfig, %s))"
        for f in target.a
    )
    rank = (
        f"ts_rank({table}.search_vector, {tsquery}) "
        f"+ CASE WHEN {exact} THEN 1.0 WHEN {stemmed} THEN 0.9 "
        f"WHEN {starts} THEN 0.5 ELSE 0.0 END"
    )
    rank_params = [query, *names[: len(target.a)], *[query] * len(target.a)]
    rank_params += names[len(target.a) :]
    if target.model is Source:
        creators = SourceCreator._meta.db_table
        author = (
            f'EXISTS (SELECT 1 FROM "{creators}" WHERE "{creators}".source_id = '
            f'{table}.id AND "{creators}".family = ANY(%s))'
        )
        families = [t.capitalize() for t in terms] + terms
        match += f" OR {author}"
        match_params.append(families)
        rank += f" + CASE WHEN {author} THEN 0.6 ELSE 0.0 END"
        rank_params.append(families)
    return (
        RawSQL(match, match_params, output_field=BooleanField()),
        RawSQL(rank, rank_params, output_field=FloatField()),
    )


def _fallback_ranked(target, name, query, terms, limit):
    """A simple score: exact name 10, name beginning with the query 5, author 3,
    then term frequency weighted by field (names 1, summary 0.2, the rest 0.1)."""
    queryset = _matching(target, query, terms).prefetch_related(*target.prefetch)
    lowered = query.lower()
    hits = []
    for record in queryset[: limit * 4]:
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
        hits.append(SearchHit(record, name, score))
    hits.sort(key=lambda hit: -hit.rank)
    return hits[:limit]


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

    On PostgreSQL, pg_trgm's word similarity over the names, with the trigram indexes
    of migration 0012; elsewhere, difflib over the names in Python."""
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
    words = {
        word
        for hit in hits
        for name in target_names(TARGETS[hit.type], hit.record)
        for word in re.findall(r"[\w'-]+", name)
    }
    spelling = {w.lower(): w for w in words}
    corrected = []
    for word in query.split():
        close = difflib.get_close_matches(word.lower(), spelling, n=1, cutoff=0.7)
        corrected.append(spelling[close[0]] if close else word)
    suggestion = " ".join(corrected)
    return hits, (suggestion if suggestion.lower() != query.lower() else "")


def target_names(target, record):
    return [getattr(record, f) or "" for f in target.a]


def _postgres_similar(targets, query):
    similarity = "greatest({})"
    ranked = []
    for name, target in targets:
        table = f'"{target.table}"'
        fields = [f"lower({table}.{f}::text)" for f in target.a]
        match = " OR ".join(f"%s <%% {f}" for f in fields)
        score = similarity.format(
            ", ".join(f"word_similarity(%s, {f})" for f in fields)
        )
        ranked.append(
            target.model.objects.published()
            .filter(RawSQL(match, [query] * len(fields), output_field=BooleanField()))
            .order_by()
            .annotate(
                type=Value(name),
                rank=RawSQL(score, [query] * len(fields), output_field=FloatField()),
            )
            .values_list("type", "pk", "rank")
        )
    best = _union(ranked).order_by("-rank", "type", "pk")[:SIMILAR_LIMIT]
    with transaction.atomic(), connection.cursor() as cursor:
        # pg_trgm's default (0.6) misses one dropped letter in a short word ("Kosvo"
        # against "Kosovo" is 0.5); SET LOCAL ends with this transaction.
        cursor.execute(
            f"SET LOCAL pg_trgm.word_similarity_threshold = {WORD_SIMILARITY}"
        )
        ranks = {(name, pk): rank for name, pk, rank in best}
    hits = []
    for name, target in targets:
        pks = [pk for kind, pk in ranks if kind == name]
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
