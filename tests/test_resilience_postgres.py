"""A database that goes away: 503 while it is gone, served again once it is back.

Runs the app under gunicorn (one worker, persistent connections with health checks, as in
production) against the test database, then shuts the database to new connections and
terminates the worker's connection with pg_terminate_backend, as a failover or restart
would. No restart of the app between the phases.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import MissionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(settings.BASE_DIR)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), exc.headers


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
    db = connection.settings_dict
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.core.prodlike_settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="outage-test-secret-key-" + uuid.uuid4().hex,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="CRITICAL",
        DATABASE_URL=(
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}"
            f":{db['PORT'] or 5432}/{db['NAME']}"
        ),
    )
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if _get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start: " + server.stderr.read().decode())
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_outage_gives_503_and_the_app_recovers_without_restart(
    live_gunicorn, admin_connection
):
    mission = MissionFactory()
    name = connection.settings_dict["NAME"]

    def page():  # a fresh query string each time: never a cached answer
        return _get(f"{live_gunicorn}{mission.get_absolute_url()}?r={uuid.uuid4().hex}")

    assert page()[0] == 200
    assert _get(live_gunicorn + "/readyz")[0] == 200

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
        status, body, _ = _get(f"{live_gunicorn}/api/v1/missions/?r={uuid.uuid4().hex}")
        assert status == 503
        assert "database is unavailable" in body
        assert _get(live_gunicorn + "/readyz")[0] == 503
        assert _get(live_gunicorn + "/healthz")[0] == 200  # the process itself is fine
    finally:
        admin_connection.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
        connection.close()  # this process's connection was terminated too

    # Back, with the same gunicorn worker: it reconnects on its own.
    status, body, _ = page()
    assert status == 200
    assert mission.name in body
    assert _get(live_gunicorn + "/readyz")[0] == 200
