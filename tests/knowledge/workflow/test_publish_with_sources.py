"""Issue 13, B7: a record citing a source the public cannot see is published together
with that source, in one step the editor takes having seen the list, or not at all.
Before, it passed submit and approve and the public record showed "citations": []."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from apps.core.models import Status
from apps.knowledge import services
from apps.knowledge.models import Revision
from tests.factories import CitationFactory
from tests.factories import MissionFactory
from tests.factories import NormFactory
from tests.factories import SourceFactory

from .admin_forms import change_form_data
from .admin_forms import change_url

pytestmark = pytest.mark.django_db


def mission_citing_a_draft_source(title="A work still in draft"):
    draft_source = SourceFactory(draft=True, title=title, slug="draft-work")
    mission = MissionFactory(draft=True, slug="unef-b7")
    mission.classifications.get().citations.update(source=draft_source)
    CitationFactory(target=mission, source=draft_source, locator="44")
    return mission, draft_source


def review_url(revision):
    return reverse("admin:knowledge_revision_change", args=[revision.pk])


def decide_url(revision, decision="approve"):
    return reverse("admin:knowledge_revision_decide", args=[revision.pk, decision])


def test_submitted_then_approved_with_its_sources_the_citations_are_public(
    curator, editor
):
    mission, draft_source = mission_citing_a_draft_source()
    services.record_submit(record=mission, user=curator)  # the editor will see them
    (submission,) = Revision.objects.for_record(mission).pending()
    with pytest.raises(ValidationError, match="A work still in draft"):
        services.revision_approve(revision=submission, user=editor)
    mission.refresh_from_db()
    assert mission.status == Status.IN_REVIEW  # refused: nothing changed

    services.revision_approve(revision=submission, user=editor, with_sources=True)
    mission.refresh_from_db()
    draft_source.refresh_from_db()
    assert mission.status == draft_source.status == Status.PUBLISHED
    # The source has its own published version, kept in the one history.
    (version,) = Revision.objects.for_record(draft_source).published()
    assert version.action == "publish" and version.author == editor
    body = Client().get(f"/api/v1/missions/{mission.slug}/").json()
    assert {c["source"]["slug"] for c in body["citations"]} >= {"draft-work"}


def test_a_source_that_cannot_be_published_refuses_everything(curator, editor):
    mission, draft_source = mission_citing_a_draft_source()
    services.record_submit(record=mission, user=curator)
    (submission,) = Revision.objects.for_record(mission).pending()
    draft_source.kind = ""
    draft_source.save()
    with pytest.raises(ValidationError, match=r"A work still in draft.*no type"):
        services.revision_approve(revision=submission, user=editor, with_sources=True)
    mission.refresh_from_db()
    draft_source.refresh_from_db()
    assert mission.status == Status.IN_REVIEW
    assert draft_source.status == Status.DRAFT
    assert not Revision.objects.for_record(draft_source).exists()


def test_a_curator_cannot_submit_a_record_citing_a_source_short_of_the_rules(curator):
    mission, draft_source = mission_citing_a_draft_source()
    draft_source.kind = ""
    draft_source.save()
    with pytest.raises(ValidationError, match="no type"):
        services.record_submit(record=mission, user=curator)


def test_an_editor_publishes_a_draft_with_its_sources_and_a_proposal_too(
    curator, editor
):
    mission, draft_source = mission_citing_a_draft_source()
    with pytest.raises(ValidationError, match="Publish them first, or publish"):
        services.record_publish(record=mission, user=editor)
    services.record_publish(record=mission, user=editor, with_sources=True)
    draft_source.refresh_from_db()
    assert draft_source.status == Status.PUBLISHED

    # A proposal adding a citation to another draft source.
    other = SourceFactory(draft=True, slug="second-draft", title="Second draft")
    norm = NormFactory(slug="consent-b7")
    data = services.record_content(norm)
    data["citations"] = [
        *data["citations"],
        {"source": "second-draft", "claim": "summary", "pages": "510"},
    ]
    proposal = services.revision_propose(record=norm, data=data, user=curator)
    with pytest.raises(ValidationError, match="Second draft"):
        services.revision_approve(revision=proposal, user=editor)
    services.revision_approve(revision=proposal, user=editor, with_sources=True)
    other.refresh_from_db()
    assert other.status == Status.PUBLISHED


def test_a_curator_cannot_publish_sources_by_approving(curator):
    mission, _draft = mission_citing_a_draft_source()
    services.record_submit(record=mission, user=curator)
    (submission,) = Revision.objects.for_record(mission).pending()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.revision_approve(revision=submission, user=curator, with_sources=True)


def test_the_review_page_lists_the_sources_and_approves_them_together(
    curator, editor_client
):
    mission, draft_source = mission_citing_a_draft_source()
    services.record_submit(record=mission, user=curator)
    (submission,) = Revision.objects.for_record(mission).pending()
    html = editor_client.get(review_url(submission)).content.decode()
    assert "Sources it cites that the public cannot see yet" in html
    assert "A work still in draft" in html
    assert 'value="Approve and publish with 1 source"' in html
    assert "cites sources the public cannot see" not in html  # not a problem here

    # An approval from a page that did not list them is refused, naming the source.
    refused = editor_client.post(decide_url(submission), follow=True)
    assert "A work still in draft" in refused.content.decode()
    mission.refresh_from_db()
    assert mission.status == Status.IN_REVIEW

    editor_client.post(decide_url(submission), {"publish_sources": "yes"})
    mission.refresh_from_db()
    draft_source.refresh_from_db()
    assert mission.status == draft_source.status == Status.PUBLISHED


def mission_on_its_page():
    """As mission_citing_a_draft_source, with a page the source holds (the form checks)."""
    mission, draft_source = mission_citing_a_draft_source()
    mission.citations.filter(locator="44").update(locator="510")
    return mission, draft_source


def test_the_record_page_offers_to_publish_the_sources_with_it(editor_client):
    """The record's own page says what the review page says: its draft sources are
    published with it, not a dead end ("publish them first")."""
    mission, draft_source = mission_on_its_page()
    response = editor_client.get(change_url(mission))
    html = response.content.decode()
    assert "Sources it cites that the public cannot see yet" in html
    assert "Publishing it publishes these sources with it" in html
    assert "A work still in draft" in html
    assert "cites sources the public cannot see" not in html  # not a refusal
    assert ">Publish with 1 source</button>" in html

    data = change_form_data(response, _workflow="publish", publish_sources="yes")
    editor_client.post(change_url(mission), data)
    mission.refresh_from_db()
    draft_source.refresh_from_db()
    assert mission.status == draft_source.status == Status.PUBLISHED


def test_the_record_page_publishes_no_source_it_did_not_list(editor_client):
    mission, draft_source = mission_on_its_page()
    data = change_form_data(editor_client.get(change_url(mission)), _workflow="publish")
    response = editor_client.post(change_url(mission), data, follow=True)
    assert "A work still in draft" in response.content.decode()  # refused, named
    mission.refresh_from_db()
    draft_source.refresh_from_db()
    assert mission.status == draft_source.status == Status.DRAFT


def test_a_curator_is_told_the_editor_publishes_the_sources(curator_client):
    mission, _draft = mission_on_its_page()
    html = curator_client.get(change_url(mission)).content.decode()
    assert "the editor who approves it publishes these sources with it" in html
    assert "cites sources the public cannot see" not in html
    assert 'name="publish_sources"' not in html  # curators publish nothing
    assert ">Submit for review</button>" in html


def test_an_editor_who_may_not_publish_sources_is_not_offered_it(editor, editor_client):
    from django.contrib.auth.models import Permission

    editor.user_permissions.set([])
    editor.groups.get().permissions.remove(
        Permission.objects.get(codename="publish_source")
    )
    mission, _draft = mission_on_its_page()
    html = editor_client.get(change_url(mission)).content.decode()
    assert "A work still in draft" in html
    assert 'name="publish_sources"' not in html
    assert "You may not publish sources" in html
    assert ">Publish</button>" in html


def browser_post_data(response, **edits):
    """change_form_data plus the hidden inputs the page puts outside the form (the
    workflow panel's, tied to it by form=), as a browser sends them."""
    data = change_form_data(response, **edits)
    if 'name="publish_sources" value="yes"' in response.content.decode():
        data.setdefault("publish_sources", "yes")
    return data


def test_choosing_published_in_the_status_select_publishes_the_sources_too(
    editor, editor_client
):
    """The select does what the page's "Publish with 1 source" button does: the page
    listed the sources, so they are published with it, each with its own version."""
    mission, draft_source = mission_on_its_page()
    data = browser_post_data(editor_client.get(change_url(mission)), status="published")
    response = editor_client.post(change_url(mission), data, follow=True)
    mission.refresh_from_db()
    draft_source.refresh_from_db()
    assert mission.status == draft_source.status == Status.PUBLISHED
    (version,) = Revision.objects.for_record(draft_source)
    assert (version.action, version.author) == ("publish", editor)
    assert len(Revision.objects.for_record(mission).published()) == 1
    html = response.content.decode()
    assert "Saved as draft" not in html
    assert "with 1 source: A work still in draft" in html


def test_the_status_select_names_the_sources_an_editor_may_not_publish(
    editor, editor_client
):
    from django.contrib.auth.models import Permission

    editor.groups.get().permissions.remove(
        Permission.objects.get(codename="publish_source")
    )
    mission, draft_source = mission_on_its_page()
    data = browser_post_data(editor_client.get(change_url(mission)), status="published")
    response = editor_client.post(change_url(mission), data, follow=True)
    assert "Saved as draft" in response.content.decode()
    assert "A work still in draft" in response.content.decode()
    mission.refresh_from_db()
    draft_source.refresh_from_db()
    assert mission.status == draft_source.status == Status.DRAFT


def test_setting_the_status_publishes_the_sources_only_when_asked(editor):
    mission, draft_source = mission_citing_a_draft_source()
    with pytest.raises(ValidationError, match="A work still in draft"):
        services.record_set_status(record=mission, status="published", user=editor)
    services.record_set_status(
        record=mission, status="published", user=editor, with_sources=True
    )
    draft_source.refresh_from_db()
    assert mission.status == draft_source.status == Status.PUBLISHED
