"""Issue 13 in a real browser: workflow buttons never drop what a curator typed (B10),
Unpublish asks first, and the mission form fits a 1366 px screen."""

import pytest

from apps.knowledge.models import Mission
from tests.factories import MissionFactory

from .test_editorial_workflow import groups, logged_in  # noqa: F401

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


def test_unpublish_asks_for_confirmation(
    browser,
    live_server,
    django_user_model,
    groups,  # noqa: F811
):
    mission = MissionFactory()
    editor = logged_in(browser, live_server, django_user_model, "edith", "Editor")
    editor.goto(f"/admin/knowledge/mission/{mission.pk}/change/")
    with editor.expect_navigation():
        editor.click("text=Unpublish (back to draft)")
    assert Mission.objects.get().status == "published"
    assert "Unpublish" in editor.content() and "Are you sure" in editor.content()
    with editor.expect_navigation():
        editor.click("input[type=submit][value^='Yes']")
    assert Mission.objects.get().status == "draft"
    editor.context.close()


def test_the_mission_form_fits_a_1366_pixel_screen(
    browser,
    live_server,
    django_user_model,
    groups,  # noqa: F811
):
    mission = MissionFactory()
    editor = logged_in(browser, live_server, django_user_model, "edith", "Editor")
    editor.set_viewport_size({"width": 1366, "height": 768})
    editor.goto(f"/admin/knowledge/mission/{mission.pk}/change/")
    width = editor.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366
    editor.context.close()
