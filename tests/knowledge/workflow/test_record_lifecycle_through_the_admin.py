"""Issue 6's "done when", as one story through the admin: a curator and an editor take a
record from draft to published and through a later revision; the public sees only
approved versions; every step is in history; a concurrent edit is refused without loss."""

import pytest
from django.urls import reverse

from apps.core.models import Status
from apps.knowledge.models import Mission
from apps.knowledge.models import Revision
from tests.factories import SourceFactory
from tests.knowledge.test_admin import mission_form

from .admin_forms import change_form_data

pytestmark = pytest.mark.django_db


def test_draft_to_published_to_revised_with_a_refused_concurrent_edit(
    client, two_curators, editor_client
):
    curator_client, other_curator_client = two_curators
    source = SourceFactory()
    # A curator enters the mission; asking to publish it only saves a draft.
    curator_client.post(reverse("admin:knowledge_mission_add"), mission_form(source))
    mission = Mission.objects.get(slug="unef-i")
    assert mission.status == Status.DRAFT
    public_url = mission.get_absolute_url()
    assert client.get(public_url).status_code == 404

    # Submitted, then approved by an editor: now public.
    change = reverse("admin:knowledge_mission_change", args=[mission.pk])
    transition = "admin:knowledge_mission_transition"
    curator_client.post(reverse(transition, args=[mission.pk, "submit"]))
    assert client.get(public_url).status_code == 404
    queue = editor_client.get(reverse("admin:knowledge_revision_changelist"))
    (submission,) = queue.context["cl"].result_list
    editor_client.post(
        reverse("admin:knowledge_revision_decide", args=[submission.pk, "approve"])
    )
    mission.refresh_from_db()
    assert mission.status == Status.PUBLISHED
    assert "Deployed after the Suez crisis." in client.get(public_url).content.decode()

    # Two curators open the page; one proposes a change, the other's save is refused.
    mine = curator_client.get(change)
    theirs = other_curator_client.get(change)
    curator_client.post(
        change, change_form_data(mine, summary="Sent to the Suez canal. It kept apart.")
    )
    assert "Deployed after the Suez crisis." in client.get(public_url).content.decode()
    (proposal,) = Revision.objects.pending()
    editor_client.post(
        reverse("admin:knowledge_revision_decide", args=[proposal.pk, "approve"])
    )
    page = client.get(public_url).content.decode()
    assert "Sent to the Suez canal." in page
    refused = other_curator_client.post(
        change, change_form_data(theirs, acronym="UNEF-I")
    )
    assert refused.status_code == 200
    assert "Nothing of yours was saved" in refused.content.decode()
    assert 'value="UNEF-I"' in refused.content.decode()

    # Every step is in history.
    steps = [
        (r.action, r.state)
        for r in Revision.objects.for_record(mission).order_by("created_at", "id")
    ]
    assert steps == [
        ("create", "applied"),
        ("submit", "approved"),
        ("edit", "approved"),
    ]
    # The versions the public saw: the approved submission, then the approved change.
    published = Revision.objects.for_record(mission).published()
    assert [(r.action, r.state) for r in published] == [
        ("edit", "approved"),
        ("submit", "approved"),
    ]
    versions = editor_client.get(
        reverse("admin:knowledge_mission_versions", args=[mission.pk])
    )
    summary = next(
        c
        for r in versions.context["revisions"]
        for c in r.changes
        if c.key == "summary"
    )
    assert ("insert", "Sent to") in summary.text_diff
