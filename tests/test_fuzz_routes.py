"""A bounded fuzz of every public route, page and API, with every parameter it takes.

The routes come from the URL configuration (tests/core/public_urls.py) and each route's
parameters from its view (the FilterSet's filters, the API's list parameters) and from the
OpenAPI schema, so a new route or filter is fuzzed without anyone adding it here. Each
parameter gets every hostile value, one at a time (a 400 for one value cannot hide a
500 for another), then every route gets all known parameters at once, unknown ones,
repeated ones and hostile headers. Deterministic: about 8,000 requests, a minute.

Under production toggles (DEBUG off, HTTPS only), anonymous, with a draft of every kind
linked to the published records. Every answer must be below 500, carry no draft text
and render no hostile markup; a 4xx must say what was wrong.
"""

import json
import logging
import re
import urllib.parse

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import NoReverseMatch
from django.urls import resolve
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.views import APIView

from apps.core.pagecache import KNOWN_PARAMETERS
from apps.knowledge.api import export
from apps.knowledge.api.filters import LIST_PARAMETERS
from apps.knowledge.models import Citation
from tests.core.public_urls import fill
from tests.core.public_urls import public_routes
from tests.core.public_urls import sample_records
from tests.factories import PAGE_FACTORIES
from tests.factories import CaseFactory
from tests.factories import ConceptFactory
from tests.factories import DocumentFactory
from tests.factories import MissionFactory
from tests.factories import NormFactory
from tests.factories import OrganisationFactory
from tests.factories import SourceFactory

# In every draft's visible text; must appear in no public answer.
SECRET = "Zanzibarquux"
DRAFT_SLUG = "draft-fuzz-record"

