"""What a curator and an editor click, in a real browser: a curator changes a published
mission, the public page keeps the approved text, an editor reads the diff in the review
queue and approves it. Uses the shared `browser` fixture (tests/browser/conftest.py)."""

from importlib import import_module

import pytest
from django.contrib.auth.models import Group
from django.contrib.auth.models import Permission

from tests.factories import MissionFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def groups():
    """Live-server tests run on a database emptied between tests: make the Curator and
    Editor groups again, exactly as their data migration does."""
    migration = import_module("apps.knowledge.migrations.0005_editorial_groups")
    for name, codenames in migration.GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="knowledge", codename__in=codenames
            )
        )


def logged_in(browser, live_server, django_user_model, name, group):
    user = django_user_model.objects.create_user(
        name, password=f"pw-{name}-1", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/admin/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", f"pw-{name}-1")
    with page.expect_navigation():
        page.click("input[type=submit]")
    return page


def test_curator_proposes_and_editor_approves(
    browser, live_server, django_user_model, groups
):
    mission = MissionFactory(summary="The approved text. It is live.")
    change = f"/admin/knowledge/mission/{mission.pk}/change/"

    curator = logged_in(browser, live_server, django_user_model, "carla", "Curator")
    curator.goto(change)
    assert "Your changes are kept as a proposal" in curator.content()
    curator.fill("#id_summary", "The proposed text. It reads better.")
    curator.fill("#id_revision_comment", "Clearer wording.")
    with curator.expect_navigation():
        curator.click("input[name=_continue]")
    assert "awaits an editor" in curator.content()

    curator.goto(mission.get_absolute_url())
    assert "The approved text." in curator.content()

    editor = logged_in(browser, live_server, django_user_model, "edith", "Editor")
    editor.goto("/admin/knowledge/revision/")
    with editor.expect_navigation():
        editor.click(f"text={mission}")
    assert "Clearer wording." in editor.content()
    assert editor.locator(".pkb-diff ins").first.is_visible()
    with editor.expect_navigation():
        editor.click("input[value='Approve and publish']")
    assert "Approved: the public now sees this version." in editor.content()

    editor.goto(mission.get_absolute_url())
    assert "The proposed text." in editor.content()
    editor.context.close()
    curator.context.close()
