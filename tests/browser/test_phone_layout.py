"""Phones first: results before the apparatus, nothing scrolls sideways, and the
keyboard path to the results is short at every width."""

import pytest

from tests import factories

from .data import build_collection

pytestmark = pytest.mark.django_db(transaction=True)

# One page of every type a student meets.
PAGE_TYPES = [
    "/",
    "/missions/",
    "/missions/?conception=westphalian",
    "/missions/unmik/",
    "/cases/",
    "/cases/kosovo-conflict/",
    "/norms/consent/",
    "/glossary/",
    "/glossary/liberal-peace/",
    "/organisations/un/",
    "/sources/",
    "/sources/flynn-farrell-1999/",
    "/compare/",
    "/compare/missions/?ids=unef-i,kfor,unmik",
    "/timeline/",
    "/search/?q=Kosovo",
    "/about/",
    "/data/",
    "/api/",
    "/no-such-page/",
]


def sideways(page):
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_nothing_scrolls_sideways_at_320_pixels(page):
    build_collection()
    document = factories.DocumentFactory(
        slug="helsinki-final-act", title="Final Act", symbol="S/RES/1244 (1999)"
    )
    page.set_viewport_size({"width": 320, "height": 640})
    problems = {}
    for url in [*PAGE_TYPES, document.get_absolute_url()]:
        page.goto(url)
        overflow = sideways(page)
        if overflow > 1:
            problems[url] = overflow
        search = page.locator(".site-search button")
        box = search.bounding_box()
        if box["x"] + box["width"] > 320:
            problems[f"{url} (search button)"] = box["x"] + box["width"] - 320
    assert not problems, problems


def test_first_mission_is_on_the_first_screen_of_a_phone(page):
    build_collection()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/missions/?conception=post_westphalian")
    first = page.locator(".record-list > li").first.bounding_box()
    assert first["y"] + 20 < 844, f"first result starts at {first['y']}px"
    toggle = page.locator("summary.filter-toggle")
    assert toggle.is_visible()
    assert "(1 active)" in toggle.inner_text()
    assert not page.locator("#facets-heading").is_visible()
    # The folded panel hides which value is chosen; the line above the results says it.
    chosen = page.locator(".active-filters")
    assert chosen.is_visible()
    assert "conception: Post-Westphalian" in chosen.inner_text()
    toggle.click()
    assert page.locator("#facets-heading").is_visible()


def test_skip_to_results_is_a_few_tabs_away_on_a_wide_screen(page):
    build_collection()
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/missions/")
    skip = page.locator(".to-results a")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.to-results') !== null"):
            break
    else:
        pytest.fail("no 'Skip to the results' link within 30 Tabs")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#results-heading"


def test_comparison_rows_fold_on_a_phone(page):
    build_collection()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/compare/")
    toggle = page.locator("button.row-toggle").first
    assert toggle.get_attribute("aria-expanded") == "false"
    cell = page.locator("table.compare tbody tr").first.locator("td").first
    assert not cell.is_visible()
    toggle.click()
    assert cell.is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