# Hostile values, percent-encoded as they go on the wire. Each is sent to each parameter.
VALUES = [
    "",
    "0",
    "-1",
    "5",  # the decade of year 0
    "99999999999999999999999999",
    "1e309",
    "NaN",
    ",",
    "1990,,abc,",
    "%ED%A0%80",  # a lone surrogate, UTF-8-encoded as if it were a character
    "%FF%FE",  # bytes that are not UTF-8
    "%F0%9F%92%A3%E2%80%AE%CC%81",  # emoji, right-to-left override, combining mark
    "x" * 3000,
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "%27%20OR%201%3D1--%20%22%3B",
    "0001-01-01T00:00:00%2B14:00",  # the earliest date, then moved back by an offset
    "9999-12-31T23:59:59-14:00",  # the latest, moved forward
    "0000-00-00",
    "2024-02-30T25:61:00%2B99:99",
    "-__class__",
    DRAFT_SLUG,
    "[]",
]
# Sent with every request of the header sweep: a browser, a tool, and nonsense.
HEADERS = [
    {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"},
    {"HTTP_ACCEPT": "application/json; indent=999999999"},
    {"HTTP_ACCEPT": "application/x-bibtex, text/csv;q=abc, */*;q=-1"},
    {"HTTP_ACCEPT": "garbage/" + "x" * 2000},
    {"HTTP_IF_NONE_MATCH": '"' + "x" * 500 + '", W/"", *, ,,,'},
    {"HTTP_IF_NONE_MATCH": "not-an-etag", "HTTP_IF_MODIFIED_SINCE": "yesterday"},
    {"HTTP_RANGE": "bytes=99999999999999999999-", "HTTP_IF_RANGE": "garbage"},
    {"HTTP_RANGE": "bytes=-1,0-0,5-2", "HTTP_ACCEPT_LANGUAGE": "%ED%A0%80;q=x"},
    {"HTTP_HOST": "evil.example:99999"},
    {"HTTP_X_FORWARDED_FOR": "%ED, ::::, 999.1.1.1", "HTTP_X_FORWARDED_HOST": "x"},
]
# Put in place of each part of a route's path that the route's pattern lets through.
PATH_VALUES = [
    "0",
    "99999999999999999999",
    "-",
    "x" * 2000,
    DRAFT_SLUG,
    "\u00e9t\u00e9-\U0001f4a3",
    "json.json",
    "..",
    "a\x00b",
]
# Parameters no view declares that a hand-written view might read anyway, and nonsense.
EXTRA_PARAMETERS = {"limit", "offset", "cursor", "sort", "lang", "callback", "x[]"}
# Generating the schema takes a third of a second: a few requests there.
EXPENSIVE = {"api:schema", "api:docs"}
# How many values a parameter gets when its view's filter was fuzzed on another route.
FEW = 4


def schema_parameters():
    """{path regex: query parameter names} for every GET operation of the API schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = {}
    for template, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        found[re.compile(pattern + r"\Z")] = {
            parameter["name"]
            for parameter in operations["get"].get("parameters", [])
            if parameter["in"] == "query"
        }
    return found


def view_of(path):
    """An instance of the view class that answers `path`, as its URL pattern makes it
    (a view's filters may depend on its arguments, such as the model it lists)."""
    func = resolve(path).func
    if hasattr(func, "view_class"):  # Django's class-based views
        return func.view_class(**func.view_initkwargs)
    if hasattr(func, "cls"):  # DRF's
        return func.cls(**getattr(func, "initkwargs", {}))
    return None


def declared_parameters(path, from_schema):
    """The query parameters the view at `path` declares it takes."""
    view = view_of(path)
    names = set()
    filterset = getattr(view, "filterset_class", None)
    if filterset is not None:
        names |= set(filterset.base_filters)
    if isinstance(view, APIView):
        names |= LIST_PARAMETERS | set(getattr(view, "list_parameters", ()))
    for pattern, parameters in from_schema.items():
        if pattern.match(path):
            names |= parameters
    return names


def drafts_linked_to(records):
    """A draft of every kind, its text marked with SECRET, linked to published records
    (so that a filter, a facet, a count or a list could give it away)."""
    mission = records["mission"]
    text = {"summary": f"{SECRET} draft summary."}
    case = CaseFactory(draft=True, slug=DRAFT_SLUG, name=f"{SECRET} case", **text)
    drafts = [
        case,
        MissionFactory(draft=True, name=f"{SECRET} mission", **text),
        NormFactory(draft=True, name=f"{SECRET} norm", **text),
        DocumentFactory(draft=True, title=f"{SECRET} document", **text),
        OrganisationFactory(draft=True, name=f"{SECRET} org", **text),
        ConceptFactory(draft=True, term=f"{SECRET} concept", **text),
    ]
    mission.cases.add(case)
    mission.norms.add(drafts[2])
    mission.authorised_by.add(drafts[3])
    mission.organisations.add(drafts[4])
    drafts[5].missions.add(mission)
    source = SourceFactory(draft=True, title=f"{SECRET} source")
    Citation.objects.create(target=mission, source=source, locator="512")
    return drafts


class Findings:
    """Every failed expectation, so that one run reports them all."""

    def __init__(self, client=None, drafts_visible=False):
        self.client = client or Client()
        self.drafts_visible = drafts_visible
        self.problems = []
        self.requests = 0

    def get(self, url, **headers):
        self.requests += 1
        try:
            response = self.client.get(url, secure=True, **headers)
        except Exception as exc:  # the test client re-raises a view's exception
            self.problems.append(f"{url[:160]} {headers}: 500 {exc!r:.200}")
            return None
        self.check(url, headers, response)
        return response

    def check(self, url, headers, response):
        where = f"{url[:160]} {headers or ''}"
        status = response.status_code
        body = b"" if response.streaming else response.content
        if status >= 500:
            self.problems.append(f"{where}: {status} {body[:200]!r}")
        if SECRET.encode() in body and not self.drafts_visible:
            self.problems.append(f"{where}: draft text in a {status} answer")
        content_type = response.get("Content-Type", "")
        if "html" in content_type and b"<script>alert(1)" in body:
            self.problems.append(f"{where}: hostile markup rendered")
        if 400 <= status < 500 and status != 404 and not body.strip():
            self.problems.append(f"{where}: {status} without a word of explanation")
        if 400 <= status < 500 and "json" in content_type:
            try:
                answer = json.loads(body)
            except ValueError:
                self.problems.append(f"{where}: {status} with broken JSON")
            else:
                if not (isinstance(answer, dict) and answer.get("detail")):
                    self.problems.append(f"{where}: {status} JSON without a detail")


@pytest.fixture
def fuzz_settings(settings):
    """Production toggles, the facet and total caches included; the API's throttle off
    (it would answer 429 to everything)."""
    settings.DEBUG = False
    settings.FACET_CACHE = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "off", "user": "off"},
    }
    return settings


@pytest.fixture
def quiet():
    """No log line per request: ten thousand of them cost seconds."""
    logging.disable(logging.INFO)
    yield
    logging.disable(logging.NOTSET)


