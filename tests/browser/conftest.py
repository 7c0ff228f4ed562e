"""Browser tests: headless Debian Chromium driven by Playwright, against live_server.

They skip, saying why, when Chromium, Playwright or axe-core is missing; `.ci/run`
installs all three (apt-get chromium, pip's dev extra, npm ci).
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PKB_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API keeps an event loop in this thread between calls; the ORM calls
# the tests make (factories) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser():
    # Per module, not per session: Playwright's sync API cannot nest, so a browser left
    # open for the whole session would break any other module that starts its own.
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="Playwright is not installed (pip install -e .[dev])",
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        accept_downloads=True,
        locale="en-GB",
        bypass_csp=True,  # lets the tests inject axe-core; the site keeps its CSP
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.exists():
        pytest.skip(f"axe-core not found at {AXE} (run npm ci at the repository root)")
    return AXE.read_text(encoding="utf-8")
