"""Bad input and faults: hostile queries, a database that goes away, failed loads."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core import serializers
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from apps.knowledge.dataset import load_dataset
from apps.knowledge.registry import PAGE_MODELS
from tests.core.public_urls import fill
from tests.core.public_urls import public_routes
from tests.core.public_urls import sample_records

DATA = Path(settings.BASE_DIR) / "data"

# Each is appended to every public GET URL. The answer must be 2xx, 3xx or 4xx.
HOSTILE_QUERIES = [
    "page=999999999999999999999999",
    "page=-1",
    "page=0",
    "page=abc",
    "page=1e9&page=2",
    "page_size=100000000&limit=-5&offset=-5",
    "q=" + "x" * 4000,
    "q=%F0%9F%92%A3%E2%80%AE%EF%BB%BF%CC%81%CC%81%CC%81",  # emoji, RTL override, BOM, combining
    "q=%ED%A0%80%FF%FE",  # a lone surrogate and bytes that are not UTF-8
    "q=%00",  # NUL: refused up front
    "q=%27%22%3B--%20%2F*&q=)%20OR%201=1",
    "utm_source=x&unknown[]=1&__proto__=1",
    "ordering=-no_such_field&ordering=__class__&sort=%24where",
    "decade=abc&decade=99999999999999999999&decade=-1960",
    "started_after=1956-02-30&started_before=9999-99-99&start=abc&end=-1",
    "conception=<script>&region=%E2%80%AE&country=%00x&mission_type=,,,",
    "organisation=" + ",".join(["x"] * 500),
    "format=xml&format=../../etc/passwd",
]
# Routes that are expensive per request (the schema is generated each time): fewer queries.
FEWER = {"api:schema": 3}


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "groups"), public_routes(), ids=lambda v: str(v))
def test_public_urls_answer_hostile_query_strings_without_a_server_error(
    client, name, groups
):
    path = fill(name, groups, sample_records())
    if path is None:
        pytest.skip(f"{name} needs arguments no sample record provides")
    assert client.get(path).status_code < 500
    queries = HOSTILE_QUERIES[-FEWER[name] :] if name in FEWER else HOSTILE_QUERIES
    for query in queries:
        response = client.get(f"{path}?{query}")
        assert response.status_code < 500, f"{path}?{query[:80]}"


@pytest.mark.django_db
def test_hostile_query_covers_the_site():
    names = {name for name, _groups in public_routes()}
    assert {
        "knowledge:home",
        "knowledge:mission-list",
        "knowledge:mission-detail",
    } <= names


@pytest.fixture(autouse=True)
def _fresh_cache():
    """API throttling counts in the cache: each test starts with a clean slate."""
    cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"username": "a\x00b", "password": "x"},
        {"username": "x" * 100_000, "password": "y" * 100_000},
        {"username": "\ud800", "password": "\udfff"},
        {"username": ["a", "b"], "password": ""},
        {"unexpected": "1"},
    ],
    ids=["nul", "huge", "surrogates", "repeated", "missing"],
)
def test_the_login_form_answers_hostile_input_with_the_form(fields):
    client = Client(REMOTE_ADDR="192.0.2.1")
    data = {
        k: (
            v.encode("utf-8", "surrogatepass").decode("latin-1")
            if isinstance(v, str)
            else v
        )
        for k, v in fields.items()
    }
    response = client.post("/admin/login/", data)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_malformed_content_length_is_a_bad_request(client):
    response = client.generic(
        "POST", "/search/", b"x", CONTENT_TYPE="text/plain", CONTENT_LENGTH="12abc"
    )
    assert response.status_code == 400


# ------------------------------------------------------------------ database outage


@pytest.fixture
def outage_urls(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.core.urls_boom"
    return Client(raise_request_exception=False)


def test_a_database_outage_is_a_503_page_and_logged(outage_urls, caplog):
    response = outage_urls.get("/database-gone/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "Temporarily unavailable" in body
    assert "server closed the connection" not in body
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.levelname == "ERROR"
    assert record.exc_info[0].__name__ == "OperationalError"


def test_a_database_outage_under_the_api_is_a_json_503(outage_urls):
    response = outage_urls.get("/api/database-gone/")
    assert response.status_code == 503
    assert response.json() == {
        "status": 503,
        "code": "unavailable",
        "detail": "The database is unavailable; please try again shortly.",
    }


def test_other_errors_stay_a_plain_500(outage_urls):
    response = outage_urls.get("/boom/")
    assert response.status_code == 500
    assert "secret-detail" not in response.content.decode()


def test_api_errors_outside_the_views_keep_the_api_error_shape(outage_urls):
    """A 503 or 500 raised past DRF's handler still reads as the schema's Error."""
    from apps.knowledge.api.serializers import ErrorSerializer

    for path, status in (("/api/database-gone/", 503), ("/api/boom/", 500)):
        response = outage_urls.get(path)
        assert response.status_code == status
        body = response.json()
        assert body["status"] == status
        assert "secret-detail" not in response.content.decode()
        assert ErrorSerializer(data=body).is_valid(), body


# ------------------------------------------------------------------ failed loads


def snapshot():
    """Every knowledge row, serialised: equal snapshots mean an unchanged database."""
    from apps.knowledge.models import Citation
    from apps.knowledge.models import Classification
    from apps.knowledge.models import Country
    from apps.knowledge.models import MandateTask

    models = [*PAGE_MODELS, Citation, Classification, Country, MandateTask]
    return {
        model.__name__: serializers.serialize("json", model.objects.order_by("pk"))
        for model in models
    }


@pytest.mark.django_db(transaction=True)
def test_a_failed_load_leaves_the_database_exactly_as_it_was(tmp_path):
    """Loaded once, edited, then a load that fails late: nothing of it may stick.

    Transactional, so that on PostgreSQL the load's own transaction is the only one.
    """
    load_dataset(DATA)
    before = snapshot()
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    # Many valid changes first (every mission summary), then one error in the last
    # directory loaded, so that the failure comes after writes.
    for path in sorted((data / "missions").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace("\nsummary: ", "\nsummary: CHANGED ", 1), encoding="utf-8"
        )
    last = sorted((data / "comparison").glob("*.yaml"))[-1]
    last.write_text(
        last.read_text(encoding="utf-8") + "no_such_field: 1\n", encoding="utf-8"
    )
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_knowledge", str(data))
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "trace"])
def test_writing_to_a_page_that_only_reads_is_a_405_naming_its_methods(method):
    """Not Django's "CSRF verification failed" 403 page, which suggests a form."""
    client = Client(enforce_csrf_checks=True)
    records = sample_records()
    # Every public page: class-based views, and function views (the search page, the
    # citation downloads, robots.txt, the sitemap, the probes), with or without a token.
    paths = [
        path
        for name, groups in public_routes()
        if not name.startswith("api:")
        and (path := fill(name, groups, records)) is not None
    ]
    assert {"/", "/search/", "/sitemap.xml", "/robots.txt", "/readyz"} <= set(paths)
    assert any(path.startswith("/cite/") for path in paths)
    for path in paths:
        response = getattr(client, method)(path)
        assert response.status_code == 405, path
        assert response["Allow"] == "GET, HEAD"
        assert "is not allowed here; this page answers GET, HEAD" in (
            response.content.decode()
        )
        # Past the CSRF check (a client that does not enforce it): the same 405.
        response = getattr(Client(), method)(path)
        assert response.status_code == 405, path
        assert "this page answers GET, HEAD" in response.content.decode(), path
    # A form that does take a POST still refuses a missing token, as before.
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "CSRF" in response.content.decode()
