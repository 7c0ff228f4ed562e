"""Who the tests act as, and the clients they sign in with: a token for the API (as a
script sends it) or a session for the admin (as a browser keeps one).

The users here are the API permission matrix's, with permissions on every record type;
workflow/conftest.py overrides `reader` and `editor` and adds the curators, in the
editorial groups the data migration creates."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.test import Client
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


def session_client(user):
    """A browser session signed in as `user`, for the pages and the admin."""
    client = Client()
    client.force_login(user)
    return client


def signed_in(user, sign_in):
    """A fixture: a client signed in by `sign_in` as the user fixture named `user`
    (so that workflow/conftest.py's people get the same clients)."""

    def client(request):
        return sign_in(request.getfixturevalue(user))

    return pytest.fixture(client)


as_reader = signed_in("reader", token_client)
as_curator = signed_in("curator_user", token_client)
as_editor = signed_in("editor", token_client)
curator_client = signed_in("curator", session_client)
editor_client = signed_in("editor", session_client)
