"""Visibility in one door: who may preview drafts is one rule (visibility.py), and the
pages and the API apply it alike; a citation is public when its source is published."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.knowledge.models import Citation
from apps.knowledge.visibility import can_preview
from tests import factories

from .conftest import _user
from .conftest import token_client

pytestmark = pytest.mark.django_db

# Who may see a draft mission, by the permissions they hold on every record type.
ROLES = {
    "anonymous": (None, False),
    "reader": ([], False),
    "viewer": (["view"], False),
    "curator": (["add", "change"], True),
    # An editor whose group grants publishing but not changing still reviews drafts.
    "publisher": (["view", "publish"], True),
}


@pytest.mark.parametrize("role", ROLES)
def test_the_page_and_the_api_agree_on_who_previews_a_draft(role, django_user_model):
    actions, may_preview = ROLES[role]
    mission = factories.MissionFactory(slug="draft-mission", draft=True)
    page, api = Client(), APIClient()
    if actions is not None:
        user = _user(django_user_model, role, actions)
        page.force_login(user)
        api = token_client(user)
        assert can_preview(user, type(mission)) is may_preview
    page_status = page.get(mission.get_absolute_url()).status_code
    api_status = api.get(f"/api/v1/missions/{mission.slug}/").status_code
    expected = 200 if may_preview else 404
    assert (page_status, api_status) == (expected, expected)


def test_a_citation_is_public_when_its_source_is_published():
    norm = factories.NormFactory(cited=False)
    public = factories.CitationFactory(target=norm)
    hidden = factories.CitationFactory(
        target=norm, source=factories.SourceFactory(draft=True)
    )
    both = Citation.objects.filter(pk__in=[public.pk, hidden.pk])
    assert list(both.published()) == [public]
