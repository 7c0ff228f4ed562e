"""Issue 13, B7, in a real browser: an editor reviewing a mission that cites a draft
source sees that source listed and publishes both with one click; the public record
then shows the citation."""

import pytest

from apps.core.models import Status
from apps.knowledge import services
from apps.knowledge.models import Revision
from tests.factories import CitationFactory
from tests.factories import MissionFactory
from tests.factories import SourceFactory

from .test_editorial_workflow import groups  # noqa: F401 (fixture)
from .test_editorial_workflow import logged_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_editor_publishes_the_cited_draft_source_with_the_mission(
    browser,
    live_server,
    django_user_model,
    groups,  # noqa: F811
):
    source = SourceFactory(draft=True, slug="draft-work", title="A work in draft")
    mission = MissionFactory(draft=True, slug="unef-b7")
    mission.classifications.get().citations.update(source=source)
    CitationFactory(target=mission, source=source, locator="510")
    services.record_submit(record=mission, user=None)
    (submission,) = Revision.objects.for_record(mission).pending()

    editor = logged_in(browser, live_server, django_user_model, "edith", "Editor")
    editor.goto(f"/admin/knowledge/revision/{submission.pk}/change/")
    listed = editor.get_by_role(
        "region", name="Sources it cites that the public cannot see yet"
    )
    assert "A work in draft" in listed.inner_text()
    with editor.expect_navigation():
        editor.get_by_role("button", name="Approve and publish with 1 source").click()
    assert "Approved" in editor.content()

    mission.refresh_from_db()
    source.refresh_from_db()
    assert mission.status == source.status == Status.PUBLISHED
    public = editor.context.browser.new_context(base_url=live_server.url).new_page()
    body = public.request.get("/api/v1/missions/unef-b7/").json()
    assert "draft-work" in {c["source"]["slug"] for c in body["citations"]}
