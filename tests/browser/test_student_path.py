"""A student's path through the site, in a real browser."""

import re
from pathlib import Path

import pytest

from .data import build_collection

pytestmark = pytest.mark.django_db(transaction=True)


def test_search_open_compare_and_cite(page):
    build_collection()

    # Search for a mission from the header box on the home page.
    page.goto("/")
    page.get_by_role("searchbox", name="Search the knowledge base").fill("KFOR")
    page.get_by_role("button", name="Search").first.click()
    page.wait_for_url(re.compile(r"/search/\?q=KFOR"))
    first = page.locator(".search-results li").first
    assert "KFOR" in first.inner_text()

    # Open it.
    first.get_by_role("link").click()
    page.wait_for_url("**/missions/kfor/")
    assert page.get_by_role("heading", level=1).inner_text() == "KFOR Kosovo Force"
    assert page.get_by_role("heading", name="Coded dimensions").is_visible()

    # Add two missions to a comparison from the list, without any script needed.
    page.goto("/missions/")
    page.get_by_label("Compare UNEF I").check()
    page.get_by_label("Compare KFOR").check()
    page.get_by_role("button", name="Compare selected").first.click()
    page.wait_for_url(re.compile(r"/compare/missions/\?ids=unef-i,kfor$"))
    table = page.locator("table.side-by-side")
    assert "Consent of all main parties" in table.inner_text()
    assert "Partial, contested or coerced consent" in table.inner_text()
    assert table.locator("sup.fn a").count() >= 2

    # Or from a mission's own page.
    page.goto("/missions/unmik/")
    page.get_by_label("Compare UNMIK with").select_option("unef-i")
    page.get_by_role("button", name="Compare side by side").click()
    page.wait_for_url(re.compile(r"/compare/missions/\?ids=unmik,unef-i$"))
    assert page.locator("table.side-by-side thead th").count() == 3

    # Download a citation of the mission page.
    page.goto("/missions/unef-i/")
    apa = page.locator(".cite .reference").first.inner_text()
    assert "Peacekeeping Knowledge Base" in apa
    with page.expect_download() as info:
        page.get_by_role("link", name="BibTeX").click()
    download = info.value
    assert download.suggested_filename == "unef-i.bib"
    body = Path(download.path()).read_text(encoding="utf-8")
    assert body.lstrip().startswith("@")
    assert "/missions/unef-i/" in body


def test_facets_and_footnotes_work_with_the_keyboard(page):
    build_collection()
    page.goto("/missions/")
    page.get_by_role("link", name=re.compile(r"^Post-Westphalian")).first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"conception=post_westphalian"))
    assert page.locator(".record-list > li").count() == 2
    page.goto("/missions/unef-i/")
    page.locator("sup.fn a").first.click()
    assert page.evaluate("location.hash") == "#fn-1"


def test_ticks_are_remembered_across_filters_with_javascript(page):
    build_collection()
    page.goto("/missions/?conception=westphalian")
    page.get_by_label("Compare UNEF I").check()
    assert page.get_by_role("status").inner_text() == "1 of 4 selected"
    page.goto("/missions/?conception=post_westphalian")
    assert "1 on other pages" in page.get_by_role("status").inner_text()
    page.get_by_label("Compare KFOR").check()
    page.get_by_role("button", name="Compare selected").first.click()
    page.wait_for_url(re.compile(r"/compare/missions/\?ids=kfor,unef-i$"))
    assert page.locator("table.side-by-side thead th").count() == 3
