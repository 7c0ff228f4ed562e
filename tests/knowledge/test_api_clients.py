"""The API under clients nobody here wrote: OPTIONS on citation formats, strict writes,
conflicts, and a clear word after a login lockout."""

import json
import re
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests import factories

from .test_api_write import NORMS
from .test_api_write import norm_payload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_cache_cleared")]


@pytest.mark.parametrize("fmt", ["", "csl-json", "bibtex", "ris"])
def test_options_on_citation_endpoints_describe_them(api, fmt):
    source = factories.SourceFactory(slug="flynn")
    factories.MissionFactory(slug="unef")
    query = f"?format={fmt}" if fmt else ""
    for url in (
        reverse("api:source-cite", kwargs={"slug": source.slug}),
        reverse("api:mission-cite", kwargs={"slug": "unef"}),
        reverse("api:mission-references", kwargs={"slug": "unef"}),
        reverse("api:source-bibliography"),
    ):
        response = api.options(url + query)
        assert response.status_code == 200, (url, response.content)
        assert response.json()["name"]


def test_unknown_fields_are_refused(as_curator):
    source = factories.SourceFactory()
    response = as_curator.post(NORMS, norm_payload(source, colour="red"), format="json")
    assert response.status_code == 400
    assert "colour" in response.json()["errors"]
    nested = norm_payload(source)
    nested["citations"][0]["pgae"] = "12"
    response = as_curator.post(NORMS, nested, format="json")
    assert response.status_code == 400
    assert "pgae" in str(response.json()["errors"]["citations"])


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "Respon\u0016sibility"), ("name", "Two\nlines"), ("summary", "A\x00b")],
)
def test_control_characters_are_refused(as_curator, field, value):
    response = as_curator.post(
        NORMS, norm_payload(factories.SourceFactory(), **{field: value}), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]


def post_json(client, url, payload):
    """A JSON body as a client's json.dumps writes it: a lone surrogate as a \\u escape."""
    return client.post(url, json.dumps(payload), content_type="application/json")


@pytest.mark.parametrize("text", ["a\x00b", "\ud800"])
@pytest.mark.parametrize("field", ["conception", "related", "citations"])
def test_a_nul_or_a_lone_surrogate_is_refused_in_any_field(as_curator, field, text):
    """No text can hold NUL (PostgreSQL refuses it) or a lone surrogate (no UTF-8
    encodes it): in a slug PostgreSQL's refusal was a 500; in a choice, so was the
    error message that quoted the value back."""
    values = {
        "conception": text,  # a choice
        "related": [text],  # other records' slugs
        "citations": [{"source": text, "claim": "summary", "locator": "1"}],
    }
    payload = norm_payload(factories.SourceFactory(), **{field: values[field]})
    response = post_json(as_curator, NORMS, payload)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_lone_surrogate_in_a_field_name_is_refused(as_curator):
    payload = norm_payload(factories.SourceFactory(), **{"\ud800": 1})
    response = post_json(as_curator, NORMS, payload)
    assert response.status_code == 400
    assert response.json()["errors"]


def test_line_breaks_stay_allowed_in_long_text(as_curator):
    summary = "States must protect their people.\n\nOthers may step in if they fail."
    response = as_curator.post(
        NORMS, norm_payload(factories.SourceFactory(), summary=summary), format="json"
    )
    assert response.status_code == 201, response.content


def test_a_duplicate_slug_is_a_409(as_curator):
    factories.NormFactory(slug="responsibility-to-protect")
    response = as_curator.post(
        NORMS, norm_payload(factories.SourceFactory()), format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_the_token_endpoint_says_the_account_is_locked(curator):
    client = Client(REMOTE_ADDR="203.0.113.21")
    url = reverse("api:token")
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "curator", "password": "guess"})
    response = client.post(url, {"username": "curator", "password": "pw-curator-1"})
    assert response.status_code == 429
    assert "locked" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0


