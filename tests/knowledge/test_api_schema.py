"""The OpenAPI schema: generated without warnings, served with its docs from our own
static files, and honoured by every operation (schemathesis fuzzes them all)."""

import re
from collections import Counter

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished
from django.core.signals import request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from jsonschema import Draft7Validator
from rest_framework.authtoken.models import Token
from schemathesis.checks import CHECKS as CHECKS_REGISTRY
from schemathesis.checks import load_all_checks
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode

from apps.knowledge.api import export
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
    # The pages head the country facet "Country" (they show names); the parameter
    # takes codes, and its documentation says which.
    for name in ("missions", "cases"):
        parameters = paths[f"/api/v1/{name}/"]["get"]["parameters"]
        country = next(p for p in parameters if p["name"] == "country")
        assert "ISO 3166-1 alpha-2" in country["description"], name
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


@pytest.mark.parametrize("method", ["options", "post", "delete"])
def test_the_docs_page_answers_other_methods_with_a_405(client, method):
    """The page's only renderer is its template: DRF's OPTIONS answer (the view's
    metadata) had no template to render and was a 500."""
    response = getattr(client, method)("/api/v1/docs/")
    assert response.status_code == 405
    assert b"Method Not Allowed" in response.content


# --------------------------------------------------------------------------- fuzzing


load_all_checks()

# Refusals of schema-valid requests that only the stored data can decide, which no schema
# can express: a filter value or related record that does not exist (the API must say
# so: #15 item 2), an If-Match that is not the record's current ETag, and a user name and
# password that are not an account's (RFC 6749, 5.2: 400). Any other refusal of valid
# data still fails positive_data_acceptance.
DATA_DEPENDENT = re.compile(
    r"^(Unknown value\(s\): .*|Object with (slug|code)=.* does not exist\."
    r"|Unable to log in with provided credentials\.)$",
    re.DOTALL,
)


def _messages(errors):
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    if isinstance(errors, list):
        return [m for value in errors for m in _messages(value)]
    return [str(errors)]


def refused_for_the_data_only(response):
    try:
        body = response.json()
    except ValueError:
        return False
    if response.status_code == 412:
        return body.get("code") == "precondition_failed"
    if response.status_code != 400 or body.get("code") != "invalid":
        return False
    messages = _messages(body.get("errors", {}))
    return bool(messages) and all(DATA_DEPENDENT.match(m) for m in messages)


def body_is_schema_valid(case):
    """Whether a generated body really is valid: schemathesis also fills string slots
    with values harvested elsewhere (the word "bar_height" for a Wikidata id), which
    can break the field's pattern. `nullable` is OpenAPI's, not JSON Schema's: a body
    with nulls counts as invalid here, and is not judged."""
    raw = case.operation.schema.raw_schema
    operation = raw["paths"][case.operation.path][case.method.lower()]
    content = operation.get("requestBody", {}).get("content", {})
    body = getattr(case, "body", None)
    if "application/json" not in content or not isinstance(body, dict | list):
        return True
    schema = {**content["application/json"]["schema"], "components": raw["components"]}
    return Draft7Validator(schema).is_valid(body)


def positive_data_acceptance(ctx, response, case):
    if refused_for_the_data_only(response) or not body_is_schema_valid(case):
        return None
    return CHECKS_REGISTRY.get_one("positive_data_acceptance")(ctx, response, case)


# Every check schemathesis has (`--checks all`), positive_data_acceptance as above.
CHECKS = [
    positive_data_acceptance if check.__name__ == "positive_data_acceptance" else check
    for check in CHECKS_REGISTRY.get_all()
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


@pytest.mark.parametrize("who", ["anonymous", "curator"])
def test_every_operation_honours_the_schema(settings, request, wsgi_app, who):
    """schemathesis generates requests for every operation of the live schema (valid and
    invalid ones) and runs every check it has: no server error, no undocumented status,
    header or content type, no response that breaks the schema, invalid data refused and
    valid data accepted, declared methods and authentication honoured. Bounded to a few
    examples an operation (about a minute for both modes on either database)."""
    # The fuzzer is one client making many requests: lift the throttle.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
    }
    mission = factories.MissionFactory(slug="unef-i")
    mission.cases.add(factories.CaseFactory(slug="suez-crisis"))
    factories.NormFactory(slug="consent")
    factories.ComparisonRowFactory(slug="consent-row")
    # The stored version a background build leaves after a publish (/export/latest/).
    export.store_current_version()
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app)
    headers = {}
    if who == "curator":
        # A curator's token (who may also publish) reaches the write paths.
        key = Token.objects.create(user=request.getfixturevalue("editor")).key
        headers = {"Authorization": f"Token {key}"}
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        # Revoking the token would end the curator's run (the issue leaves it out).
        if not (who == "curator" and result.ok().label == "DELETE /api/v1/auth/token/")
    ]
    statuses = Counter()
    failures = {}
    assert len(operations) > 60  # every endpoint, read and write

    def fuzz(operation, mode):
        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=3,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            try:
                response = case.call_and_validate(checks=CHECKS, headers=headers)
            except (AssertionError, FailureGroup) as failure:  # all, not the first
                failures.setdefault(f"{operation.label} {mode.value}", str(failure))
                return
            statuses[case.method.upper(), response.status_code] += 1

        try:
            check()
        except Unsatisfiable:
            # Nothing to make invalid (no parameters and no body): nothing to test.
            assert mode == GenerationMode.NEGATIVE, operation.label

    for operation in operations:
        fuzz(operation, GenerationMode.POSITIVE)
        fuzz(operation, GenerationMode.NEGATIVE)
    assert not failures, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
    writes = {code for (method, code) in statuses if method in {"POST", "PUT", "PATCH"}}
    if who == "curator":  # the token worked: writes were validated, not just refused
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


