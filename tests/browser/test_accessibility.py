"""axe-core finds no WCAG 2.2 A/AA violations on the main kinds of page."""

import pytest

from .data import build_collection

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/",
    "/missions/",
    "/missions/?conception=post_westphalian",
    "/cases/",
    "/sources/",
    "/glossary/",
    "/missions/unmik/",
    "/cases/kosovo-conflict/",
    "/sources/flynn-farrell-1999/",
    "/compare/",
    "/compare/missions/?ids=unef-i,kfor,unmik",
    "/search/?q=Kosovo",
    "/timeline/",
    "/about/",
    "/no-such-page/",
]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def _violations(page, axe_source):
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(", ".join(node["target"]) for node in v["nodes"][:3])
        for v in result["violations"]
    ]


def test_no_accessibility_violations(page, axe_source):
    build_collection()
    problems = {}
    for url in PAGES:
        page.goto(url)
        found = _violations(page, axe_source)
        if found:
            problems[url] = found
    assert not problems, problems


def test_phone_width_has_no_violations_or_sideways_scroll(page, axe_source):
    build_collection()
    page.set_viewport_size({"width": 375, "height": 740})
    for url in ["/", "/missions/", "/missions/kfor/", "/compare/"]:
        page.goto(url)
        assert not _violations(page, axe_source), url
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{url} scrolls sideways by {overflow}px"
