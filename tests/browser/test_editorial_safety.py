"""Issue 13 in a real browser: workflow buttons never drop what a curator typed (B10),
Unpublish asks first, and the mission form fits a 1366 px screen."""

import pytest

from apps.knowledge.models import Mission
from tests.factories import MissionFactory

from .test_editorial_workflow import groups  # noqa: F401
from .test_editorial_workflow import logged_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_submit_for_review_saves_what_was_typed(
    browser,
    live_server,
    django_user_model,
    groups,  # noqa: F811
):
    mission = MissionFactory(draft=True, summary="Old text. Two sentences.")
    curator = logged_in(browser, live_server, django_user_model, "carla", "Curator")
    curator.goto(f"/admin/knowledge/mission/{mission.pk}/change/")
    curator.fill("#id_summary", "Typed just now. Not yet saved.")
    with curator.expect_navigation():
        curator.click("button[value=submit]")
    mission.refresh_from_db()
    assert mission.summary == "Typed just now. Not yet saved."
    assert mission.status == "in_review"
    curator.context.close()


@pytest.fixture
def editor_on_a_published_mission(
    browser,
    live_server,
    django_user_model,
    groups,  # noqa: F811
):
    """An editor's browser, logged in, and the change form of a published mission."""
    mission = MissionFactory()
    editor = logged_in(browser, live_server, django_user_model, "edith", "Editor")
    yield editor, f"/admin/knowledge/mission/{mission.pk}/change/"
    editor.context.close()


def test_unpublish_asks_for_confirmation(editor_on_a_published_mission):
    editor, change_form = editor_on_a_published_mission
    editor.goto(change_form)
    with editor.expect_navigation():
        editor.click("text=Unpublish (back to draft)")
    assert Mission.objects.get().status == "published"
    assert "Unpublish" in editor.content() and "Are you sure" in editor.content()
    with editor.expect_navigation():
        editor.click("input[type=submit][value^='Yes']")
    assert Mission.objects.get().status == "draft"


def test_the_mission_form_fits_a_1366_pixel_screen(editor_on_a_published_mission):
    editor, change_form = editor_on_a_published_mission
    editor.set_viewport_size({"width": 1366, "height": 768})
    editor.goto(change_form)
    width = editor.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366


def test_the_record_page_publishes_its_draft_sources_with_it(
    browser,
    live_server,
    django_user_model,
    groups,  # noqa: F811
):
    """Issue 13, B7 on the record's own page: a draft source it cites is listed as
    published with it, and one click publishes both (not "publish them first")."""
    from apps.knowledge.models import Source
    from tests.factories import CitationFactory
    from tests.factories import SourceFactory

    draft_source = SourceFactory(draft=True, title="A work still in draft")
    mission = MissionFactory(draft=True)
    mission.classifications.get().citations.update(source=draft_source)
    CitationFactory(target=mission, source=draft_source, locator="510")
    editor = logged_in(browser, live_server, django_user_model, "edith", "Editor")
    editor.goto(f"/admin/knowledge/mission/{mission.pk}/change/")
    listed = editor.locator(".pkb-unpublished-sources")
    assert "A work still in draft" in listed.inner_text()
    assert "cites sources the public cannot see" not in editor.content()
    with editor.expect_navigation():
        editor.click("button:has-text('Publish with 1 source')")
    assert Mission.objects.get().status == "published"
    assert Source.objects.get(pk=draft_source.pk).status == "published"
    editor.context.close()
