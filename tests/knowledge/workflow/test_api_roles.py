"""The editorial roles held to their permissions through the REST API, with the groups
the data migration creates (the admin's matrix is in test_admin_workflow.py)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.core.models import Status
from tests.factories import MissionFactory
from tests.factories import NormFactory
from tests.knowledge.conftest import token_client

pytestmark = pytest.mark.django_db


def detail(record):
    name = record._meta.model_name
    return reverse(f"api:{name}-detail", kwargs={"slug": record.slug})


def etag(client, record):
    return client.get(detail(record)).headers["ETag"]


@pytest.mark.parametrize(
    ("role", "publish", "unpublish", "edit_draft"),
    [
        ("reader", 403, 403, 403),
        ("curator", 403, 403, 200),
        ("editor", 200, 200, 200),
    ],
)
def test_role_matrix_in_the_api(request, role, publish, unpublish, edit_draft):
    client = token_client(request.getfixturevalue(role))
    draft = NormFactory(draft=True)
    live = NormFactory()
    response = client.post(detail(draft) + "publish/")
    assert response.status_code == publish
    response = client.post(detail(live) + "unpublish/")
    assert response.status_code == unpublish
    other = NormFactory(draft=True)
    tag = etag(client, other) if edit_draft == 200 else "*"
    response = client.patch(
        detail(other), {"name": "Renamed norm"}, format="json", HTTP_IF_MATCH=tag
    )
    assert response.status_code == edit_draft
    draft.refresh_from_db()
    live.refresh_from_db()
    assert (draft.status == Status.PUBLISHED) is (publish == 200)
    assert (live.status == Status.DRAFT) is (unpublish == 200)


def test_api_refusal_says_what_is_missing(editor):
    mission = MissionFactory(draft=True, classified=False)
    response = token_client(editor).post(detail(mission) + "publish/")
    assert response.status_code == 409  # the record's state is what is wrong
    assert "classification" in str(response.json())


def test_api_refuses_a_write_from_a_stale_etag(curator):
    client = token_client(curator)
    norm = NormFactory(draft=True)
    tag = etag(client, norm)
    first = client.patch(
        detail(norm), {"name": "First edit"}, format="json", HTTP_IF_MATCH=tag
    )
    assert first.status_code == 200
    second = client.patch(
        detail(norm), {"name": "Second edit"}, format="json", HTTP_IF_MATCH=tag
    )
    assert second.status_code == 412
    norm.refresh_from_db()
    assert norm.name == "First edit"


def test_curators_api_change_to_a_published_record_waits_for_review(curator):
    from apps.knowledge.models import Revision

    client = token_client(curator)
    norm = NormFactory(name="Live name")
    response = client.patch(
        detail(norm),
        {"name": "Curator change"},
        format="json",
        HTTP_IF_MATCH=etag(client, norm),
    )
    assert response.status_code == 202
    norm.refresh_from_db()
    assert norm.name == "Live name"
    revision = Revision.objects.pending().get()
    assert revision.data["name"] == "Curator change"
    assert response.json()["revision"] == revision.pk
    assert APIClient().get(detail(norm)).json()["name"] == "Live name"
