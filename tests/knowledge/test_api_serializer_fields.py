"""Serializer fields are built once per class and copied for each serializer
(api/fields.FieldsBuiltOnceMixin): what one request does with its fields (its host in
every address, a read-only slug, `?fields=`, `?include=`, a failed write) never reaches
another request's answer."""

import pytest
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIClient
from rest_framework.test import APIRequestFactory

from apps.knowledge.api.serializers import MissionListSerializer
from apps.knowledge.api.serializers import MissionSerializer
from apps.knowledge.models import MandateTask
from apps.knowledge.models import Mission
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_cache_cleared")]


def every_field(fields):
    """Each field object of a serializer's fields, nested serializers' and list
    children's included."""
    for field in fields.values():
        yield field
        for inner in (
            getattr(field, "child", None),
            field.__dict__.get("child_relation"),
        ):
            if isinstance(inner, serializers.Serializer):
                yield inner
                yield from every_field(inner.fields)
            elif isinstance(inner, serializers.Field):
                yield inner


def addresses(data):
    """Every absolute address in an answer."""
    if isinstance(data, dict):
        for value in data.values():
            yield from addresses(value)
    elif isinstance(data, list):
        for value in data:
            yield from addresses(value)
    elif isinstance(data, str) and data.startswith("http"):
        yield data


@pytest.fixture
def mission():
    """A published mission with a classification and citations (each nested serializer
    shows), an organisation and a mandate task."""
    record = factories.MissionFactory(slug="unef-i")
    factories.CitationFactory(target=record, claim="summary")
    record.organisations.add(factories.OrganisationFactory(slug="un"))
    record.mandate_tasks.add(
        MandateTask.objects.create(
            slug="ceasefire", name="Ceasefire", conception="westphalian"
        )
    )
    return record


def test_two_serializers_share_no_field_and_each_reads_its_own_request(mission):
    requests = [
        Request(APIRequestFactory().get("/", HTTP_HOST=host))
        for host in ("one.example", "two.example")
    ]
    first, second = (
        MissionSerializer(mission, context={"request": request}) for request in requests
    )
    first_fields = list(every_field(first.fields))
    second_fields = list(every_field(second.fields))
    assert len(first_fields) == len(second_fields) > 60  # the nested ones too
    assert not {id(f) for f in first_fields} & {id(f) for f in second_fields}
    # Built second, the other serializer did not take over the first one's fields.
    for serializer, request in ((first, requests[0]), (second, requests[1])):
        for field in every_field(serializer.fields):
            assert field.root is serializer
            assert field.context["request"] is request


def test_every_address_carries_the_host_of_its_own_request(mission, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    client = APIClient()
    url = f"/api/v1/missions/{mission.slug}/"
    for host in ("one.example", "two.example", "one.example"):
        data = client.get(url, HTTP_HOST=host).json()
        found = list(addresses(data))
        # The record, its page, its organisation, citation sources, classification.
        assert len(found) >= 6
        assert all(a.startswith(f"http://{host}/") for a in found), found
        assert data["mandate_tasks"] == ["ceasefire"]
        assert data["classifications"][0]["citations"][0]["source"]["url"].startswith(
            f"http://{host}/"
        )


def test_sparse_fields_and_includes_stay_with_their_request(mission, api):
    url = f"/api/v1/missions/{mission.slug}/"
    assert set(api.get(url + "?fields=slug,name").json()) == {"slug", "name"}
    assert set(api.get(url).json()) == set(MissionSerializer().fields) - {
        "curator_note"  # written, never shown
    }
    included = api.get("/api/v1/missions/?include=classifications").json()
    assert "classifications" in included["results"][0]
    plain = api.get("/api/v1/missions/").json()
    assert set(plain["results"][0]) == set(MissionListSerializer().fields)


def test_a_read_leaves_the_slug_writable_for_a_create(mission, as_editor):
    url = f"/api/v1/missions/{mission.slug}/"
    etag = as_editor.get(url)["ETag"]  # a record's serializer: the slug is read-only
    changed = as_editor.patch(
        url, {"slug": "renamed", "acronym": "UNEF"}, format="json", HTTP_IF_MATCH=etag
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["slug"] == mission.slug  # the address stays
    created = as_editor.post(
        "/api/v1/missions/", {"slug": "onuc", "name": "ONUC"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert Mission.objects.filter(slug="onuc", name="ONUC").exists()


def test_a_failed_write_leaves_no_error_behind(mission, as_editor):
    bad = as_editor.post(
        "/api/v1/missions/",
        {"slug": "unef-ii", "name": "UNEF II", "start": "soon", "colour": "blue"},
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"colour"}  # unknown fields come first
    bad = as_editor.post(
        "/api/v1/missions/",
        {"slug": "unef-ii", "name": "UNEF II", "start": "soon"},
        format="json",
    )
    assert set(bad.json()["errors"]) == {"start"}
    good = as_editor.post(
        "/api/v1/missions/",
        {"slug": "unef-ii", "name": "UNEF II", "start": "1973-10"},
        format="json",
    )
    assert good.status_code == 201, good.content
    assert good.json()["start"] == "1973-10"


def test_drafts_show_to_editors_only_whoever_asked_before(mission, as_editor, api):
    draft = factories.MissionFactory(slug="draft-mission", draft=True)
    draft.mandate_tasks.set(mission.mandate_tasks.all())
    url = f"/api/v1/missions/{draft.slug}/"
    for client, status in ((api, 404), (as_editor, 200), (api, 404), (as_editor, 200)):
        response = client.get(url)
        assert response.status_code == status
    data = response.json()
    assert (data["status"], data["mandate_tasks"]) == ("draft", ["ceasefire"])
    # The curators' note is written, never shown: to editors neither.
    assert "curator_note" not in data
    assert "curator_note" not in api.get(f"/api/v1/missions/{mission.slug}/").json()
