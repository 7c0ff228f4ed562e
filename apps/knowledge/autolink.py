"""Links from prose to the records it names: "ONUC" in a summary leads to ONUC's page.

Only acronyms of published missions are linked, only outside existing links and code,
and never a page's own acronym. The acronym table is the same for every reader and
every page, so it is cached while the missions' version holds: one query after a mission
is published, changed or withdrawn. A page already cached that names a mission acronym
(but shows no link to that mission) keeps its old links until it expires
(versions.TIMEOUT): see invalidation.py.
"""

import re

from django.core.cache import cache
from django.utils.html import escape

from apps.core import pagecache, versions

from .models import Mission

_TAG = re.compile(r"(<[^>]+>)")
_NO_LINK_INSIDE = {"a", "code", "pre"}


def mission_acronyms() -> dict[str, str]:
    """Acronym -> address of every published mission that has one."""
    key = f"mission-acronyms:{versions.stamp(['type:mission'])}"
    table = cache.get(key)
    if table is not None:
        return table
    table = {
        acronym: Mission(slug=slug).get_absolute_url()
        for slug, acronym in Mission.objects.published()
        .exclude(acronym="")
        .values_list("slug", "acronym")
    }
    cache.set(key, table, pagecache.TIMEOUT)
    return table


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
                lambda m: f'<a href="{escape(table[m.group(1)])}">{m.group(1)}</a>',
                part,
            )
    return "".join(parts)
