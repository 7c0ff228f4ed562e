"""The workflow's services: who may move a record where, and what each move keeps."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError

from apps.core.models import Status
from apps.knowledge import services
from apps.knowledge.models import Classification
from apps.knowledge.models import Mission
from apps.knowledge.models import Norm
from apps.knowledge.models import Revision
from apps.knowledge.models import RevisionAction
from tests.factories import CitationFactory
from tests.factories import MissionFactory
from tests.factories import NormFactory
from tests.factories import SourceFactory
from tests.knowledge.workflow.edits import edit

pytestmark = pytest.mark.django_db


def refreshed(record):
    record.refresh_from_db()
    return record


# --------------------------------------------------------------------------- transitions


def test_curator_submits_and_editor_approves(curator, editor):
    norm = NormFactory(draft=True)
    services.record_submit(record=norm, user=curator, comment="Ready.")
    assert refreshed(norm).status == Status.IN_REVIEW
    submission = Revision.objects.for_record(norm).get()
    assert (submission.action, submission.state, submission.comment) == (
        "submit",
        "pending",
        "Ready.",
    )
    services.record_approve(record=norm, user=editor, comment="Well sourced.")
    norm = refreshed(norm)
    assert norm.status == Status.PUBLISHED
    assert norm.published_at and norm.last_reviewed
    submission.refresh_from_db()
    assert (submission.state, submission.reviewer) == ("approved", editor)
    assert submission.review_comment == "Well sourced."


def test_a_refused_approval_leaves_the_submission_pending(curator, editor):
    norm = NormFactory(draft=True)
    services.record_submit(record=norm, user=curator)
    norm.citations.all().delete()
    with pytest.raises(ValidationError, match="no citation"):
        services.record_approve(record=norm, user=editor, comment="Fine.")
    assert refreshed(norm).status == Status.IN_REVIEW
    assert Revision.objects.for_record(norm).get().is_pending


def test_editor_sends_back_with_a_comment_the_curator_sees(curator, editor):
    norm = NormFactory(draft=True)
    services.record_submit(record=norm, user=curator)
    with pytest.raises(ValidationError, match="Say what"):
        services.record_send_back(record=norm, user=editor, comment=" ")
    services.record_send_back(record=norm, user=editor, comment="Cite page 512.")
    assert refreshed(norm).status == Status.DRAFT
    revision = Revision.objects.for_record(norm).get()
    assert (revision.state, revision.review_comment) == ("sent_back", "Cite page 512.")


def test_curator_withdraws_from_review(curator):
    norm = NormFactory(draft=True)
    services.record_submit(record=norm, user=curator)
    services.record_withdraw(record=norm, user=curator)
    assert refreshed(norm).status == Status.DRAFT
    assert Revision.objects.for_record(norm).get().state == "withdrawn"


@pytest.mark.parametrize(
    "service",
    [
        services.record_approve,
        services.record_publish,
        services.record_unpublish,
        services.record_archive,
        services.record_mark_reviewed,
    ],
)
def test_curator_may_not_do_editors_work(curator, service):
    norm = NormFactory(status=Status.IN_REVIEW)
    with pytest.raises(PermissionDenied):
        service(record=norm, user=curator)
    with pytest.raises(PermissionDenied):
        services.record_send_back(record=norm, user=curator, comment="No.")
    assert refreshed(norm).status == Status.IN_REVIEW


@pytest.mark.parametrize("service", [services.record_submit, services.record_withdraw])
def test_reader_may_not_even_submit(reader, service):
    norm = NormFactory(status=Status.DRAFT)
    with pytest.raises(PermissionDenied):
        service(record=norm, user=reader)


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("submit", Status.IN_REVIEW),
        ("submit", Status.PUBLISHED),
        ("submit", Status.ARCHIVED),
        ("withdraw", Status.DRAFT),
        ("withdraw", Status.PUBLISHED),
        ("approve", Status.DRAFT),
        ("approve", Status.PUBLISHED),
        ("send_back", Status.DRAFT),
        ("send_back", Status.PUBLISHED),
        ("archive", Status.ARCHIVED),
    ],
)
def test_transitions_from_the_wrong_state_are_refused(editor, name, status):
    norm = NormFactory(status=status)
    with pytest.raises(ValidationError, match="only a"):
        services.record_transition(
            record=norm, name=name, user=editor, comment="Because."
        )
    assert refreshed(norm).status == status


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [
        ("submit", Status.DRAFT, Status.IN_REVIEW),
        ("withdraw", Status.IN_REVIEW, Status.DRAFT),
        ("approve", Status.IN_REVIEW, Status.PUBLISHED),
        ("send_back", Status.IN_REVIEW, Status.DRAFT),
        ("publish", Status.DRAFT, Status.PUBLISHED),
        ("publish", Status.ARCHIVED, Status.PUBLISHED),
        ("unpublish", Status.PUBLISHED, Status.DRAFT),
        ("unpublish", Status.ARCHIVED, Status.DRAFT),
        ("archive", Status.PUBLISHED, Status.ARCHIVED),
        ("archive", Status.DRAFT, Status.ARCHIVED),
    ],
)
def test_every_transition_an_editor_may_make(editor, name, start, end):
    norm = NormFactory(status=start)
    assert name in services.record_transitions(norm, editor)
    services.record_transition(record=norm, name=name, user=editor, comment="Noted.")
    assert refreshed(norm).status == end


def test_curators_are_offered_only_their_transitions(curator):
    assert set(services.record_transitions(NormFactory(draft=True), curator)) == {
        "submit"
    }
    in_review = NormFactory(status=Status.IN_REVIEW)
    assert set(services.record_transitions(in_review, curator)) == {"withdraw"}
    assert services.record_transitions(NormFactory(), curator) == {}


# --------------------------------------------------------------------------- rules


def test_submitting_an_incomplete_record_says_what_is_missing(curator):
    mission = MissionFactory(draft=True, summary="", classified=False)
    with pytest.raises(ValidationError) as exc:
        services.record_submit(record=mission, user=curator)
    message = str(exc.value)
    assert "no summary" in message
    assert "no Westphalian / post-Westphalian classification" in message
    assert refreshed(mission).status == Status.DRAFT


def test_publishing_refuses_an_uncited_record(editor):
    norm = NormFactory(draft=True, cited=False)
    with pytest.raises(ValidationError, match="no citation with a page"):
        services.record_publish(record=norm, user=editor)


def test_system_publishes_without_a_user():
    norm = NormFactory(draft=True)
    services.record_publish(record=norm)
    norm = refreshed(norm)
    assert norm.status == Status.PUBLISHED
    assert norm.last_reviewed is None  # only a person's review counts


# --------------------------------------------------------------------------- pending edits


def test_proposal_leaves_the_live_record_alone_until_approved(curator, editor):
    mission = MissionFactory(summary="Old summary. Two sentences.")
    assert services.record_save_is_proposal(mission, curator)
    assert not services.record_save_is_proposal(mission, editor)
    data = services.record_content(mission)
    data["summary"] = "New summary. Two sentences."
    new_source = SourceFactory(slug="new-source")
    data["citations"] = [{"source": "new-source", "claim": "summary", "pages": "510"}]
    revision = services.revision_propose(record=mission, data=data, user=curator)
    assert refreshed(mission).summary == "Old summary. Two sentences."
    services.revision_approve(revision=revision, user=editor)
    mission = refreshed(mission)
    assert mission.summary == "New summary. Two sentences."
    assert [c.source for c in mission.citations.all()] == [new_source]
    assert mission.status == Status.PUBLISHED
    assert refreshed(revision).state == "approved"


def test_approval_refuses_a_version_that_breaks_the_rules(curator, editor):
    mission = MissionFactory()
    data = {**services.record_content(mission), "citations": []}
    revision = services.revision_propose(record=mission, data=data, user=curator)
    with pytest.raises(ValidationError, match="no citation"):
        services.revision_approve(revision=revision, user=editor)
    assert mission.citations.count() == 1
    assert refreshed(revision).is_pending


def test_approval_refuses_a_proposal_overtaken_by_another_change(curator, editor):
    mission = MissionFactory(summary="First. Version.")
    first = services.revision_propose(
        record=mission,
        data={**services.record_content(mission), "summary": "Second. Version."},
        user=curator,
    )
    later = services.revision_propose(
        record=mission,
        data={**services.record_content(mission), "name": "Renamed"},
        user=editor,
    )
    services.revision_approve(revision=later, user=editor)
    with pytest.raises(ValidationError, match="changed after"):
        services.revision_approve(revision=first, user=editor)
    services.revision_send_back(revision=first, user=editor, comment="Redo it.")
    assert refreshed(first).state == "sent_back"


def test_a_new_proposal_replaces_the_authors_pending_one(curator):
    mission = MissionFactory()
    base = services.record_content(mission)
    first = services.revision_propose(
        record=mission, data={**base, "name": "A"}, user=curator
    )
    second = services.revision_propose(
        record=mission, data={**base, "name": "B"}, user=curator
    )
    assert refreshed(first).state == "withdrawn"
    assert list(Revision.objects.pending()) == [second]


def test_curator_may_not_approve_or_send_back_a_proposal(curator, other_curator):
    mission = MissionFactory()
    revision = services.revision_propose(
        record=mission,
        data={**services.record_content(mission), "name": "X"},
        user=curator,
    )
    with pytest.raises(PermissionDenied):
        services.revision_approve(revision=revision, user=curator)
    with pytest.raises(PermissionDenied):
        services.revision_send_back(revision=revision, user=curator, comment="No")
    with pytest.raises(PermissionDenied):
        services.revision_withdraw(revision=revision, user=other_curator)
    services.revision_withdraw(revision=revision, user=curator)
    assert refreshed(revision).state == "withdrawn"


# --------------------------------------------------------------------------- staleness


def test_check_not_stale_names_the_other_change(curator):
    norm = NormFactory(summary="One. Two.")
    token = services.record_version_token(norm)
    assert services.check_not_stale(norm, token) == token
    base = services.record_content(norm)
    norm.summary = "Three. Four."
    norm.save()
    services.revision_record_saved(record=norm, base_data=base, user=curator)
    with pytest.raises(services.EditConflict) as exc:
        services.check_not_stale(norm, token)
    conflict = exc.value
    assert "carla" in str(conflict)
    assert [c.key for c in conflict.changes] == ["summary"]
    assert conflict.current_token == services.record_version_token(norm)


def test_a_citation_change_makes_the_token_stale():
    norm = NormFactory()
    token = services.record_version_token(norm)
    CitationFactory(target=norm, locator="520")
    assert services.record_version_token(norm) != token


def test_review_due_lists_published_records_not_reviewed_for_a_year():
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    due = NormFactory(last_reviewed=today - datetime.timedelta(days=400))
    never = NormFactory(last_reviewed=None)
    NormFactory(last_reviewed=today - datetime.timedelta(days=30))
    NormFactory(draft=True, last_reviewed=None)
    assert set(Norm.objects.filter(services.review_due())) == {due, never}


# --------------------------------------------------------------------------- restore


def test_restore_brings_back_an_earlier_version_as_a_new_change(editor):
    norm = NormFactory(summary="Original. Text.")
    change = edit(norm, user=editor, summary="Damaged. Text.").revision
    restored = services.record_restore(
        record=norm, revision=change, user=editor, before=True
    )
    assert refreshed(norm).summary == "Original. Text."
    assert restored.action == RevisionAction.RESTORE
    assert restored.state == "applied"
    assert "Restores the version" in restored.comment
    assert Revision.objects.for_record(norm).count() == 2


def test_curators_restore_of_a_published_record_goes_to_review(curator, editor):
    norm = NormFactory(summary="Original. Text.")
    change = edit(norm, user=editor, summary="Edited. Text.").revision
    proposal = services.record_restore(
        record=norm, revision=change, user=curator, before=True
    )
    assert proposal.is_pending
    assert refreshed(norm).summary == "Edited. Text."


# --------------------------------------------------------------------------- deletion


def test_a_record_others_point_to_cannot_be_deleted(editor):
    norm = NormFactory()
    MissionFactory().norms.add(norm)
    with pytest.raises(ValidationError, match="other records point to it"):
        services.record_delete(record=norm, user=editor)
    assert Norm.objects.filter(pk=norm.pk).exists()


def test_a_cited_source_cannot_be_deleted(editor):
    source = SourceFactory()
    CitationFactory(target=NormFactory(), source=source)
    with pytest.raises(ValidationError, match="Citation"):
        services.record_delete(record=source, user=editor)


def test_deletion_is_kept_and_can_be_undone_with_history(editor, curator):
    mission = MissionFactory(name="Kept Mission")
    old_pk = mission.pk
    with pytest.raises(PermissionDenied):
        services.record_delete(record=mission, user=curator)
    proposal = services.revision_propose(
        record=mission,
        data={**services.record_content(mission), "name": "Changed"},
        user=curator,
    )
    deletion = services.record_delete(record=mission, user=editor)
    assert refreshed(proposal).state == "withdrawn"
    assert not Mission.objects.filter(pk=old_pk).exists()
    with pytest.raises(PermissionDenied):
        services.record_undelete(revision=deletion, user=curator)
    back = services.record_undelete(revision=deletion, user=editor)
    assert back.name == "Kept Mission"
    assert back.status == Status.DRAFT
    assert back.citations.count() == 1
    assert back.classifications.get().citations.count() == 1
    actions = list(Revision.objects.for_record(back).values_list("action", flat=True))
    assert actions == ["undelete", "delete", "edit"]
    # The deleted row's history is carried over to the record brought back.
    assert not Revision.objects.filter(
        content_type=deletion.content_type, object_id=old_pk
    ).exclude(object_id=back.pk)


def test_a_curators_write_to_a_published_record_is_a_proposal(curator, editor):
    norm = NormFactory(name="Live name")
    source = SourceFactory()
    citations = services.record_content(norm)["citations"]
    written = edit(
        norm,
        user=curator,
        comment="Why.",
        name="Proposed name",
        citations=[*citations, {"source": source.slug, "pages": "530"}],
    )
    assert written.outcome == "proposed"
    assert refreshed(norm).name == "Live name"
    assert norm.citations.count() == 1
    assert written.revision.data["name"] == "Proposed name"
    assert len(written.revision.data["citations"]) == 2
    assert written.revision.comment == "Why."

    written = edit(norm, user=editor, name="Editor's name")
    assert written.outcome == "updated"
    assert refreshed(norm).name == "Editor's name"
    assert written.revision.state == "applied"


# --------------------------------------------------------------------------- publishing rules


def test_publishing_needs_summary_citation_and_cited_classification():
    mission = MissionFactory(draft=True, summary="", cited=False, classified=False)
    problems = services.record_publish_problems(mission)
    assert problems == [
        "It has no summary.",
        "It has no citation with a page or section locator.",
        "It has no Westphalian / post-Westphalian classification.",
    ]
    with pytest.raises(ValidationError) as exc:
        services.record_publish(record=mission)
    assert "no summary" in str(exc.value)
    mission.refresh_from_db()
    assert mission.status == "draft"


def test_uncited_classification_blocks_publishing():
    mission = MissionFactory(draft=True, classified=False)
    Classification.objects.create(
        target=mission, value="mixed", preferred=True, rationale="r"
    )
    problems = services.record_publish_problems(mission)
    assert problems[0] == "Its preferred classification has no citation."


def test_complete_record_publishes_and_unpublishes():
    norm = NormFactory(draft=True)
    services.record_publish(record=norm)
    norm.refresh_from_db()
    assert norm.status == "published" and norm.published_at
    services.record_unpublish(record=norm)
    norm.refresh_from_db()
    assert norm.status == "draft"


def test_publishing_checks_permission(django_user_model):
    reader = django_user_model.objects.create_user("reader", password="pw")
    norm = NormFactory(draft=True)
    CitationFactory(target=norm)
    with pytest.raises(PermissionDenied):
        services.record_publish(record=norm, user=reader)