# --------------------------------------------------------------------------- what the fuzzer found


def test_the_schema_says_what_the_server_refuses(api):
    """Found by schemathesis's positive and negative checks: the schema and the server
    agree on extra body fields, field names, text, slugs, web addresses and bounds."""
    import re as regex

    schema = api.get("/api/v1/schema/?format=json").json()
    components = schema["components"]["schemas"]
    mission = components["MissionRequest"]
    assert mission["additionalProperties"] is False
    assert "additionalProperties" not in components["TokenRequestRequest"]
    assert regex.match(mission["properties"]["name"]["pattern"], "UNEF\u0016") is None
    documents = components["DocumentRequest"]["properties"]
    assert documents["issuer"]["pattern"] == "^[-a-zA-Z0-9_]+$"
    wikidata = next(o for o in documents["wikidata"]["oneOf"] if "pattern" in o)
    assert regex.match(wikidata["pattern"], "Q1065")
    assert regex.match(wikidata["pattern"], "}3y") is None
    web = next(o for o in documents["official_url"]["oneOf"] if "pattern" in o)
    assert regex.match(web["pattern"], "knowledge:sitemap") is None
    assert regex.match(web["pattern"], "https://www.un.org/en/ga/")
    parameters = {
        p["name"]: p for p in schema["paths"]["/api/v1/missions/"]["get"]["parameters"]
    }
    fields = parameters["fields"]["schema"]["pattern"]
    assert regex.match(fields, "slug, name,url")
    assert regex.match(fields, "concepts") is None
    search = {
        p["name"]: p for p in schema["paths"]["/api/v1/search/"]["get"]["parameters"]
    }
    assert search["page"]["schema"]["maximum"] == 1000
    assert regex.match(search["type"]["schema"]["pattern"], "mission, norm")
    history = schema["paths"]["/api/v1/missions/{slug}/history/"]["get"]
    answer = history["responses"]["200"]["content"]["application/json"]["schema"]
    # Paged like every list (issue 13: a record's published versions can be many).
    assert answer["$ref"].endswith("/PaginatedHistoryVersionList")
    assert "country" not in {p["name"] for p in history.get("parameters", [])}
    # With ?fields= a row has only what was asked for: nothing is required.
    assert "required" not in components["MissionList"]


def _refs_with_siblings(node, path="#"):
    if isinstance(node, dict):
        if "$ref" in node and len(node) > 1:
            yield path
        for key, value in node.items():
            yield from _refs_with_siblings(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _refs_with_siblings(value, f"{path}/{index}")


def test_nullable_links_keep_their_nullable_where_openapi_3_0_reads_it(api):
    """OpenAPI 3.0 ignores a $ref's siblings: `{$ref, nullable: true}` reads as "never
    null", and a generated client then fails on a mission without a lead state. A
    nullable link is `allOf: [{$ref}]` with `nullable` beside the allOf."""
    schema = api.get("/api/v1/schema/?format=json").json()
    assert schema["openapi"].startswith("3.0")
    assert list(_refs_with_siblings(schema)) == []
    components = schema["components"]["schemas"]
    lead_state = components["Mission"]["properties"]["lead_state"]
    assert lead_state == {
        "allOf": [{"$ref": "#/components/schemas/Summary"}],
        "nullable": True,
    }


def test_the_server_refuses_what_the_schema_refuses(api):
    factories.MissionFactory(slug="unef-i")
    assert api.get("/api/v1/missions/?fields=concepts").status_code == 400
    empty = api.get("/api/v1/citations/?format=")
    assert empty.status_code == 404
    assert empty.json()["code"] == "not_found"
    assert api.get("/api/v1/missions/?page_size=").status_code == 400


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("https://www.peaceagreements.org/wview/1234/", 201),
        ("https://un.org/en/ga/search/view_doc.asp?symbol=A/RES/2625%28XXV%29", 201),
        ("http://a.example.org/m`_Y7Y@", 400),  # Django alone took it; URIs cannot
        (" https://un.org/", 400),
        ("knowledge:sitemap", 400),
    ],
)
def test_web_addresses_are_what_uri_parsers_read(as_curator, address, code):
    response = as_curator.post(
        "/api/v1/documents/",
        {
            "slug": "doc",
            "title": "A document",
            "kind": "agreement",
            "official_url": address,
        },
        format="json",
    )
    assert response.status_code == code, response.content


def test_list_rows_declare_what_include_embeds(api):
    """`?include=classifications` adds a key to each row: the row's component declares
    it (not required), or a generated client keeps it as undeclared, untyped data."""
    factories.MissionFactory(slug="unef-i")
    factories.CaseFactory(slug="suez-crisis")
    schema = api.get("/api/v1/schema/?format=json").json()
    components = schema["components"]["schemas"]
    checked = 0
    for path, operations in schema["paths"].items():
        operation = operations.get("get", {})
        include = next(
            (p for p in operation.get("parameters", ()) if p["name"] == "include"), None
        )
        if include is None:
            continue
        page_ref = operation["responses"]["200"]["content"]["application/json"]
        page = components[page_ref["schema"]["$ref"].rpartition("/")[2]]
        row_ref = page["properties"]["results"]["items"]["$ref"].rpartition("/")[2]
        row = components[row_ref]
        for value in include["schema"]["enum"]:
            assert value in row["properties"], (path, value)
            assert value not in row.get("required", ()), (path, value)
            rows = api.get(f"{path}?include={value}").json()["results"]
            assert rows and all(set(r) <= set(row["properties"]) for r in rows), path
            checked += 1
    assert checked == 2
