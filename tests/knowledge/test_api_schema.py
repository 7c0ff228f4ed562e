"""The OpenAPI schema: generated without warnings, served with its docs from our own
static files, and honoured by every operation (schemathesis fuzzes them all)."""

from collections import Counter

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.generation import GenerationMode

from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_cache_cleared")]


def test_schema_generates_without_warnings(tmp_path):
    # --fail-on-warn makes any warning (unnamed enum, unresolved field...) an error.
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yaml"),
    )


def test_schema_documents_every_filter_and_the_error_shape(api):
    from apps.knowledge.registry import filtersets

    schema = api.get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    for model, filterset in filtersets().items():
        name = model._meta.verbose_name_plural.replace(" ", "-")
        operation = paths[f"/api/v1/{name}/"]["get"]
        documented = {p["name"] for p in operation["parameters"]}
        assert set(filterset.base_filters) <= documented, name
        assert {"page", "page_size", "fields"} <= documented
        assert "Error" in str(operation["responses"]["400"])
    update = paths["/api/v1/norms/{slug}/"]["patch"]
    assert "If-Match" in {p["name"] for p in update["parameters"]}
    assert {"412", "428"} <= set(update["responses"])
    enums = schema["components"]["schemas"]
    for name in [
        "ConceptionEnum",
        "NormConceptionEnum",
        "HostConsentEnum",
        "ClaimEnum",
    ]:
        assert name in enums


def test_docs_are_served_without_a_cdn(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "swagger" in content.lower()
    assert "cdn" not in content.lower()
    assert "//unpkg" not in content and "jsdelivr" not in content
    assert "/static/drf_spectacular_sidecar/" in content


# --------------------------------------------------------------------------- fuzzing


CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


@pytest.fixture
def wsgi_app(settings):
    """The real WSGI application, minus what the test client also switches off: closing
    the database connection at the end of each request (the test's transaction), and
    gzip, which HTTP clients undo but schemathesis's WSGI calls do not."""
    settings.MIDDLEWARE = [
        m
        for m in settings.MIDDLEWARE
        if m != "apps.core.middleware.PublicGZipMiddleware"
    ]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("who", ["anonymous", "editor"])
def test_every_operation_honours_the_schema(settings, request, wsgi_app, who):
    """schemathesis generates requests for every operation of the live schema (valid and
    invalid ones): no server error, no undocumented status or content type, no response
    that breaks the schema. Bounded to a few examples an operation."""
    # The fuzzer is one anonymous client making many requests: lift the throttle.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
    }
    mission = factories.MissionFactory(slug="unef-i")
    mission.cases.add(factories.CaseFactory(slug="suez-crisis"))
    factories.NormFactory(slug="consent")
    factories.ComparisonRowFactory(slug="consent-row")
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app)
    headers = {}
    if who == "editor":
        # An editor's token reaches the write paths: validation, services, If-Match.
        key = Token.objects.create(user=request.getfixturevalue("editor")).key
        headers = {"Authorization": f"Token {key}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    statuses = Counter()
    assert len(operations) > 60  # every endpoint, read and write

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis_settings(
                max_examples=3,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case):
                response = case.call_and_validate(checks=CHECKS, headers=headers)
                statuses[case.method.upper(), response.status_code] += 1

            try:
                check()
            except Unsatisfiable:
                # Nothing to make invalid (no parameters and no body): nothing to test.
                assert mode == GenerationMode.NEGATIVE, operation.label
    writes = {code for (method, code) in statuses if method in {"POST", "PUT", "PATCH"}}
    if who == "editor":  # the token worked: writes were validated, not just refused
        assert writes & {200, 201, 400, 412, 428}, statuses
    else:  # refused (400 is the token endpoint's answer to wrong credentials)
        assert not writes & {200, 201, 204}, statuses


def test_populated_responses_match_the_schema(wsgi_app, settings):
    """The fuzzer rarely guesses a real slug: check real, fully populated answers too."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
    }
    un = factories.OrganisationFactory(slug="un")
    case = factories.CaseFactory(slug="suez-crisis")
    mission = factories.MissionFactory(slug="unef-i", authorising_body=un)
    mission.organisations.add(un)
    mission.cases.add(case)
    document = factories.DocumentFactory(slug="res-1000", issuer=un)
    mission.authorised_by.add(document)
    factories.NormFactory(slug="consent")
    factories.ConceptFactory(slug="liberal-peace")
    factories.ComparisonRowFactory(slug="consent-row")
    source = factories.SourceFactory(slug="flynn-farrell-1999")
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app)
    slugs = {
        "missions": "unef-i",
        "cases": "suez-crisis",
        "norms": "consent",
        "documents": "res-1000",
        "organisations": "un",
        "concepts": "liberal-peace",
        "sources": source.slug,
        "comparison-rows": "consent-row",
    }
    calls = [("/api/v1/compare/", {}, {}), ("/api/v1/export/", {}, {})]
    calls.append(("/api/v1/compare/records/", {}, {"ids": "unef-i,case:suez-crisis"}))
    calls.append(("/api/v1/search/", {}, {"q": "mission"}))
    calls.append(("/api/v1/citations/", {}, {}))
    calls.append(("/api/v1/classifications/", {}, {}))
    for plural, slug in slugs.items():
        calls.append((f"/api/v1/{plural}/", {}, {}))
        calls.append((f"/api/v1/{plural}/{{slug}}/", {"slug": slug}, {}))
        calls.append((f"/api/v1/{plural}/{{slug}}/cite/", {"slug": slug}, {}))
    for path, path_parameters, query in calls:
        case = schema[path]["GET"].Case(path_parameters=path_parameters, query=query)
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code == 200, (path, response.text[:300])
