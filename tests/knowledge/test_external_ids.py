"""Identifiers in other datasets (issue 14, "Links out"): a case's UCDP conflict id and a
peace agreement's PA-X id, through the files, the model, the page, the API and the admin;
never for a draft."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from apps.knowledge import importers
from apps.knowledge.api import export
from apps.knowledge.canonical import record_type_for
from apps.knowledge.dataset import load_dataset
from apps.knowledge.models import Case
from apps.knowledge.models import Document
from tests import factories

from .test_dataset import assert_reloads_the_same
from .test_dataset import exported
from .test_dataset import tiny  # noqa: F401
from .test_dataset import write
from .test_dataset_coding import edit
from .test_dataset_coding import problems

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_cache_cleared")]

UCDP = "https://ucdp.uu.se/conflict/"
PAX = "https://www.peaceagreements.org/wview/"


def with_agreement(root, pax="'389'"):
    write(
        root,
        "documents/accord.yaml",
        f"""\
        slug: accord
        title: A peace agreement
        kind: agreement
        pax_agreement_id: {pax}
        summary: An agreement. It ended a war.
        citations:
          - source: ff
            claim: summary
            pages: '512'
        """,
    )


# --------------------------------------------------------------------------- files


def test_the_keys_load_and_export_byte_for_byte(tiny, tmp_path_factory):  # noqa: F811
    edit(
        tiny,
        "cases/suez.yaml",
        "conflict_type: inter_state\n",
        "conflict_type: inter_state\nucdp_conflict_id: '1234'\n",
    )
    with_agreement(tiny)
    load_dataset(tiny)
    assert Case.objects.get(slug="suez").ucdp_conflict_id == "1234"
    assert Document.objects.get(slug="accord").pax_agreement_id == "389"

    first = exported(tmp_path_factory.mktemp("first"))
    case_text = (first / "cases/suez.yaml").read_text()
    assert "conflict_type: inter_state\nucdp_conflict_id: '1234'\n" in case_text
    # The agreement file was written in canonical form: export gives it back unchanged.
    assert (first / "documents/accord.yaml").read_text() == (
        tiny / "documents/accord.yaml"
    ).read_text()
    assert_reloads_the_same(first, tmp_path_factory.mktemp("second"), Case)


def test_an_unquoted_number_loads_as_the_same_id(tiny):  # noqa: F811
    with_agreement(tiny, pax="389")
    load_dataset(tiny)
    assert Document.objects.get(slug="accord").pax_agreement_id == "389"


@pytest.mark.parametrize("bad", ["1-178", "'0389'", "Q42", "'12 34'"])
def test_a_malformed_id_is_named_in_the_load_errors(tiny, bad):  # noqa: F811
    edit(
        tiny,
        "cases/suez.yaml",
        "conflict_type: inter_state\n",
        f"conflict_type: inter_state\nucdp_conflict_id: {bad}\n",
    )
    text = problems(tiny)
    assert "cases/suez.yaml" in text and "ucdp_conflict_id" in text
    assert "digits only" in text
    assert not Case.objects.exists()  # all or nothing


def test_a_malformed_pax_id_is_named_in_the_load_errors(tiny):  # noqa: F811
    with_agreement(tiny, pax="PAX-389")
    text = problems(tiny)
    assert "documents/accord.yaml" in text and "pax_agreement_id" in text
    assert "peaceagreements.org" in text


# --------------------------------------------------------------------------- model


def test_the_model_validates_the_format_with_a_clear_message():
    case = factories.CaseFactory(ucdp_conflict_id="")
    case.ucdp_conflict_id = "1-178"
    with pytest.raises(ValidationError) as exc:
        case.full_clean()
    assert "digits only, not the older form like 1-178" in str(
        exc.value.message_dict["ucdp_conflict_id"]
    )
    case.ucdp_conflict_id = "11345"
    case.full_clean()


# --------------------------------------------------------------------------- pages


def test_the_record_pages_link_to_the_other_datasets(client):
    case = factories.CaseFactory(ucdp_conflict_id="1234", wikidata_qid="Q42")
    document = factories.DocumentFactory(kind="agreement", pax_agreement_id="389")
    page = client.get(case.get_absolute_url()).content.decode()
    assert "In other datasets" in page
    assert f'<a href="{UCDP}1234">1234</a>' in page
    assert '<a href="https://www.wikidata.org/wiki/Q42">Q42</a>' in page
    page = client.get(document.get_absolute_url()).content.decode()
    assert f'<a href="{PAX}389">389</a>' in page
    # The JSON-LD says it is the same thing as the other datasets' records.
    assert f"{PAX}389" in page.split('application/ld+json">')[1].split("</script>")[0]


def test_a_record_without_ids_shows_no_block(client):
    case = factories.CaseFactory()
    page = client.get(case.get_absolute_url()).content.decode()
    assert "In other datasets" not in page
    assert UCDP not in page


# --------------------------------------------------------------------------- API


def test_the_api_exposes_the_ids():
    case = factories.CaseFactory(ucdp_conflict_id="1234")
    document = factories.DocumentFactory(pax_agreement_id="389")
    api = APIClient()
    body = api.get(reverse("api:case-detail", kwargs={"slug": case.slug})).json()
    assert body["ucdp_conflict_id"] == "1234"
    body = api.get(
        reverse("api:document-detail", kwargs={"slug": document.slug})
    ).json()
    assert body["pax_agreement_id"] == "389"


def _patch(client, url, data):
    etag = APIClient().get(url)["ETag"]
    return client.patch(url, data, format="json", HTTP_IF_MATCH=etag)


def test_the_api_accepts_an_id_and_refuses_a_malformed_one(as_editor):
    case = factories.CaseFactory()
    document = factories.DocumentFactory()
    case_url = reverse("api:case-detail", kwargs={"slug": case.slug})
    document_url = reverse("api:document-detail", kwargs={"slug": document.slug})

    response = _patch(as_editor, case_url, {"ucdp_conflict_id": "1-178"})
    assert response.status_code == 400, response.content
    assert "digits only" in json.dumps(response.json())
    assert "ucdp_conflict_id" in json.dumps(response.json())
    response = _patch(as_editor, document_url, {"pax_agreement_id": "x" * 50})
    assert response.status_code == 400, response.content

    assert _patch(as_editor, case_url, {"ucdp_conflict_id": "1234"}).status_code == 200
    assert (
        _patch(as_editor, document_url, {"pax_agreement_id": "389"}).status_code == 200
    )
    case.refresh_from_db()
    document.refresh_from_db()
    assert (case.ucdp_conflict_id, document.pax_agreement_id) == ("1234", "389")


# --------------------------------------------------------------------------- drafts


def test_a_drafts_ids_are_not_leaked(client, api):
    draft = factories.CaseFactory(draft=True, ucdp_conflict_id="987654")
    factories.DocumentFactory(draft=True, pax_agreement_id="97531")
    factories.CaseFactory()  # something public to list
    export.store_current_version()  # dataset.json serves the stored version
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert (
        api.get(reverse("api:case-detail", kwargs={"slug": draft.slug})).status_code
        == 404
    )
    for url in [
        reverse("knowledge:case-list"),
        reverse("knowledge:document-list"),
        "/api/v1/cases/",
        "/api/v1/documents/",
        "/api/v1/export/dataset.json",
        "/api/v1/export/cases.csv",
        "/api/v1/export/documents.csv",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response) if response.streaming else response.content
        assert b"987654" not in body and b"97531" not in body, url


# --------------------------------------------------------------------------- admin


def test_the_admin_offers_the_fields(admin_client_logged):
    case = factories.CaseFactory()
    document = factories.DocumentFactory()
    page = admin_client_logged.get(
        reverse("admin:knowledge_case_change", args=[case.pk])
    ).content.decode()
    assert 'name="ucdp_conflict_id"' in page
    page = admin_client_logged.get(
        reverse("admin:knowledge_document_change", args=[document.pk])
    ).content.decode()
    assert 'name="pax_agreement_id"' in page


# --------------------------------------------------------------------------- CSV


def test_the_csv_columns_carry_the_ids_both_ways():
    cases, documents = record_type_for(Case), record_type_for(Document)
    assert "ucdp_conflict_id" in importers.csv_columns(cases)
    assert "pax_agreement_id" in importers.csv_columns(documents)
    text = importers.write_csv(
        documents, [{"slug": "accord", "title": "A", "pax_agreement_id": "389"}]
    )
    ((_number, row),) = importers.read_csv(documents, text.encode())
    data = importers.apply_csv_row(documents, {}, row)
    assert data["pax_agreement_id"] == "389"
