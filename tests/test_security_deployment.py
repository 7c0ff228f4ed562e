"""The deployment files keep their promises: slim non-root image, probes, healthchecks.

`docker-compose config` validates the file in CI; these read what it cannot check.
"""

import re
import tomllib
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_the_image_is_slim_runs_as_a_user_and_has_a_healthcheck():
    dockerfile = (ROOT / "Dockerfile").read_text()
    bases = re.findall(r"^FROM (\S+)", dockerfile, re.M)
    assert bases
    assert all(base.endswith("-slim") for base in bases)
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", dockerfile, re.M)
    assert "collectstatic" in dockerfile
    assert not re.search(r"^ADD https?://", dockerfile, re.M)


def test_the_build_context_leaves_secrets_and_local_state_out():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".git", ".venv", "staticfiles", "node_modules"} <= ignored
    assert any(entry.startswith("db.sqlite3") for entry in ignored)


def test_compose_runs_the_real_stack_with_healthchecks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web"} <= set(services)
    assert "pgdata" in compose["volumes"]
    assert any(v.startswith("pgdata:") for v in services["db"]["volumes"])
    for name in ("db", "redis", "web"):
        assert services[name]["healthcheck"]["test"], name
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    web_env = services["web"]["environment"]
    assert web_env["DJANGO_DEBUG"] == "0"
    assert web_env["DATABASE_URL"].startswith("postgres://")
    assert web_env["REDIS_URL"].startswith("redis://redis:")
    assert (
        "?" in web_env["DJANGO_SECRET_KEY"]
    )  # required: compose refuses to start without
    depends = services["web"]["depends_on"]
    assert depends["db"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert "migrate" in " ".join(services["migrate"]["command"])


def test_what_production_imports_is_a_pinned_dependency():
    """The image installs only pyproject's dependencies: a package that happens to be in a
    developer's virtualenv (redis-py was) is not enough."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = dict(
        re.match(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==(\S+)$", dep).groups()
        for dep in project["dependencies"]
    )
    needed = {"Django", "gunicorn", "whitenoise", "psycopg", "dj-database-url", "redis"}
    needed |= {"django-csp", "django-axes"}
    assert needed <= set(pins), needed - set(pins)
