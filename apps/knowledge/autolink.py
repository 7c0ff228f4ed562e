"""Links from prose to the records it names: "ONUC" in a summary leads to ONUC's page.

Only acronyms of published missions are linked, only outside existing links and code,
and never a page's own acronym. The acronym table is the same for every reader and
every page, so it is cached while the `acronyms` version holds. That version moves only
when the table changes (a mission with an acronym published or withdrawn, an acronym or
slug changed: `table_entry`, signals.py), and every page whose prose is linked here
shows it (invalidation.py), so a new acronym is linked, and a withdrawn one unlinked, on
the next read of each such page, while an edit of a mission's text leaves them cached.
"""

import re
from typing import NamedTuple

from django.core.cache import cache
from django.utils.html import escape

from apps.core import pagecache
from apps.core import versions
from apps.core.models import Status

from .invalidation import ACRONYMS
from .models import Mission

_TAG = re.compile(r"(<[^>]+>)")
_NO_LINK_INSIDE = {"a", "code", "pre"}


class MissionLink(NamedTuple):
    slug: str
    url: str


def mission_acronyms() -> dict[str, MissionLink]:
    """Acronym -> slug and address of every published mission that has one."""
    # A new key: the old one held addresses only, and a process of the previous
    # release may share the cache.
    key = f"mission-acronym-links:{versions.stamp([ACRONYMS])}"
    table = cache.get(key)
    if table is not None:
        return table
    table = {
        acronym: MissionLink(slug, Mission(slug=slug).get_absolute_url())
        for slug, acronym in Mission.objects.published()
        .exclude(acronym="")
        .values_list("slug", "acronym")
    }
    cache.set(key, table, pagecache.TIMEOUT)
    return table


def table_entry(record: object) -> tuple[str, str] | None:
    """What the table holds of `record`: a published mission's acronym and slug (its
    address), else None. A save that changes it moves `acronyms`."""
    if not isinstance(record, Mission) or not record.acronym:
        return None
    return (record.acronym, record.slug) if record.status == Status.PUBLISHED else None


def link_acronyms(html: str, *, skip: str = "") -> str:
    """`html` (sanitised Markdown output) with each known mission acronym linked."""
    table = {k: v for k, v in mission_acronyms().items() if k != skip}
    if not table:
        return html
    names = sorted(table, key=len, reverse=True)  # "UNEF II" before "UNEF I"
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(n) for n in names) + r")(?![\w-])"
    )
    parts = _TAG.split(html)
    inside = 0
    for i, part in enumerate(parts):
        if i % 2:  # a tag
            name = part.strip("</>").split()[0].lower() if part.strip("</>") else ""
            if name in _NO_LINK_INSIDE:
                inside += -1 if part.startswith("</") else 1
            continue
        if inside <= 0 and part:
            parts[i] = pattern.sub(
                lambda m: f'<a href="{escape(table[m.group(1)].url)}">{m.group(1)}</a>',
                part,
            )
    return "".join(parts)
