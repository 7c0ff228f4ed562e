"""Hostile request bodies and the browsable API: a clear 400 or a page, never a 500."""

import json
import time

import pytest
from django.urls import reverse

from apps.knowledge.api.parsers import MAX_DEPTH
from apps.knowledge.api.parsers import MAX_VALUES
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_cache_cleared")]


def _timed_post(client, url, body):
    started = time.monotonic()
    response = client.post(url, body, content_type="application/json")
    return response, time.monotonic() - started


def test_json_nested_100000_deep_is_a_quick_400(client):
    body = "[" * 100_000 + "]" * 100_000
    response, took = _timed_post(client, "/api/v1/auth/token/", body)
    assert response.status_code == 400
    assert f"nested more than {MAX_DEPTH}" in response.json()["detail"]
    assert took < 3  # well under a second on an idle machine


def test_a_body_with_10000_citations_is_a_quick_400(as_curator):
    source = factories.SourceFactory()
    citation = {"source": source.slug, "claim": "summary", "locator": "1"}
    body = json.dumps(
        {"slug": "many", "name": "Many", "citations": [citation] * 10_000}
    )
    started = time.monotonic()
    response = as_curator.post("/api/v1/norms/", body, content_type="application/json")
    assert response.status_code == 400
    assert f"more than {MAX_VALUES} values" in response.json()["detail"]
    assert time.monotonic() - started < 5  # it took 30 s before the bound


def test_brackets_and_commas_inside_strings_count_for_nothing(as_curator):
    summary = "[{" * 500 + ", " * 6000 + '\\"'
    response = as_curator.post(
        "/api/v1/norms/",
        {"slug": "odd", "name": "Odd", "summary": summary, "conception": "westphalian"},
        format="json",
    )
    assert response.status_code == 201, response.content


RECORD_ROUTES = ["mission", "case", "norm", "document", "organisation", "source"]


@pytest.mark.parametrize("who", ["curator_user", "editor"])
@pytest.mark.parametrize("route", RECORD_ROUTES)
def test_the_browsable_api_answers_curators_and_editors(request, who, route, client):
    client.force_login(request.getfixturevalue(who))
    factories.MissionFactory(slug="shown")
    factories.NormFactory(slug="shown-norm")
    list_url = reverse(f"api:{route}-list")
    first = client.get(list_url, HTTP_ACCEPT="application/json").json()["results"]
    urls = [list_url] + ([first[0]["url"]] if first else [])
    for url in urls:
        for extra in ({"format": "api"}, {}):
            response = client.get(url, extra, HTTP_ACCEPT="text/html,*/*;q=0.8")
            assert response.status_code == 200, (url, extra)
            assert b"<form" in response.content or url == list_url
