"""Issue 13: curators' work is never lost nor changed behind their back (B2, B3, B8, B9)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from apps.knowledge import dataset
from apps.knowledge import services
from apps.knowledge.models import Citation
from apps.knowledge.models import Classification
from apps.knowledge.models import Mission
from apps.knowledge.models import Revision
from tests.factories import MissionFactory
from tests.factories import NormFactory
from tests.factories import SourceFactory

from .admin_forms import change_form_data
from .admin_forms import change_url
from .admin_forms import save_after_another
from .admin_forms import summary_clash
from .edits import edit

pytestmark = pytest.mark.django_db

CLASSIFICATIONS = "knowledge-classification-content_type-object_id"


# --------------------------------------------------------------------------- B3


def test_an_admin_save_keeps_lf_line_endings_and_clean_yaml(editor_client, tmp_path):
    mission = MissionFactory(
        summary="First paragraph. Two sentences.\n\nSecond one. Here.",
        mandate_summary="Observe.\nReport.",
    )
    page = editor_client.get(change_url(mission))
    data = change_form_data(page)
    # A browser sends every textarea back with CRLF line breaks.
    data = {
        k: v.replace("\n", "\r\n") if isinstance(v, str) else v for k, v in data.items()
    }
    data["name"] = "Renamed mission"
    response = editor_client.post(change_url(mission), data)
    assert response.status_code == 302, response.context["errors"]
    mission.refresh_from_db()
    assert mission.name == "Renamed mission"
    assert "\r" not in mission.summary and "\r" not in mission.mandate_summary
    assert "\r" not in mission.classifications.get().rationale
    saved = Revision.objects.for_record(mission).first()
    assert {c.key for c in _changes(saved)} == {"name"}
    dataset.export_dataset(tmp_path)
    text = (tmp_path / "missions" / f"{mission.slug}.yaml").read_text()
    assert "\\r" not in text and "summary: |" in text


def _changes(revision):
    from apps.knowledge.diff import diff_records

    return diff_records(revision.base_data, revision.data)


# --------------------------------------------------------------------------- B2


def test_the_queue_withdraws_proposals_that_change_nothing_in_bulk(
    curator, other_curator, editor_client
):
    norm = NormFactory(name="Consent")
    live = services.record_content(norm)
    noop = Revision.objects.create(
        content_type=ContentType.objects.get_for_model(norm),
        object_id=norm.pk,
        record_label=str(norm),
        action="edit",
        state="pending",
        data={**live, "curator_note": None},
        base_data=live,
        author=curator,
    )
    real = services.revision_propose(
        record=norm, data={**live, "name": "Consent of the parties"}, user=other_curator
    )
    response = editor_client.post(
        reverse("admin:knowledge_revision_changelist"),
        {"action": "withdraw_unchanged", "_selected_action": [noop.pk, real.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "Withdrew 1 proposal(s) that change nothing" in html, html[
        html.find("messagelist") : html.find("messagelist") + 500
    ]
    noop.refresh_from_db()
    real.refresh_from_db()
    assert noop.state == "withdrawn" and real.state == "pending"


# --------------------------------------------------------------------------- B8


def test_clearing_a_classifications_source_and_locator_removes_its_citation(
    editor_client,
):
    mission = MissionFactory(draft=True)
    second = Classification.objects.create(
        target=mission,
        value="mixed",
        preferred=False,
        rationale="Both. Later on.",
        basis="author",
    )
    Citation.objects.create(
        target=second, source=SourceFactory(), locator="510", claim="classification"
    )
    page = editor_client.get(change_url(mission))
    data = change_form_data(page)
    index = next(
        i for i in range(2) if data.get(f"{CLASSIFICATIONS}-{i}-id") == str(second.pk)
    )
    data[f"{CLASSIFICATIONS}-{index}-source"] = ""
    data[f"{CLASSIFICATIONS}-{index}-locator"] = ""
    response = editor_client.post(change_url(mission), data)
    assert response.status_code == 302, response.context["errors"]
    assert not second.citations.exists()


# --------------------------------------------------------------------------- B9


def test_add_citation_offers_only_knowledge_records(editor_client):
    page = editor_client.get(reverse("admin:knowledge_citation_add"))
    offered = {
        label
        for _value, label in page.context["adminform"]
        .form.fields["content_type"]
        .choices
    }
    assert "Knowledge | mission" in offered
    assert not {label for label in offered if "ccess" in label or "ession" in label}
    assert not {label for label in offered if "istorical" in label}


def _citation_post(target, source, object_id=None):
    return {
        "content_type": ContentType.objects.get_for_model(target).pk,
        "object_id": object_id or target.pk,
        "source": source.pk,
        "claim": "summary",
        "locator_type": "pages",
        "locator": "512",
        "position": 0,
        "note": "Typed with care.",
    }


def test_add_citation_refuses_a_record_that_does_not_exist(editor_client):
    mission = MissionFactory()
    source = SourceFactory()
    response = editor_client.post(
        reverse("admin:knowledge_citation_add"),
        _citation_post(mission, source, object_id=424242),
    )
    assert response.status_code == 200
    assert "No mission has the id 424242" in response.content.decode()
    assert not Citation.objects.filter(object_id=424242).exists()


def test_add_citation_to_a_published_record_by_a_curator_keeps_the_input(
    curator_client,
):
    mission = MissionFactory()
    source = SourceFactory()
    before = mission.citations.count()
    response = curator_client.post(
        reverse("admin:knowledge_citation_add"), _citation_post(mission, source)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "is published" in html and "Typed with care." in html
    assert mission.citations.count() == before
    assert Mission.objects.get().pk == mission.pk


# --------------------------------------------------------------------------- B7


def test_a_record_citing_a_draft_source_cannot_be_submitted_or_published(
    curator, editor
):
    from django.core.exceptions import ValidationError

    draft_source = SourceFactory(draft=True, title="A work still in draft")
    mission = MissionFactory(draft=True)
    classification = mission.classifications.get()
    classification.citations.update(source=draft_source)
    # Submitting is allowed: the review page lists the draft source, and approving
    # publishes it too (tests/workflow/test_publish_with_sources.py).
    with pytest.raises(ValidationError, match="cites sources the public cannot see"):
        services.record_publish(record=mission, user=editor)
    services.record_publish(record=draft_source, user=editor)
    services.record_publish(record=mission, user=editor)
    mission.refresh_from_db()
    assert mission.status == "published"


# --------------------------------------------------------------------------- B5


def test_saving_again_after_a_conflict_keeps_the_other_persons_fields(
    two_curators, curator_client
):
    mission = MissionFactory(
        draft=True, name="A long mission name", summary="Shared start. Text."
    )
    _saved, refused = save_after_another(
        two_curators, mission, {"acronym": "SHORT"}, {"summary": "My edit. Typed."}
    )
    assert refused.status_code == 200
    assert not refused.context["adminform"].form.clashes
    again = curator_client.post(change_url(mission), change_form_data(refused))
    assert again.status_code == 302
    mission.refresh_from_db()
    assert (mission.acronym, mission.summary) == ("SHORT", "My edit. Typed.")


def test_fields_both_people_changed_are_shown_side_by_side(two_curators):
    mission = MissionFactory(draft=True, summary="Shared start. Text.")
    refused = summary_clash(
        two_curators, mission, "Theirs. Saved first.", "Mine. Typed second."
    )
    clashes = refused.context["adminform"].form.clashes
    assert [(c.name, c.theirs, c.mine) for c in clashes] == [
        ("summary", "Theirs. Saved first.", "Mine. Typed second.")
    ]
    assert "You both changed these fields" in refused.content.decode()


CITATION_ROW = "knowledge-citation-content_type-object_id-0"
CLASSIFICATION_ROW = "knowledge-classification-content_type-object_id-0"


def test_after_a_conflict_rows_only_they_changed_keep_their_values(
    two_curators, curator_client
):
    """Citations and classifications merge row by row, field by field, as fields do."""
    mission = MissionFactory(draft=True, summary="Shared start. Text.")
    saved, refused = save_after_another(
        two_curators,
        mission,
        {
            f"{CITATION_ROW}-locator": "530",
            f"{CITATION_ROW}-note": "Their note.",
            f"{CLASSIFICATION_ROW}-rationale": "Their reason.",
        },
        {"summary": "My edit. Typed."},
    )
    assert saved.status_code == 302
    assert refused.status_code == 200
    assert not refused.context["adminform"].form.clashes
    again = curator_client.post(change_url(mission), change_form_data(refused))
    assert again.status_code == 302
    mission.refresh_from_db()
    citation = mission.citations.get()
    assert (citation.locator, citation.note) == ("530", "Their note.")
    assert mission.classifications.get().rationale == "Their reason."
    assert mission.summary == "My edit. Typed."


def test_a_row_field_both_changed_is_shown_side_by_side(two_curators, curator_client):
    mission = MissionFactory(draft=True)
    _saved, refused = save_after_another(
        two_curators,
        mission,
        {f"{CITATION_ROW}-note": "Their note."},
        {f"{CITATION_ROW}-note": "My note.", f"{CITATION_ROW}-locator": "531"},
    )
    clashes = refused.context["adminform"].form.clashes
    assert [(c.label, c.theirs, c.mine) for c in clashes] == [
        ("Citation 1: Note", "Their note.", "My note.")
    ]
    again = curator_client.post(change_url(mission), change_form_data(refused))
    assert again.status_code == 302
    citation = mission.citations.get()
    assert (citation.locator, citation.note) == ("531", "My note.")


# --------------------------------------------------------------------------- B4


def test_a_second_save_continues_the_curators_own_proposal(curator_client):
    mission = MissionFactory(name="Live name", summary="Live text. Two sentences.")
    first = curator_client.get(change_url(mission))
    curator_client.post(change_url(mission), change_form_data(first, name="New name"))
    again = curator_client.get(change_url(mission))
    html = again.content.decode()
    assert "You are continuing your proposal" in html
    assert again.context["adminform"].form["name"].value() == "New name"
    curator_client.post(
        change_url(mission),
        change_form_data(again, summary="Better text. Two sentences."),
    )
    pending = Revision.objects.pending().get()
    assert pending.data["name"] == "New name"
    assert pending.data["summary"] == "Better text. Two sentences."
    superseded = Revision.objects.get(state="withdrawn")
    assert "Superseded by a later version" in superseded.review_comment
    mission.refresh_from_db()
    assert mission.name == "Live name"


def test_a_withdrawn_proposal_can_be_reopened(curator, curator_client):
    norm = NormFactory(name="Consent")
    live = services.record_content(norm)
    proposal = services.revision_propose(
        record=norm, data={**live, "name": "Consent of the parties"}, user=curator
    )
    services.revision_withdraw(revision=proposal, user=curator)
    page = curator_client.get(
        reverse("admin:knowledge_revision_change", args=[proposal.pk])
    )
    assert "Reopen this proposal" in page.content.decode()
    curator_client.post(
        reverse("admin:knowledge_revision_decide", args=[proposal.pk, "reopen"])
    )
    reopened = Revision.objects.pending().get()
    assert reopened.data["name"] == "Consent of the parties"


# --------------------------------------------------------------------------- B6


def test_approve_publishes_only_the_version_the_editor_saw(curator, editor):
    from django.core.exceptions import ValidationError

    mission = MissionFactory(draft=True, summary="Submitted text. Seen by the editor.")
    services.record_submit(record=mission, user=curator)
    seen = Revision.objects.pending().get()
    # The curator edits the record in review while the editor reads `seen`.
    edit(mission, user=curator, summary="Changed later. Never reviewed.")
    with pytest.raises(ValidationError, match="Summary"):
        services.revision_approve(revision=seen, user=editor)
    mission.refresh_from_db()
    assert mission.status == "in_review"
    newer = Revision.objects.pending().get()
    assert newer.data["summary"] == "Changed later. Never reviewed."
    services.revision_approve(revision=newer, user=editor)
    mission.refresh_from_db()
    assert mission.status == "published"
