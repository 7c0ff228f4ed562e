"""Content versions: the one source every cached page, API answer, shared block, ETag and
the dataset version is keyed on.

A version is a named counter in the shared cache. A committed public change moves the
versions of what it changed (which names: apps/knowledge/invalidation.py); a cached
entry remembers the versions it was built under and is used only while they all still
hold. So a publish empties exactly the entries that name one of the moved versions, and
nothing is ever deleted by pattern.

`ALL` moves on every public change: it is the content generation, and the dataset
version of the exports (`apps/knowledge/api/export.py`) is derived from it.

Several web processes share the versions through Redis; with the local-memory cache each
process has its own, which is right for a single process only.
"""

import logging
import time
from collections.abc import Iterable
from collections.abc import Mapping

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

ALL = "all"
# Short enough that a bump lost to a cache outage cannot keep a stale entry for long.
TIMEOUT = 5 * 60


def key(name: str) -> str:
    return f"version:{name}"


def _fresh() -> int:
    """A starting value no stored entry can name: a version evicted from Redis (LRU)
    while entries naming it survive must not restart at a value they remember."""
    return time.time_ns() // 1000


def read(names: Iterable[str], found: dict | None = None) -> dict[str, int | None]:
    """{name: current version}; `found` is what a caller already fetched with
    `cache.get_many` (keys from `key()`), so a hit costs one round trip."""
    names = list(dict.fromkeys(names))
    if found is None:
        found = cache.get_many([key(name) for name in names])
    missing = [key(name) for name in names if key(name) not in found]
    if missing:
        start = _fresh()
        for missing_key in missing:
            cache.add(missing_key, start, timeout=None)
        found = {**found, **cache.get_many(missing)}
    return {name: found.get(key(name)) for name in names}


def stamp(names: Iterable[str], known: Mapping[str, int | None] | None = None) -> str:
    """The versions of `names` as one string, for keys of shared blocks; `known`: the
    versions a caller has already read (a `read()` of at least `names`), so that none
    is fetched again."""
    names = list(dict.fromkeys(names))
    values = read(names) if known is None else known
    return ".".join(str(values[name]) for name in names)


def current_generation() -> int | None:
    """The content generation: moves on every public change."""
    return read([ALL])[ALL]


def bump_after_commit(names: Iterable[str]) -> None:
    """Move `names` (and `ALL`) once the current transaction commits.

    Moving them before the commit would let a concurrent request store the old content
    under the new versions."""
    moved = sorted({ALL, *names})

    def bump() -> None:
        for name in moved:
            _bump(name)

    transaction.on_commit(bump)


def _bump(name: str) -> None:
    try:
        try:
            cache.incr(key(name))
        except ValueError:  # evicted or never read: any fresh value is a change
            cache.set(key(name), _fresh(), timeout=None)
    except Exception:
        # The write is committed and must not turn into an error page. Cached entries
        # expire within TIMEOUT, which bounds how long this lost bump can show.
        logger.exception("could not move the content version %s", name)
