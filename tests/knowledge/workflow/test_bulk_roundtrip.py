"""Issue 13, B1 and B2: the app's own CSV export goes back in, for every record type,
and an unchanged export changes nothing and proposes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.knowledge.canonical import DATA_TYPES
from apps.knowledge.models import Revision

pytestmark = pytest.mark.django_db


def _export(client, model):
    info = model._meta.app_label, model._meta.model_name
    ids = list(model.objects.values_list("pk", flat=True))
    response = client.post(
        reverse("admin:{}_{}_changelist".format(*info)),
        {"action": "export_csv", "_selected_action": ids},
    )
    assert response.status_code == 200
    return response.content, info


@pytest.mark.parametrize("record_type", DATA_TYPES, ids=lambda t: t.directory)
def test_an_unchanged_export_imports_as_unchanged(
    curated, record_type, editor_client, curator_client
):
    model = record_type.model
    for client in (editor_client, curator_client):
        content, info = _export(client, model)
        before = Revision.objects.count()
        response = client.post(
            reverse("admin:{}_{}_import_csv".format(*info)),
            {"file": SimpleUploadedFile("x.csv", content, content_type="text/csv")},
            follow=True,
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert f"Imported: {model.objects.count()} unchanged." in html, html[-3000:]
        assert Revision.objects.count() == before


@pytest.mark.parametrize(
    ("model_name", "header", "row"),
    [
        ("mission", "slug,start", "csce-mission-georgia,1992-12"),
        ("mission", "slug,wikidata", "csce-mission-georgia,Q1"),
        ("organisation", "slug,founded", "osce,1975"),
        ("source", "slug,pages", "flynn-farrell-1999,505-535"),
    ],
)
def test_the_issue_s_single_columns_import_without_error(
    curated, editor_client, model_name, header, row
):
    text = f"{header}\n{row}\n"
    response = editor_client.post(
        reverse(f"admin:knowledge_{model_name}_import_csv"),
        {"file": SimpleUploadedFile("x.csv", text.encode(), content_type="text/csv")},
        follow=True,
    )
    assert response.status_code == 200
    assert "Imported:" in response.content.decode()
