"""People of the editorial workflow: curators and an editor in the groups the data
migration creates, and a reader in none; all staff, so that they may open the admin.
Their admin sessions (`curator_client`, `editor_client`) come from ../conftest.py."""

import pytest
from django.contrib.auth.models import Group

from tests.knowledge.conftest import session_client


def _member(django_user_model, name, group=None):
    user = django_user_model.objects.create_user(
        name, f"{name}@example.org", f"pw-{name}-1", is_staff=True
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def curator(django_user_model):
    return _member(django_user_model, "carla", "Curator")


@pytest.fixture
def other_curator(django_user_model):
    return _member(django_user_model, "conrad", "Curator")


@pytest.fixture
def editor(django_user_model):
    return _member(django_user_model, "edith", "Editor")


@pytest.fixture
def reader(django_user_model):
    return _member(django_user_model, "rita")


@pytest.fixture
def two_curators(curator_client, other_curator):
    """The two curators' clients, for an edit made while another was open."""
    return curator_client, session_client(other_curator)
