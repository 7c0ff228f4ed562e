"""The two-command set-up: a fresh database gets an admin account, printed once."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def test_local_admin_is_created_once_and_its_password_works(settings, capsys, client):
    settings.DEBUG = True
    call_command("ensure_local_admin")
    out = capsys.readouterr().out
    password = out.split("password:")[1].split()[0]
    assert client.login(username="admin", password=password)
    call_command("ensure_local_admin")
    assert "already exists" in capsys.readouterr().out


def test_local_admin_is_never_created_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("ensure_local_admin")
