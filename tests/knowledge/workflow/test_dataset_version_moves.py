"""Every change the public sees names a new dataset version, including a change to a
record's links alone (no field of the record's own row changes): the stored version,
and the export files cut from it, would otherwise keep serving the old links."""

import pytest

from apps.knowledge import services
from apps.knowledge.api import export
from apps.knowledge.models import Revision
from tests.factories import NormFactory

from .edits import edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what a commit runs: the content generation moves (dataset_stamp's key)."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def norms(editor):
    return NormFactory(name="Consent"), NormFactory(name="Impartiality")


def _related(norm, *others):
    return {
        **services.record_content(norm),
        "related": [other.slug for other in others],
    }


def test_an_editors_link_only_edit_moves_the_version(editor, norms, committed):
    norm, other = norms
    before = export.dataset_stamp().version
    with committed(execute=True):
        edit(norm, user=editor, related=[other.slug])
    assert export.dataset_stamp().version != before


def test_an_approved_link_only_proposal_moves_the_version(
    curator, editor, norms, committed
):
    norm, other = norms
    proposal = services.revision_propose(
        record=norm, data=_related(norm, other), user=curator
    )
    before = export.dataset_stamp().version
    with committed(execute=True):
        services.revision_approve(revision=proposal, user=editor)
    assert export.dataset_stamp().version != before


def test_restoring_a_version_that_differs_in_links_alone_moves_it(
    editor, norms, committed
):
    norm, other = norms
    edit(norm, user=editor, name="Consent of the parties")
    first = services.record_content(norm)
    edit(norm, user=editor, related=[other.slug])
    (earlier,) = [
        r
        for r in Revision.objects.for_record(norm).published()
        if r.data.get("related") == first.get("related")
        and r.data.get("name") == "Consent of the parties"
    ]
    before = export.dataset_stamp().version
    with committed(execute=True):
        services.record_restore(record=norm, revision=earlier, user=editor)
    assert export.dataset_stamp().version != before
