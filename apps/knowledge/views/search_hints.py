"""Search words that name a facet of the missions list.

Students type what they want to browse: "UN missions in the 1990s", "missions in Africa
under Chapter VII", "OSCE missions". Full-text search looks for those words in the
records' prose and finds little or nothing, while the missions list answers the question
exactly with its filters. `missions_hint(query)` reads the facet values a query names
and returns the filtered list's address with its size, for the search page to offer.
Only unambiguous words count: a conception, a region, a decade written "1990s", a
Charter chapter, an organisation's acronym, a mission deployed "without consent" and
one "running elections". `named_missions` reads the missions a
query names by acronym.

`search_hints(query, shown=...)` gives both. Every search asks for them, so what they
read of the content (both acronym tables, under the versions of what each shows) is one
cache entry, read with those versions in one round trip.
"""

import hashlib
import re
from dataclasses import dataclass
from typing import NamedTuple

from django.core.cache import cache
from django.urls import reverse

from apps.core import pagecache
from apps.core import versions

from .. import filters
from ..autolink import MissionLink
from ..autolink import mission_acronyms
from ..invalidation import ACRONYMS
from ..invalidation import shown_by_lists_of
from ..models import MandateTask
from ..models import Mission
from ..models import Organisation
from ..models.choices import Conception
from ..models.choices import HostConsent
from ..models.choices import LegalBasis
from ..models.choices import Region
from .query_strings import encode_query

_CONCEPTIONS = (
    (re.compile(r"\bpost[\s-]*westphalian\b"), Conception.POST_WESTPHALIAN),
    (re.compile(r"(?<![\w-])westphalian\b"), Conception.WESTPHALIAN),
)
_CHAPTERS = (
    (re.compile(r"\bchapter\s+(?:vii|7)\b"), LegalBasis.UN_CHAPTER_VII),
    (re.compile(r"\bchapter\s+(?:vi|6)\b"), LegalBasis.UN_CHAPTER_VI),
)
_REGIONS = (
    (re.compile(r"\bafrican?\b"), Region.AFRICA),
    (re.compile(r"\b(?:the\s+)?americas\b|\blatin\s+america\b"), Region.AMERICAS),
    (re.compile(r"\basian?\b"), Region.ASIA),
    (re.compile(r"\beurope(?:an)?\b"), Region.EUROPE),
    (re.compile(r"\bmiddle[\s-]+east(?:ern)?\b"), Region.MIDDLE_EAST),
    (re.compile(r"\boceania\b"), Region.OCEANIA),
)
# "deployed without host consent", "without the host's consent", "non-consensual";
# not "without full consent", which is partial consent.
_CONSENT = (
    (
        re.compile(
            r"\b(?:without|no)\s+"
            r"(?:(?:the|any|its|their|(?:host|state|government)(?:['\u2019]s)?)\s+)*"
            r"consent\b"
            r"|\bnon[\s-]?consensual\b"
        ),
        HostConsent.NONE,
    ),
)
# "missions that ran elections", "electoral assistance": the mandate task (a slug of
# data/mandate_tasks.yaml).
_TASKS = ((re.compile(r"\belect(?:ions?|oral)\b"), "elections"),)
# "1990s", "1990's"; a bare year is a year, not a decade.
_DECADE = re.compile(r"\b(1[89]\d0|20\d0)'?s\b")
# The OSCE record holds both names (data/organisations/osce.yaml).
_ACRONYM_ALIASES = {"CSCE": "OSCE"}
# Acronyms that are also English words count only when written in capitals.
_WORDS_TOO = {"US", "EU"}


@dataclass(frozen=True)
class BrowseHint:
    url: str
    count: int
    named: list[tuple[str, str]]  # (facet label, value label), in the list's order


class _Tables(NamedTuple):
    """What the hints read of the content, and the versions it was read under."""

    shown: dict[str, int | None]  # of _TABLES_SHOW and the missions list
    missions: dict[str, MissionLink]  # mission_acronyms()
    organisations: dict[str, tuple[str, str]]  # _organisation_acronyms()


_TABLES_KEY = "search-hint-tables"
# What the tables show: a mission's acronym, an organisation as its list shows it.
_TABLES_SHOW = [ACRONYMS, *shown_by_lists_of(Organisation)]


def _tables() -> _Tables:
    """The tables, remembered while the versions of what they show hold; those versions
    and the missions list's (for `_count`) come in the same round trip as the entry."""
    names = list(dict.fromkeys([*_TABLES_SHOW, *shown_by_lists_of(Mission)]))
    found = cache.get_many([_TABLES_KEY, *map(versions.key, names)])
    shown = versions.read(names, found)
    entry = found.get(_TABLES_KEY)
    if entry is not None and all(entry.shown.get(n) == shown[n] for n in _TABLES_SHOW):
        return entry._replace(shown=shown)
    tables = _Tables(shown, mission_acronyms(), _organisation_acronyms())
    if None not in shown.values():  # a version unknown (Redis down) keys nothing
        cache.set(_TABLES_KEY, tables, pagecache.TIMEOUT)
    return tables


