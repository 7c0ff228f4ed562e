"""Issue 13, the design change: the same edit through each door (admin, API, CSV,
restore, loader) stores the same record and leaves one history entry."""

import html
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.knowledge import dataset
from apps.knowledge import services
from apps.knowledge.canonical import record_to_dict
from apps.knowledge.canonical import record_type_for
from apps.knowledge.models import MandateTask
from apps.knowledge.models import Mission
from apps.knowledge.models import Norm
from apps.knowledge.models import Revision
from tests.factories import CitationFactory
from tests.factories import MissionFactory
from tests.factories import NormFactory

from .admin_forms import change_form_data

pytestmark = pytest.mark.django_db

NAME = "Consent of the parties"
SUMMARY = "First line. Of the summary.\r\nSecond line, typed on Windows."


def _by_admin(norm, editor, editor_client, tmp_path):
    url = reverse("admin:knowledge_norm_change", args=[norm.pk])
    data = change_form_data(editor_client.get(url), name=NAME, summary=SUMMARY)
    assert editor_client.post(url, data).status_code == 302


def _by_api(norm, editor, editor_client, tmp_path):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=editor)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = reverse("api:norm-detail", kwargs={"slug": norm.slug})
    tag = client.get(url).headers["ETag"]
    # The API hands the record's canonical dict to the one writer, as CSV and restore.
    with mock.patch.object(
        services, "write_record", wraps=services.write_record
    ) as writer:
        response = client.patch(
            url, {"name": NAME, "summary": SUMMARY}, format="json", HTTP_IF_MATCH=tag
        )
    assert response.status_code == 200, response.content
    assert writer.call_count == 1


def _by_csv(norm, editor, editor_client, tmp_path):
    text = f'slug,name,summary\r\n{norm.slug},{NAME},"{SUMMARY}"\r\n'
    response = editor_client.post(
        reverse("admin:knowledge_norm_import_csv"),
        {"file": SimpleUploadedFile("n.csv", text.encode(), content_type="text/csv")},
        follow=True,
    )
    assert "1 updated" in response.content.decode()


def _by_restore(norm, editor, editor_client, tmp_path):
    base = services.record_content(norm)
    target = {**base, "name": NAME, "summary": SUMMARY.replace("\r\n", "\n")}
    kept = Revision.objects.create(
        content_type_id=services.ContentType.objects.get_for_model(norm).pk,
        object_id=norm.pk,
        record_label=str(norm),
        action="edit",
        state="applied",
        data=target,
        base_data=base,
    )
    services.record_restore(record=norm, revision=kept, user=editor)
    kept.delete()  # count only what the restore itself kept


def _by_loader(norm, editor, editor_client, tmp_path):
    data = {**record_to_dict(record_type_for(Norm), norm)}
    data.update(name=NAME, summary=SUMMARY)
    (tmp_path / "norms").mkdir()
    (tmp_path / "norms" / f"{norm.slug}.yaml").write_text(
        dataset.dump_yaml(data), encoding="utf-8", newline=""
    )
    dataset.load_dataset(tmp_path, user=editor)


DOORS = [
    pytest.param(_by_admin, id="admin"),
    pytest.param(_by_api, id="api"),
    pytest.param(_by_csv, id="csv"),
    pytest.param(_by_restore, id="restore"),
    pytest.param(_by_loader, id="loader"),
]


@pytest.mark.parametrize("door", DOORS)
def test_each_door_stores_the_same_record_and_one_history_entry(
    door, editor, editor_client, tmp_path
):
    norm = NormFactory(draft=True, slug="consent", name="Consent")
    before = Revision.objects.for_record(norm).count()
    expected = {
        **services.record_content(norm),
        "name": NAME,
        "summary": "First line. Of the summary.\nSecond line, typed on Windows.",
    }
    door(norm, editor, editor_client, tmp_path)
    norm.refresh_from_db()
    assert services.record_content(norm) == expected
    assert "\r" not in norm.summary
    assert Revision.objects.for_record(norm).count() == before + 1


# --------------------------------------------------------------------------- one validation


@pytest.fixture
def westphalian_task(db):
    return MandateTask.objects.create(
        slug="interposition", name="Interposition", conception="westphalian"
    )


RULE_REFUSED = "tasks-both does not match the record's coded mandate tasks"