@pytest.mark.django_db
def test_every_public_route_and_parameter_survives_hostile_values(fuzz_settings, quiet):
    records = sample_records()
    drafts_linked_to(records)
    from_schema = schema_parameters()
    routes = []
    for name, groups in public_routes():
        path = fill(name, groups, records)
        if path is not None:
            # Routes of records (with a slug) after the lists and pages.
            routes.append(
                (bool(groups), name, path, declared_parameters(path, from_schema))
            )
    routes.sort()
    every_parameter = set().union(*(p for *_, p in routes)) | set(KNOWN_PARAMETERS)
    every_parameter |= EXTRA_PARAMETERS
    # Filling the routes published records of its own (sources): store the version they
    # make, as a publish's background build would, so that the export files are served
    # from it rather than answering their 503 "building". The test's writes commit
    # nothing, so the generation that names the version did not move: start afresh.
    cache.clear()
    export.store_current_version()

    findings = Findings()
    fuzzed = set()
    # Lists and pages first: they get every value for each of their parameters. A later
    # route of the same view (an API detail, its history) that takes the same parameter
    # gets a few values in turn: the same filter code parses them.
    for index, (of_a_record, name, path, declared) in enumerate(routes):
        first = findings.get(path)
        if first is None or first.status_code in (401, 403, 405):
            continue  # refused before any parameter is read
        # One view class may serve several lists (its model from the URL pattern).
        instance = view_of(path)
        view = (type(instance), getattr(instance, "filterset_class", None), path)
        if isinstance(instance, APIView):
            view = view[:2]  # a viewset's list, detail and history share its filters
        few = [VALUES[(index * FEW + k) % len(VALUES)] for k in range(FEW)]
        if name in EXPENSIVE:
            few = few[:2]
        for parameter in sorted(declared):
            key = urllib.parse.quote(parameter)
            full = (view, parameter) not in fuzzed and name not in EXPENSIVE
            fuzzed.add((view, parameter))
            for value in VALUES if full else few:
                findings.get(f"{path}?{key}={value}")
            findings.get(f"{path}?{key}=1&{key}=abc&{key}=")  # repeated
        # Every parameter of the site at once, each hostile value in turn: parameters
        # a view reads without declaring them, and unknown ones.
        for value in few if of_a_record or name in EXPENSIVE else VALUES:
            query = "&".join(
                f"{urllib.parse.quote(p)}={value}" for p in sorted(every_parameter)
            )
            findings.get(f"{path}?{query}")
        findings.get(f"{path}?q=a%00b")  # NUL: refused up front
        # Every header variant on lists and pages; a few in turn on each record.
        if name in EXPENSIVE or of_a_record:
            headers_sent = [HEADERS[(index * 2 + k) % len(HEADERS)] for k in range(2)]
        else:
            headers_sent = HEADERS
        for headers in headers_sent:
            findings.get(path, **headers)

    # Each part of a record's path: hostile slugs, keys, kinds and formats.
    for name, groups in public_routes():
        valid = {}
        if fill(name, groups, records) is not None:
            valid = resolve(fill(name, groups, records)).kwargs
        for group in sorted(groups):
            for value in PATH_VALUES:
                try:
                    path = reverse(name, kwargs={**valid, group: value})
                except NoReverseMatch:
                    continue  # the pattern itself refuses it: a 404 by construction
                findings.get(path)

    print(f"{findings.requests} requests over {len(routes)} routes")
    declared = {name: parameters for _, name, _, parameters in routes}
    assert {"knowledge:mission-list", "api:mission-list", "knowledge:search"} <= set(
        declared
    )
    # The parameters are found, not guessed: the lists' filters are among them.
    for name in ("knowledge:mission-list", "knowledge:case-list", "api:mission-list"):
        assert {"decade", "conception", "ordering"} <= declared[name], name
    assert not findings.problems, "\n".join(findings.problems[:60])


@pytest.mark.django_db
def test_the_api_survives_hostile_values_for_a_signed_in_curator(
    fuzz_settings, quiet, admin_client_logged
):
    """Curators see drafts and get the browsable API: other code paths (the HTML
    renderer, draft querysets). Each API route, as JSON and as the browsable page."""
    records = sample_records()
    drafts_linked_to(records)
    findings = Findings(admin_client_logged, drafts_visible=True)
    checked = 0
    for name, groups in public_routes():
        path = fill(name, groups, records)
        if path is None or not name.startswith("api:") or name in EXPENSIVE:
            continue
        checked += 1
        for value in VALUES[checked % 3 :: 3]:
            query = "&".join(
                f"{urllib.parse.quote(p)}={value}"
                for p in sorted(KNOWN_PARAMETERS | {"updated_since", "include"})
                if p != "format"
            )
            findings.get(f"{path}?{query}")
        findings.get(f"{path}?format=api")
        findings.get(path, HTTP_ACCEPT="text/html")
    assert checked > 50
    assert not findings.problems, "\n".join(findings.problems[:60])


def _draft_of(model, slug):
    return PAGE_FACTORIES[model._meta.model_name](draft=True, slug=slug)


@pytest.mark.django_db
def test_every_filter_answers_a_drafts_slug_as_it_answers_a_made_up_one(client):
    """Issue 18 item 7, for every list (page and API) and every filter that takes the
    slugs of publishable records: a draft's slug must not be told apart from a slug that
    names nothing, or the filter reveals what links to the draft."""
    records = sample_records()
    compared = []
    for name, groups in public_routes():
        if groups:
            continue
        path = fill(name, groups, records)
        filterset = getattr(view_of(path), "filterset_class", None)
        for parameter, flt in getattr(filterset, "base_filters", {}).items():
            model, field = flt.extra.get("known") or (None, None)
            if field != "slug" or not hasattr(model, "status"):
                continue
            draft = f"hidden-{parameter}"
            if not model.objects.filter(slug=draft).exists():
                _draft_of(model, draft)
            made_up = f"absent-{parameter}"
            hidden = client.get(f"{path}?{parameter}={draft}")
            absent = client.get(f"{path}?{parameter}={made_up}")
            assert hidden.status_code == absent.status_code == 400, (path, parameter)
            assert hidden.content.replace(draft.encode(), made_up.encode()) == (
                absent.content
            ), (path, parameter)
            compared.append((name, parameter))
    kinds = {parameter for _, parameter in compared}
    assert {"case", "organisation", "norm", "document"} <= kinds, compared
