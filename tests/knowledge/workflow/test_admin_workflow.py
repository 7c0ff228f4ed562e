"""The workflow in the curators' admin: proposals, the review queue, conflicts, versions,
deletion and the roles' matrix."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.core.models import Status
from apps.knowledge import services
from apps.knowledge.models import Mission
from apps.knowledge.models import Norm
from apps.knowledge.models import Revision
from tests.factories import RECORD_FACTORIES
from tests.factories import CitationFactory
from tests.factories import MissionFactory
from tests.factories import NormFactory
from tests.factories import SourceFactory

from .admin_forms import change_form_data
from .admin_forms import change_url
from .admin_forms import summary_clash
from .edits import edit

pytestmark = pytest.mark.django_db

CITATIONS = "knowledge-citation-content_type-object_id"


def public(client, record):
    return client.get(record.get_absolute_url()).content.decode()


# --------------------------------------------------------------------------- roles


def test_groups_hold_exactly_their_permissions():
    from django.contrib.auth.models import Group

    def perms(name):
        return set(
            Group.objects.get(name=name).permissions.values_list("codename", flat=True)
        )

    curator, editor = perms("Curator"), perms("Editor")
    assert {"add_mission", "change_mission", "view_mission"} <= curator
    assert {"add_citation", "delete_citation", "view_revision"} <= curator
    assert not {p for p in curator if p.startswith(("publish_", "delete_mission"))}
    assert "delete_source" not in curator and "change_country" not in curator
    assert curator < editor
    assert editor - curator == {
        *(f"{a}_{m}" for a in ("delete", "publish") for m in RECORD_FACTORIES),
        "add_country",
        "change_country",
        "add_mandatetask",
        "change_mandatetask",
    }
    assert not {p for p in editor if "revision" in p} - {"view_revision"}


@pytest.mark.parametrize(
    ("role", "status_editable", "actions"),
    [
        ("curator", False, {"submit_selected", "export_csv"}),
        (
            "editor",
            True,
            {
                "submit_selected",
                "publish_selected",
                "unpublish_selected",
                "mark_reviewed_today",
                "delete_selected",
                "export_csv",
            },
        ),
    ],
)
def test_admin_offers_each_role_its_tools(request, role, status_editable, actions):
    client = request.getfixturevalue(f"{role}_client")
    mission = MissionFactory(draft=True)
    listing = client.get(reverse("admin:knowledge_mission_changelist"))
    assert listing.status_code == 200
    offered = {
        name for name, _ in listing.context["action_form"].fields["action"].choices
    }
    assert offered - {""} == actions
    page = client.get(change_url(mission))
    assert ("status" in page.context["adminform"].form.fields) is status_editable
    assert client.get(reverse("admin:knowledge_mission_add")).status_code == 200
    delete = client.get(reverse("admin:knowledge_mission_delete", args=[mission.pk]))
    assert delete.status_code == (200 if role == "editor" else 403)


def test_a_user_without_a_group_cannot_reach_records(reader):
    from django.test import Client

    client = Client()
    client.force_login(reader)
    response = client.get(reverse("admin:knowledge_mission_changelist"))
    assert response.status_code == 403


def test_curator_submits_from_the_change_page_and_cannot_publish(curator_client):
    norm = NormFactory(draft=True)
    page = curator_client.get(change_url(norm))
    assert list(page.context["workflow"]["transitions"]) == ["submit"]
    transition = reverse("admin:knowledge_norm_transition", args=[norm.pk, "publish"])
    curator_client.post(transition)
    norm.refresh_from_db()
    assert norm.status == Status.DRAFT
    curator_client.post(
        reverse("admin:knowledge_norm_transition", args=[norm.pk, "submit"]),
        {"comment": "Please check."},
    )
    norm.refresh_from_db()
    assert norm.status == Status.IN_REVIEW


def test_curator_cannot_publish_by_posting_the_status(curator_client):
    norm = NormFactory(draft=True)
    data = change_form_data(curator_client.get(change_url(norm)), status="published")
    response = curator_client.post(change_url(norm), data)
    assert response.status_code == 302
    norm.refresh_from_db()
    assert norm.status == Status.DRAFT


def test_editor_publishes_through_the_status_field_with_the_rules(editor_client):
    ready, bare = NormFactory(draft=True), NormFactory(draft=True, cited=False)
    for norm in (ready, bare):
        data = change_form_data(editor_client.get(change_url(norm)), status="published")
        editor_client.post(change_url(norm), data)
    ready.refresh_from_db()
    bare.refresh_from_db()
    assert ready.status == Status.PUBLISHED
    assert bare.status == Status.DRAFT


# --------------------------------------------------------------------------- proposals


def test_curators_change_to_a_published_record_waits_for_an_editor(
    client, curator_client, editor_client
):
    mission = MissionFactory(summary="The approved text. It is live.")
    old_source = mission.citations.get().source
    new_source = SourceFactory(slug="bellamy-2004", title="Understanding Peacekeeping")
    page = curator_client.get(change_url(mission))
    assert page.context["workflow"]["proposes"]
    data = change_form_data(
        page,
        summary="The proposed text. It is better.",
        revision_comment="Tightened the summary.",
        **{
            f"{CITATIONS}-TOTAL_FORMS": "2",
            f"{CITATIONS}-1-source": str(new_source.pk),
            f"{CITATIONS}-1-claim": "summary",
            f"{CITATIONS}-1-locator_type": "pages",
            f"{CITATIONS}-1-locator": "510",
            f"{CITATIONS}-1-position": "1",
            f"{CITATIONS}-0-DELETE": "on",
        },
    )
    response = curator_client.post(change_url(mission), data, follow=True)
    assert "awaits an editor" in response.content.decode()

    mission.refresh_from_db()
    assert mission.summary == "The approved text. It is live."
    assert [c.source for c in mission.citations.all()] == [old_source]
    assert "The approved text" in public(client, mission)
    assert "The proposed text" not in public(client, mission)

    revision = Revision.objects.pending().get()
    assert revision.comment == "Tightened the summary."
    queue = editor_client.get(reverse("admin:knowledge_revision_changelist"))
    assert list(queue.context["cl"].result_list) == [revision]

    review = editor_client.get(
        reverse("admin:knowledge_revision_change", args=[revision.pk])
    )
    changes = {c.key: c for c in review.context["changes"]}
    assert set(changes) == {"summary", "citations"}
    assert changes["citations"].added == ["bellamy-2004, pages 510 (summary)"]
    assert changes["citations"].removed == [f"{old_source.slug}, pages 512 (summary)"]
    html = review.content.decode()
    assert "<ins>bellamy-2004, pages 510 (summary)</ins>" in html
    assert "Approve and publish" in html

    editor_client.post(
        reverse("admin:knowledge_revision_decide", args=[revision.pk, "approve"])
    )
    mission.refresh_from_db()
    assert mission.summary == "The proposed text. It is better."
    assert [c.source for c in mission.citations.all()] == [new_source]
    assert "The proposed text" in public(client, mission)
    assert mission.last_reviewed == timezone.localdate()


def test_send_back_comment_reaches_the_curator(curator_client, editor_client):
    mission = MissionFactory()
    data = change_form_data(curator_client.get(change_url(mission)), name="Renamed")
    curator_client.post(change_url(mission), data)
    revision = Revision.objects.pending().get()
    curator_review = curator_client.get(
        reverse("admin:knowledge_revision_change", args=[revision.pk])
    )
    assert "Approve and publish" not in curator_review.content.decode()
    curator_client.post(
        reverse("admin:knowledge_revision_decide", args=[revision.pk, "approve"])
    )
    assert Revision.objects.get(pk=revision.pk).is_pending  # refused
    editor_client.post(
        reverse("admin:knowledge_revision_decide", args=[revision.pk, "send-back"]),
        {"comment": "Keep the official name."},
    )
    page = curator_client.get(change_url(mission)).content.decode()
    assert "Keep the official name." in page
    mission.refresh_from_db()
    assert mission.name != "Renamed"


def test_editors_own_edit_of_a_published_record_is_live_and_kept(client, editor_client):
    norm = NormFactory(summary="Before. Text.")
    data = change_form_data(editor_client.get(change_url(norm)), summary="After. Text.")
    editor_client.post(change_url(norm), data)
    assert "After. Text." in public(client, norm)
    version = Revision.objects.for_record(norm).get()
    assert (version.action, version.state) == ("edit", "applied")


# --------------------------------------------------------------------------- conflicts


def test_a_stale_form_is_refused_and_keeps_the_input(two_curators, curator_client):
    norm = NormFactory(draft=True, summary="Shared start. Text.")
    response = summary_clash(
        two_curators, norm, "Their change. Saved first.", "My careful edit. Typed."
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "was changed by conrad" in html
    assert "Nothing of yours was saved" in html
    assert "My careful edit. Typed." in html  # the input is kept
    assert "<ins>Their change.</ins>" in html or "Their change." in html
    conflict = response.context["adminform"].form.conflict
    assert [c.key for c in conflict.changes] == ["summary"]
    norm.refresh_from_db()
    assert norm.summary == "Their change. Saved first."

    # The re-shown form carries the current version: saving again is deliberate.
    again = change_form_data(response, summary="My careful edit. Typed.")
    assert curator_client.post(change_url(norm), again).status_code == 302
    norm.refresh_from_db()
    assert norm.summary == "My careful edit. Typed."


def test_a_form_without_a_version_is_refused(curator_client):
    norm = NormFactory(draft=True)
    data = change_form_data(curator_client.get(change_url(norm)), version_token="")
    assert curator_client.post(change_url(norm), data).status_code == 200


# --------------------------------------------------------------------------- history


def test_versions_page_shows_diffs_and_restores(editor_client):
    norm = NormFactory(draft=True, summary="First. Version.")
    page = editor_client.get(change_url(norm))
    editor_client.post(
        change_url(norm), change_form_data(page, summary="Second. Version.")
    )
    versions = editor_client.get(
        reverse("admin:knowledge_norm_versions", args=[norm.pk])
    )
    assert versions.status_code == 200
    html = versions.content.decode()
    assert "<del>First.</del>" in html or "<del>First. Version.</del>" in html
    revision = Revision.objects.for_record(norm).get()
    editor_client.post(
        reverse("admin:knowledge_norm_restore", args=[norm.pk, revision.pk]),
        {"side": "before"},
    )
    norm.refresh_from_db()
    assert norm.summary == "First. Version."
    assert Revision.objects.for_record(norm).count() == 2
    # The history page is the same one history (tests/workflow/test_one_history.py).
    history = editor_client.get(reverse("admin:knowledge_norm_history", args=[norm.pk]))
    assert history.status_code == 200
    assert len(history.context["revisions"]) == 2


# --------------------------------------------------------------------------- deletion


def test_admin_refuses_to_delete_a_record_others_point_to(editor_client):
    norm = NormFactory(name="Consent")
    MissionFactory(name="UNEF I", acronym="").norms.add(norm)
    url = reverse("admin:knowledge_norm_delete", args=[norm.pk])
    page = editor_client.get(url)
    assert "Mission: UNEF I" in page.content.decode()
    editor_client.post(url, {"post": "yes"})
    assert Norm.objects.filter(pk=norm.pk).exists()


def test_admin_deletion_can_be_undone(editor_client):
    mission = MissionFactory(name="Gone For Now")
    response = editor_client.post(
        reverse("admin:knowledge_mission_delete", args=[mission.pk]),
        {"post": "yes"},
        follow=True,
    )
    assert "Undo the deletion" in response.content.decode()
    assert not Mission.objects.filter(name="Gone For Now").exists()
    deletion = Revision.objects.get(action="delete")
    editor_client.post(
        reverse("admin:knowledge_revision_decide", args=[deletion.pk, "undelete"])
    )
    back = Mission.objects.get(name="Gone For Now")
    assert back.status == Status.DRAFT
    assert back.citations.count() == 1


# --------------------------------------------------------------------------- staleness


def test_needs_review_list_and_filter(editor_client):
    stale = NormFactory(
        name="Old Norm",
        last_reviewed=timezone.localdate() - datetime.timedelta(days=400),
    )
    NormFactory(name="Fresh Norm", last_reviewed=timezone.localdate())
    page = editor_client.get(reverse("admin:knowledge_needs_review")).content.decode()
    assert "Old Norm" in page and "Fresh Norm" not in page
    listing = editor_client.get(
        reverse("admin:knowledge_norm_changelist"), {"review": "due"}
    )
    assert list(listing.context["cl"].result_list) == [stale]
    editor_client.post(
        reverse("admin:knowledge_norm_changelist"),
        {"action": "mark_reviewed_today", "_selected_action": [stale.pk]},
    )
    stale.refresh_from_db()
    assert stale.last_reviewed == timezone.localdate()


def test_citation_history_is_kept_in_its_records_versions(editor):
    norm = NormFactory()
    CitationFactory(target=norm, locator="513")
    citations = services.record_content(norm)["citations"]
    citations[-1]["pages"] = "514"
    edit(norm, user=editor, citations=citations)
    version = Revision.objects.for_record(norm).get()
    assert [c.get("pages") for c in version.base_data["citations"]][-1] == "513"
    assert [c.get("pages") for c in version.data["citations"]][-1] == "514"


def test_curator_cannot_change_a_published_records_citation_on_its_own_page(
    curator_client, editor_client
):
    live = MissionFactory()
    citation = live.citations.get()
    classification = live.classifications.get()
    draft_citation = NormFactory(draft=True).citations.get()
    url = reverse("admin:knowledge_citation_change", args=[citation.pk])
    page = curator_client.get(url)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]  # shown read-only
    curator_client.post(url, {"locator": "999"})
    citation.refresh_from_db()
    assert citation.locator == "512"
    delete = reverse("admin:knowledge_citation_delete", args=[citation.pk])
    assert curator_client.post(delete, {"post": "yes"}).status_code == 403
    part = reverse("admin:knowledge_classification_change", args=[classification.pk])
    assert not curator_client.get(part).context["has_change_permission"]
    draft_url = reverse("admin:knowledge_citation_change", args=[draft_citation.pk])
    assert curator_client.get(draft_url).context["has_change_permission"]
    assert editor_client.get(url).context["has_change_permission"]


def test_curator_is_warned_when_a_proposal_breaks_the_rules(curator_client):
    norm = NormFactory()
    data = change_form_data(curator_client.get(change_url(norm)), summary="")
    response = curator_client.post(change_url(norm), data, follow=True)
    html = response.content.decode()
    assert "awaits an editor" in html
    assert "As proposed it cannot be approved: It has no summary." in html


def test_curator_follows_their_proposals_in_the_revision_list(curator_client):
    mission = MissionFactory()
    data = change_form_data(curator_client.get(change_url(mission)), name="New name")
    curator_client.post(change_url(mission), data)
    listing = curator_client.get(reverse("admin:knowledge_revision_changelist"))
    assert listing.status_code == 200
    assert [r.author.username for r in listing.context["cl"].result_list] == ["carla"]
    everything = curator_client.get(
        reverse("admin:knowledge_revision_changelist"), {"state": "all"}
    )
    assert everything.status_code == 200


def test_editor_cannot_save_a_published_record_into_breaking_the_rules(
    client, editor_client
):
    norm = NormFactory(summary="Live summary. It is cited.")
    page = editor_client.get(change_url(norm))
    data = change_form_data(
        page,
        summary="Edited summary. Typed with care.",
        **{f"{CITATIONS}-0-DELETE": "on"},
    )
    response = editor_client.post(change_url(norm), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "would no longer meet the publishing rules" in html
    assert "no citation with a page or section locator" in html
    assert "Edited summary. Typed with care." in html  # the input is kept
    norm.refresh_from_db()
    assert norm.status == Status.PUBLISHED
    assert norm.summary == "Live summary. It is cited."
    assert norm.citations.count() == 1
    assert not Revision.objects.exists()


def test_deleted_records_are_listed_for_undo(editor_client, editor):
    deletion = services.record_delete(record=NormFactory(name="Lost Norm"), user=editor)
    listing = editor_client.get(
        reverse("admin:knowledge_revision_changelist"),
        {"action__exact": "delete", "state": "applied"},
    )
    assert list(listing.context["cl"].result_list) == [deletion]
    assert "Deleted records" in listing.content.decode()
    review = editor_client.get(
        reverse("admin:knowledge_revision_change", args=[deletion.pk])
    )
    assert "Undo the deletion" in review.content.decode()


def test_review_queue_query_count_does_not_grow_with_the_queue(
    editor_client, curator, django_assert_max_num_queries
):
    for _ in range(12):
        mission = MissionFactory()
        services.revision_propose(
            record=mission,
            data={**services.record_content(mission), "name": "Renamed"},
            user=curator,
        )
    with django_assert_max_num_queries(12):
        response = editor_client.get(reverse("admin:knowledge_revision_changelist"))
    assert response.context["cl"].result_count == 12