@pytest.mark.parametrize("body", ["[null, null]", '"curator"', "42", "null", "[]"])
def test_the_token_endpoint_refuses_a_body_that_is_not_an_object(api, body):
    response = api.post(reverse("api:token"), body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["code"]


# --------------------------------------------------------------------------- schema


@pytest.fixture
def schema(api):
    response = api.get(
        "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_public_reads_declare_anonymous_access(schema):
    for path, method, operation in _operations(schema):
        if method == "get":
            assert {} in operation.get("security", [{}]), path


def test_operation_ids_are_unique_and_the_export_index_is_kept(schema):
    ids = [operation["operationId"] for _, _, operation in _operations(schema)]
    assert len(ids) == len(set(ids))
    assert {"export_index", "export_file"} <= set(ids)


def test_record_writes_take_json_only(schema, as_curator):
    for path, method, operation in _operations(schema):
        if method in ("post", "put", "patch") and "auth/token" not in path:
            body = operation.get("requestBody", {}).get("content", {})
            assert set(body) <= {"application/json"}, (path, method)
    source = factories.SourceFactory()
    response = as_curator.post(NORMS, {"slug": "x", "name": "X", "source": source.slug})
    assert response.status_code == 415
    assert response.json()["status"] == 415


def test_parameters_have_bounds_and_headers_are_documented(schema):
    missions = schema["paths"]["/api/v1/missions/"]["get"]
    parameters = {p["name"]: p["schema"] for p in missions["parameters"]}
    assert parameters["page"]["minimum"] == 1
    assert parameters["page_size"]["maximum"] == 100
    assert "none" in parameters["decade"]["items"]["pattern"]
    headers = missions["responses"]["200"]["headers"]
    assert {"ETag", "Last-Modified", "Link"} <= set(headers)
    assert "Retry-After" in missions["responses"]["429"]["headers"]
    search = schema["paths"]["/api/v1/search/"]["get"]
    assert {p["name"]: p["schema"] for p in search["parameters"]}["q"]["minLength"] == 1
    export = schema["paths"]["/api/v1/export/{name}.{fmt}"]["get"]
    assert "X-Dataset-Version" in export["responses"]["200"]["headers"]


def test_every_operation_declares_the_answers_any_request_may_get(schema):
    """A generated client parses what it was told of: 503 (database down or a query
    over the statement timeout), 500 and 429 everywhere, 304 on every read."""
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        for code in ("429", "500", "503"):
            content = responses[code]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/Error"}, (path, code)
        assert "Retry-After" in responses["503"]["headers"], path
        if method == "get":
            assert "content" not in responses["304"], path
            assert "ETag" in responses["304"]["headers"], path


def test_a_503_from_an_api_operation_is_the_declared_error(schema, settings):
    from django.db.utils import OperationalError
    from jsonschema import Draft7Validator

    from apps.knowledge.api.views import MissionViewSet

    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    with mock.patch.object(
        MissionViewSet, "list", side_effect=OperationalError("canceling statement")
    ):
        response = client.get(reverse("api:mission-list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    declared = schema["paths"]["/api/v1/missions/"]["get"]["responses"]["503"]
    validator = Draft7Validator(
        {**declared["content"]["application/json"]["schema"], **schema}
    )
    assert list(validator.iter_errors(response.json())) == []
    assert response.json()["code"] == "unavailable"


def test_the_fields_parameter_is_offered_where_the_server_reads_it(schema, api):
    """A client that sends `fields` where the schema offers it gets only those fields,
    and a 400 for a name that is not one; where the server would ignore it (a record's
    citation, references and history), the schema does not offer it."""
    slugs = {
        reverse(f"api:{name}-list").split("/")[3]: factory().slug
        for name, factory in factories.RECORD_FACTORIES.items()
    }
    offered = set()
    for path, method, operation in _operations(schema):
        parameters = {p["name"]: p for p in operation.get("parameters", [])}
        if method != "get" or "fields" not in parameters:
            continue
        if "{id}" in path:
            continue  # a citation or classification: read like their lists below
        offered.add(re.sub(r"^/api/v1/[^/]+/", "/", path))
        url = path.replace("{slug}", slugs.get(path.split("/")[3], ""))
        assert api.get(url + "?fields=no_such_field").status_code == 400, url
        pattern = parameters["fields"]["schema"]["pattern"]
        first = re.search(r"\(\?:([a-z_]+)\|", pattern).group(1)
        body = api.get(f"{url}?fields={first}").json()
        assert set(body["results"][0] if "results" in body else body) == {first}, url
    assert offered == {"/", "/{slug}/"}


def test_a_nul_byte_gets_the_json_error_shape(api):
    response = api.get("/api/v1/missions/?q=%00")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_bearer_tokens_work_like_token_and_other_schemes_are_refused(editor):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    factories.MissionFactory(slug="hidden", draft=True)
    key = Token.objects.create(user=editor).key
    client = APIClient()
    url = reverse("api:mission-detail", kwargs={"slug": "hidden"})
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get(url).status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Bearer wrong")
    assert client.get(url).status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Basic {key}")
    assert client.get(url).status_code == 401


# --------------------------------------------------------------------------- ergonomics


def test_rate_limit_headers_and_304s_are_not_counted(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "10/minute", "user": "20/minute"},
    }
    factories.NormFactory()
    url = reverse("api:norm-list")
    first = api.get(url)
    assert first["X-RateLimit-Limit"] == "10"
    assert first["X-RateLimit-Remaining"] == "9"
    assert 0 < int(first["X-RateLimit-Reset"]) <= 60
    for _ in range(3):
        again = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
    assert api.get(url)["X-RateLimit-Remaining"] == "8"  # the 304s were free
    assert api.get("/api/v1/no-such-thing/").status_code == 404


def test_anonymous_reads_may_be_cached_and_revalidated(api, as_reader):
    factories.NormFactory()
    url = reverse("api:norm-list")
    public = api.get(url)["Cache-Control"]
    assert "public" in public and "must-revalidate" in public
    assert "private" in as_reader.get(url)["Cache-Control"]


def test_cors_allows_conditional_request_headers(api):
    response = api.options(
        reverse("api:norm-list"),
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match, if-modified-since",
    )
    allowed = response["Access-Control-Allow-Headers"].lower()
    assert "if-none-match" in allowed and "if-modified-since" in allowed


def test_search_is_paged_with_a_total(api):
    for i in range(7):
        factories.NormFactory(slug=f"consent-{i}", name=f"Consent {i}")
    first = api.get("/api/v1/search/?q=consent&page_size=3").json()
    assert first["count"] == 7
    assert len(first["results"]) == 3 and first["previous"] is None
    seen = [hit["slug"] for hit in first["results"]]
    url = first["next"]
    while url:
        page = api.get(url).json()
        seen += [hit["slug"] for hit in page["results"]]
        url = page["next"]
    assert sorted(seen) == [f"consent-{i}" for i in range(7)]
    assert api.get("/api/v1/search/?q=consent&page=0").status_code == 400
    assert api.get("/api/v1/search/?q=consent&page=9").status_code == 404


def test_list_rows_include_classifications_on_request(
    api, django_assert_max_num_queries
):
    factories.MissionFactory.create_batch(3)
    url = reverse("api:mission-list")
    assert "classifications" not in api.get(url).json()["results"][0]
    api.get(url + "?include=classifications")  # warm the caches of the first call
    with django_assert_max_num_queries(12):
        rows = api.get(url + "?include=classifications").json()["results"]
    assert len(rows) == 3
    (judgement,) = rows[0]["classifications"]
    assert judgement["value"] == "westphalian"
    assert judgement["citations"][0]["locator"] == "512"
    assert api.get(url + "?include=everything").status_code == 400


def test_updated_since_on_every_record_list(api):
    import datetime

    from apps.knowledge.registry import filtersets

    old = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    factories.NormFactory(slug="old-norm")
    factories.NormFactory(slug="new-norm")
    factories.SourceFactory(slug="old-source")
    for model in filtersets():
        model.objects.filter(slug__startswith="old").update(updated_at=old)
    response = api.get(reverse("api:norm-list") + "?updated_since=2021-01-01")
    assert [row["slug"] for row in response.json()["results"]] == ["new-norm"]
    for model in filtersets():
        name = model._meta.model_name
        response = api.get(
            reverse(f"api:{name}-list") + "?updated_since=2021-01-01T00:00:00Z"
        )
        assert response.status_code == 200, name
        assert not [
            r for r in response.json()["results"] if r["slug"].startswith("old")
        ]
    bad = api.get(reverse("api:norm-list") + "?updated_since=yesterday")
    assert "updated_since" in bad.json()["errors"]


def test_history_lists_published_versions_only(api, editor):
    from apps.knowledge import services
    from tests.knowledge.workflow.edits import edit

    norm = factories.NormFactory(slug="consent", name="Consent", draft=True)
    edit(norm, user=editor, name="Consent, drafted again")
    services.record_publish(record=norm, user=editor)
    edit(norm, user=editor, curator_note="internal", name="Consent of the host")
    url = reverse("api:norm-history", kwargs={"slug": "consent"})
    versions = api.get(url).json()["results"]
    assert [v["data"]["name"] for v in versions] == [
        "Consent of the host",
        "Consent, drafted again",
    ]
    assert "curator_note" not in versions[0]["data"]
    assert b"internal" not in api.get(url).content
    factories.NormFactory(slug="hidden", draft=True)
    assert (
        api.get(reverse("api:norm-history", kwargs={"slug": "hidden"})).status_code
        == 404
    )


def test_public_answers_are_gzipped_and_private_ones_are_not(api, as_reader):
    import gzip

    factories.NormFactory.create_batch(30)
    url = reverse("api:norm-list") + "?page_size=100"
    public = api.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert public["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(public.content))["count"] == 30
    private = as_reader.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert not private.has_header("Content-Encoding")