def _organisation_acronyms() -> dict[str, tuple[str, str]]:
    """Upper-cased acronym -> (slug, acronym) of every published organisation."""
    return {
        acronym.upper(): (slug, acronym)
        for slug, acronym in Organisation.objects.published()
        .exclude(acronym="")
        .values_list("slug", "acronym")
    }


def _organisations(
    query: str, table: dict[str, tuple[str, str]]
) -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for word in re.findall(r"[\w-]+", query):
        upper = word.upper()
        if upper in _WORDS_TOO and word != upper:
            continue
        entry = table.get(_ACRONYM_ALIASES.get(upper, upper))
        if entry:
            found.setdefault(*entry)
    return list(found.items())


def _first(patterns, text: str) -> list[tuple[str, str]]:
    return [(value, value.label) for pattern, value in patterns if pattern.search(text)]


def _tasks(text: str) -> list[tuple[str, str]]:
    """The mandate tasks `text` names, as (slug, name); a query only when it names
    one."""
    slugs = [slug for pattern, slug in _TASKS if pattern.search(text)]
    if not slugs:
        return []
    names = dict(MandateTask.objects.filter(slug__in=slugs).values_list("slug", "name"))
    return [(slug, names[slug]) for slug in slugs if slug in names]


def _count(filterset, query_string: str, shown: dict[str, int | None]) -> int:
    """How many published missions the filters select, remembered while what the
    missions list shows is unchanged (at 100x data the count alone takes ~20 ms)."""
    stamp = versions.stamp(shown_by_lists_of(Mission), shown)
    digest = hashlib.sha256(query_string.encode()).hexdigest()[:16]
    key = f"missions-hint-count:{stamp}:{digest}"
    count = cache.get(key)
    if count is None:
        count = filterset.qs.count()
        cache.set(key, count, pagecache.TIMEOUT)
    return count


class Hints(NamedTuple):
    missions: list["NamedMission"]  # named_missions
    missions_list: BrowseHint | None  # missions_hint
    organisations: list["NamedMission"] = []  # named_organisations


def search_hints(query: str, *, shown: set[str]) -> Hints:
    """The missions `query` names (`named_missions`), the missions list it names
    (`missions_hint`) and the organisations it names (`named_organisations`); nothing
    for an empty query."""
    if not query:
        return Hints([], None)
    tables = _tables()
    return Hints(
        named_missions(query, tables, shown=shown),
        missions_hint(query, tables),
        named_organisations(query, tables, shown=shown),
    )


def named_organisations(
    query: str, tables: _Tables, *, shown: set[str]
) -> list["NamedMission"]:
    """Each published organisation whose acronym `query` holds ("CSCE" names the
    OSCE, which holds both names), unless its page is among the results `shown`: the
    CSCE's own record ranked below the hundred records that mention it."""
    found = []
    for slug, acronym in _organisations(query, tables.organisations):
        url = reverse("knowledge:organisation-detail", kwargs={"slug": slug})
        if url not in shown:
            found.append(NamedMission(acronym, slug, url))
    return found


def missions_hint(query: str, tables: _Tables) -> BrowseHint | None:
    """The missions list filtered on the facet values `query` names, or None when it
    names none or no published mission has them all."""
    text = query.lower()
    # The first conception only: "post-Westphalian" is not also Westphalian.
    conception = _first(_CONCEPTIONS, text)[:1]
    named = {
        "conception": conception,
        "organisation": _organisations(query, tables.organisations),
        "region": _first(_REGIONS, text),
        "decade": [(d, f"{d}s") for d in dict.fromkeys(_DECADE.findall(text))],
        "consent": _first(_CONSENT, text),
        "legal_basis": _first(_CHAPTERS, text)[:1],
        "mandate_task": _tasks(text),
    }
    params = {
        name: ",".join(v for v, _ in values) for name, values in named.items() if values
    }
    if not params:
        return None
    filterset = filters.MissionFilter(params, queryset=Mission.objects.published())
    if not filterset.is_valid():
        return None
    count = _count(filterset, encode_query(params), tables.shown)
    if not count:
        return None
    labels = [
        (str(filterset.filters[name].label), ", ".join(label for _, label in values))
        for name, values in named.items()
        if values
    ]
    url = reverse("knowledge:mission-list") + "?" + encode_query(params)
    return BrowseHint(url=url, count=count, named=labels)


class NamedMission(NamedTuple):
    acronym: str
    slug: str
    url: str


def named_missions(
    query: str, tables: _Tables, *, shown: set[str]
) -> list[NamedMission]:
    """Each published mission whose acronym `query` contains, in any case, unless its
    page (address) is among the results `shown`: "who classified untac" and "unmik
    mandate" still lead to the mission itself."""
    table = tables.missions
    upper = query.upper()
    found = []
    for acronym in sorted(table, key=len, reverse=True):  # "UNEF II" before "UNEF I"
        match = re.search(
            r"(?<![\w-])" + re.escape(acronym.upper()) + r"(?![\w-])", upper
        )
        if not match:
            continue
        upper = upper[: match.start()] + " " + upper[match.end() :]
        link = table[acronym]
        if link.url not in shown:
            found.append(NamedMission(acronym, link.slug, link.url))
    return found