def test_the_api_refuses_what_the_loader_refuses(editor, westphalian_task):
    """A curators' rule that the mission's coded tasks do not select: the loader refuses
    it (tests/knowledge/test_dataset_coding.py), and so does every other door."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=editor)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.post(
        reverse("api:mission-list"),
        {
            "slug": "unef",
            "name": "UNEF I",
            "mandate_tasks": ["interposition"],
            "classifications": [
                {
                    "value": "mixed",
                    "basis": "curators",
                    "rule": "tasks-both",
                    "preferred": True,
                    "rationale": "Both kinds.",
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert RULE_REFUSED in str(response.json()["errors"]["classifications"])
    assert not Mission.objects.filter(slug="unef").exists()


def test_the_admin_refuses_what_the_loader_refuses(editor_client, westphalian_task):
    mission = MissionFactory(draft=True, summary="Kept. As it was.")
    mission.mandate_tasks.add(westphalian_task)
    url = reverse("admin:knowledge_mission_change", args=[mission.pk])
    row = "knowledge-classification-content_type-object_id-0"
    data = change_form_data(
        editor_client.get(url),
        summary="Changed. Not kept.",
        **{f"{row}-basis": "curators", f"{row}-rule": "tasks-both"},
    )
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert RULE_REFUSED in html.unescape(response.content.decode())
    mission.refresh_from_db()
    assert mission.summary == "Kept. As it was."
    assert mission.classifications.get().basis == "author"


# --------------------------------------------------------------------------- the admin door


def test_an_admin_save_is_one_call_of_the_one_writer(editor_client, monkeypatch):
    """The admin hands the whole page (record, links, citations, classifications) to
    services.write_record as one canonical dict; it writes no row of its own."""
    mission = MissionFactory(draft=True)
    calls = []
    real = services.write_record

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(services, "write_record", spy)
    url = reverse("admin:knowledge_mission_change", args=[mission.pk])
    row = "knowledge-classification-content_type-object_id-0"
    data = change_form_data(
        editor_client.get(url),
        summary="Changed here. In the admin.",
        **{f"{row}-locator": "515"},
    )
    assert editor_client.post(url, data).status_code == 302
    (call,) = calls
    assert call["model"] is Mission and call["instance"].pk == mission.pk
    assert call["data"]["summary"] == "Changed here. In the admin."
    assert call["data"]["classifications"][0]["citations"][0]["pages"] == "515"
    mission.refresh_from_db()
    assert services.record_content(mission) == services.canonical(
        {k: v for k, v in call["data"].items() if k not in ("status", "last_reviewed")}
    )


def _rows(mission):
    classification = mission.classifications.get()
    return (
        list(mission.citations.values_list("pk", flat=True)),
        classification.pk,
        list(classification.citations.values_list("pk", flat=True)),
    )


def test_rows_keep_their_ids_when_the_admin_saves_another_field(editor_client):
    mission = MissionFactory(draft=True)
    CitationFactory(target=mission, locator="520")
    before = _rows(mission)
    revisions = Revision.objects.for_record(mission).count()
    url = reverse("admin:knowledge_mission_change", args=[mission.pk])
    data = change_form_data(editor_client.get(url), summary="Only this. Changed.")
    assert editor_client.post(url, data).status_code == 302
    assert _rows(mission) == before
    assert Revision.objects.for_record(mission).count() == revisions + 1

    # A changed citation is written over its own row: the others are not touched.
    row = "knowledge-citation-content_type-object_id-1"
    data = change_form_data(editor_client.get(url), **{f"{row}-locator": "521"})
    assert editor_client.post(url, data).status_code == 302
    assert _rows(mission) == before
    assert list(mission.citations.values_list("locator", flat=True))[1] == "521"


def test_the_admin_renumbers_citations_as_the_writer_does(editor_client):
    """Positions typed in the inline order the citations; the writer stores them as
    0, 1, ... as every door does (a form writing its rows itself would keep 7 and 9)."""
    mission = MissionFactory(draft=True)
    CitationFactory(target=mission, locator="520")
    url = reverse("admin:knowledge_mission_change", args=[mission.pk])
    prefix = "knowledge-citation-content_type-object_id"
    data = change_form_data(
        editor_client.get(url),
        **{f"{prefix}-0-position": "9", f"{prefix}-1-position": "7"},
    )
    assert editor_client.post(url, data).status_code == 302
    stored = list(
        mission.citations.order_by("position").values_list("locator", "position")
    )
    assert stored == [("520", 0), ("512", 1)]


def _citation_post(target, source, locator="515"):
    from django.contrib.contenttypes.models import ContentType

    return {
        "content_type": ContentType.objects.get_for_model(target).pk,
        "object_id": target.pk,
        "source": source.pk,
        "claim": "summary",
        "locator_type": "pages",
        "locator": locator,
        "position": 0,
        "note": "Added on its own page.",
    }


def test_the_citation_page_writes_through_the_record(editor_client, monkeypatch):
    """A citation added, changed or deleted on its own page is a change of its record,
    written by the one writer: one version of the record each time."""
    mission = MissionFactory(draft=True)
    source = mission.citations.get().source
    count = Revision.objects.for_record(mission).count
    before = count()
    calls = []
    real = services.write_record
    monkeypatch.setattr(
        services, "write_record", lambda **kw: calls.append(kw) or real(**kw)
    )
    response = editor_client.post(
        reverse("admin:knowledge_citation_add"), _citation_post(mission, source)
    )
    assert response.status_code == 302
    added = mission.citations.get(note="Added on its own page.")
    assert [c["model"] for c in calls] == [Mission] and count() == before + 1

    url = reverse("admin:knowledge_citation_change", args=[added.pk])
    post = {**_citation_post(mission, source, locator="516")}
    assert editor_client.post(url, post).status_code == 302
    added.refresh_from_db()  # the same row, changed
    assert added.locator == "516" and count() == before + 2

    delete = reverse("admin:knowledge_citation_delete", args=[added.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 302
    assert not mission.citations.filter(pk=added.pk).exists()
    assert count() == before + 3 and len(calls) == 3


def test_the_classification_page_refuses_what_the_writer_refuses(
    editor_client, westphalian_task
):
    mission = MissionFactory(draft=True, summary="Kept. As it was.")
    mission.mandate_tasks.add(westphalian_task)
    classification = mission.classifications.get()
    url = reverse("admin:knowledge_classification_change", args=[classification.pk])
    data = change_form_data(editor_client.get(url), basis="curators", rule="tasks-both")
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert RULE_REFUSED in html.unescape(response.content.decode())
    classification.refresh_from_db()
    assert classification.basis == "author"
