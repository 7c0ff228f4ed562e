"""The content generation (every cached page's key) moves when public content changes,
and only then: a curator's proposal, a draft, history rows and links on unpublished
records leave every cached page warm."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from apps.core import pagecache
from apps.knowledge import services
from tests import factories
from tests.knowledge.conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def generation(django_capture_on_commit_callbacks):
    """Call with a function: whether running it (and its commit) moved the generation."""

    def moved(change):
        before = pagecache.current_generation()
        with django_capture_on_commit_callbacks(execute=True):
            change()
        return pagecache.current_generation() != before

    return moved


def _editorial_client(django_user_model, name, group):
    user = django_user_model.objects.create_user(name, password=f"pw-{name}-1")
    user.groups.add(Group.objects.get(name=group))
    return user, token_client(user)


def test_a_curators_proposal_does_not_change_the_public_generation(
    generation, django_user_model
):
    norm = factories.NormFactory(slug="consent", name="Consent")  # published
    _, curator = _editorial_client(django_user_model, "cara", "Curator")
    url = reverse("api:norm-detail", kwargs={"slug": "consent"})
    etag = curator.get(url)["ETag"]

    def propose():
        response = curator.patch(
            url, {"name": "Consent (proposed)"}, format="json", HTTP_IF_MATCH=etag
        )
        assert response.status_code == 202, response.content

    assert not generation(propose)
    norm.refresh_from_db()
    assert norm.name == "Consent"


def test_drafts_history_and_links_of_drafts_leave_the_generation(generation):
    draft = factories.MissionFactory(draft=True)
    norm, source = factories.NormFactory(), factories.SourceFactory()

    def edit_draft():
        draft.name = "Still a draft"
        draft.save()
        draft.norms.add(norm)
        factories.CitationFactory(target=draft, source=source)

    assert not generation(edit_draft)


def test_public_changes_move_the_generation(generation, django_user_model):
    mission = factories.MissionFactory(draft=True)
    other = factories.NormFactory()
    assert generation(lambda: services.record_publish(record=mission, user=None))

    def edit_published():
        mission.name = "Renamed"
        mission.save()

    assert generation(edit_published)
    assert generation(lambda: mission.norms.add(other))
    assert generation(lambda: services.record_unpublish(record=mission, user=None))
    published = factories.NormFactory()
    assert generation(published.delete)
