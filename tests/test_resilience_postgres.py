"""A database that goes away: 503 while it is gone, served again once it is back.

Runs the app under gunicorn (one worker, persistent connections with health checks, as in
production) against the test database, then shuts the database to new connections and
terminates the worker's connection with pg_terminate_backend, as a failover or restart
would. No restart of the app between the phases.
"""

import uuid

import pytest
from django.db import connection

from tests.factories import MissionFactory
from tests.live_server import database_url
from tests.live_server import get
from tests.live_server import gunicorn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin_connection():
    import psycopg

    params = connection.get_connection_params()
    params = {
        k: v for k, v in params.items() if k in ("host", "port", "user", "password")
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        yield conn


@pytest.fixture
def live_gunicorn():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    with gunicorn(database_url(connection.settings_dict)) as base:
        yield base


def test_outage_gives_503_and_the_app_recovers_without_restart(
    live_gunicorn, admin_connection
):
    mission = MissionFactory()
    name = connection.settings_dict["NAME"]

    def page():  # a fresh query string each time: never a cached answer
        return get(f"{live_gunicorn}{mission.get_absolute_url()}?r={uuid.uuid4().hex}")

    assert page()[0] == 200
    assert get(live_gunicorn + "/readyz")[0] == 200

    admin_connection.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
    try:
        admin_connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        status, body, headers = page()
        assert status == 503
        assert "Temporarily unavailable" in body
        assert headers["Retry-After"] == "30"
        status, body, _ = get(f"{live_gunicorn}/api/v1/missions/?q={uuid.uuid4().hex}")
        assert status == 503
        assert "database is unavailable" in body
        assert get(live_gunicorn + "/readyz")[0] == 503
        assert get(live_gunicorn + "/healthz")[0] == 200  # the process itself is fine
    finally:
        admin_connection.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
        connection.close()  # this process's connection was terminated too

    # Back, with the same gunicorn worker: it reconnects on its own.
    status, body, _ = page()
    assert status == 200
    assert mission.name in body
    assert get(live_gunicorn + "/readyz")[0] == 200
