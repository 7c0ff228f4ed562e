"""Fixtures for the API tests: clients with and without tokens, and the three kinds of
user the permission matrix needs."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.knowledge.registry import RECORD_TYPES

RECORD_MODELS = [t.name for t in RECORD_TYPES]


@pytest.fixture
def api_cache_cleared():
    """Throttling counts and export files live in the cache: start every test afresh."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def _user(django_user_model, name, actions):
    user = django_user_model.objects.create_user(name, password=f"pw-{name}-1")
    codenames = [f"{action}_{model}" for action in actions for model in RECORD_MODELS]
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="knowledge", codename__in=codenames
        )
    )
    return user


@pytest.fixture
def reader(django_user_model):
    """Authenticated, with no permissions."""
    return _user(django_user_model, "reader", [])


@pytest.fixture
def curator_user(django_user_model):
    """May add and change records, not publish them."""
    return _user(django_user_model, "curatrix", ["add", "change"])


@pytest.fixture
def editor(django_user_model):
    """May also publish and unpublish."""
    return _user(django_user_model, "editor", ["add", "change", "publish"])


def token_client(user):
    """An API client that sends `user`'s token, as a script would."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def as_reader(reader):
    return token_client(reader)


@pytest.fixture
def as_curator(curator_user):
    return token_client(curator_user)


@pytest.fixture
def as_editor(editor):
    return token_client(editor)
