"""People of the editorial workflow: a curator and an editor in the groups the data
migration creates, a reader with no group, and logged-in admin clients for each."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client


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


def _client(user):
    """A browser session logged in to the admin as `user`."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def curator_client(curator):
    return _client(curator)


@pytest.fixture
def other_curator_client(other_curator):
    return _client(other_curator)


@pytest.fixture
def editor_client(editor):
    return _client(editor)


@pytest.fixture
def two_curators(curator_client, other_curator_client):
    """The two curators' clients, for an edit made while another was open."""
    return curator_client, other_curator_client
