"""Smoke tests for the curators' admin, and entering a whole mission on one page."""

import pytest
from django.urls import reverse

from apps.knowledge.models import Mission
from tests import factories
from tests.knowledge.workflow.admin_forms import change_form_data

pytestmark = pytest.mark.django_db

OTHER_MODELS = ["citation", "classification", "country", "mandatetask", "sourcecreator"]


@pytest.mark.parametrize("model_name", list(factories.RECORD_FACTORIES))
def test_changelist_search_add_and_change_pages_work(admin_client_logged, model_name):
    record = factories.RECORD_FACTORIES[model_name]()
    base = f"admin:knowledge_{model_name}"
    client = admin_client_logged
    assert client.get(reverse(f"{base}_changelist")).status_code == 200
    response = client.get(reverse(f"{base}_changelist"), {"q": record.slug})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert client.get(reverse(f"{base}_add")).status_code == 200
    assert client.get(reverse(f"{base}_change", args=[record.pk])).status_code == 200
    assert client.get(reverse(f"{base}_history", args=[record.pk])).status_code == 200


@pytest.mark.parametrize(
    "model_name", ["citation", "classification", "country", "mandatetask"]
)
def test_other_admin_changelists_work(admin_client_logged, model_name):
    factories.MissionFactory()
    response = admin_client_logged.get(
        reverse(f"admin:knowledge_{model_name}_changelist")
    )
    assert response.status_code == 200


def test_autocomplete_finds_sources(admin_client_logged):
    factories.SourceFactory(title="Piecing Together the Democratic Peace")
    response = admin_client_logged.get(
        reverse("admin:autocomplete"),
        {
            "term": "Piecing",
            "app_label": "knowledge",
            "model_name": "citation",
            "field_name": "source",
        },
    )
    assert response.status_code == 200
    assert "Piecing Together" in response.content.decode()


def _inline_management(prefix, total=1):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def mission_form(source, **overrides):
    citations = "knowledge-citation-content_type-object_id"
    classifications = "knowledge-classification-content_type-object_id"
    data = {
        "slug": "unef-i",
        "name": "First United Nations Emergency Force",
        "acronym": "UNEF I",
        "summary": "Deployed after the Suez crisis. It stood between Egypt and Israel.",
        "mandate_summary": "",
        "mission_type": "traditional_peacekeeping",
        "start_date": "1956-11-01",
        "start_precision": "month",
        "end_date": "1967-06-01",
        "end_precision": "month",
        "host_consent": "all_parties",
        "use_of_force": "self_defence",
        "impartiality": "impartial",
        "legal_basis": "un_general_assembly",
        "status": "published",
        "curator_note": "",
        "wikidata_qid": "",
        **_inline_management(classifications),
        f"{classifications}-0-value": "westphalian",
        f"{classifications}-0-basis": "author",
        f"{classifications}-0-preferred": "on",
        f"{classifications}-0-rationale": "Consent-based interposition between states.",
        f"{classifications}-0-source": str(source.pk),
        f"{classifications}-0-locator_type": "pages",
        f"{classifications}-0-locator": "512",
        **_inline_management(citations, total=2),
        f"{citations}-0-source": str(source.pk),
        f"{citations}-0-claim": "summary",
        f"{citations}-0-locator_type": "pages",
        f"{citations}-0-locator": "510-511",
        f"{citations}-0-position": "0",
        f"{citations}-1-source": str(source.pk),
        f"{citations}-1-claim": "host_consent",
        f"{citations}-1-locator_type": "pages",
        f"{citations}-1-locator": "512",
        f"{citations}-1-position": "1",
    }
    data.update(overrides)
    return data


def test_curator_enters_a_whole_mission_with_citations_on_one_page(admin_client_logged):
    source = factories.SourceFactory()
    response = admin_client_logged.post(
        reverse("admin:knowledge_mission_add"), mission_form(source)
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    mission = Mission.objects.get(slug="unef-i")
    assert mission.status == "published"
    assert sorted(mission.citations.values_list("claim", "locator")) == [
        ("host_consent", "512"),
        ("summary", "510-511"),
    ]
    classification = mission.classifications.get()
    assert classification.value == "westphalian"
    assert classification.citations.get().locator == "512"
    assert mission.created_by.username == "curator"


def test_admin_refuses_a_locator_outside_the_source_and_keeps_the_input(
    admin_client_logged,
):
    source = factories.SourceFactory(page_first=505, page_last=535)
    data = mission_form(
        source, **{"knowledge-citation-content_type-object_id-1-locator": "999"}
    )
    response = admin_client_logged.post(reverse("admin:knowledge_mission_add"), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "outside the source&#x27;s page range 505-535" in content
    assert "Deployed after the Suez crisis." in content  # nothing typed is lost
    assert not Mission.objects.exists()


def test_admin_refuses_end_before_start(admin_client_logged):
    source = factories.SourceFactory()
    data = mission_form(source, end_date="1950-01-01", end_precision="year")
    response = admin_client_logged.post(reverse("admin:knowledge_mission_add"), data)
    assert response.status_code == 200
    assert "is before the start" in response.content.decode()


def test_publishing_an_incomplete_record_saves_a_draft_and_says_why(
    admin_client_logged,
):
    source = factories.SourceFactory()
    data = mission_form(
        source,
        **{
            "knowledge-classification-content_type-object_id-TOTAL_FORMS": "0",
        },
    )
    response = admin_client_logged.post(
        reverse("admin:knowledge_mission_add"), data, follow=True
    )
    mission = Mission.objects.get(slug="unef-i")
    assert mission.status == "draft"
    assert (
        "no Westphalian / post-Westphalian classification" in response.content.decode()
    )


def test_publish_action_goes_through_the_rules(admin_client_logged):
    complete = factories.MissionFactory(draft=True)
    incomplete = factories.MissionFactory(draft=True, classified=False)
    admin_client_logged.post(
        reverse("admin:knowledge_mission_changelist"),
        {
            "action": "publish_selected",
            "_selected_action": [complete.pk, incomplete.pk],
        },
    )
    complete.refresh_from_db()
    incomplete.refresh_from_db()
    assert complete.status == "published"
    assert incomplete.status == "draft"


def test_history_records_each_change(admin_client_logged):
    from apps.knowledge.models import Revision

    mission = factories.MissionFactory(summary="One. Two.", draft=True)
    url = reverse("admin:knowledge_mission_change", args=[mission.pk])
    for summary in ("Three. Four.", "Five. Six."):
        page = admin_client_logged.get(url)
        admin_client_logged.post(url, change_form_data(page, summary=summary))
    versions = Revision.objects.for_record(mission)
    assert [v.data["summary"] for v in versions] == ["Five. Six.", "Three. Four."]
    assert versions.first().data["classifications"]  # the whole record, every time


@pytest.mark.parametrize("model_name", [*factories.RECORD_FACTORIES, "revision"])
@pytest.mark.parametrize(
    "query",
    [
        {"updated_at__year": "-1"},
        {"updated_at__year": "99999999999999999999"},
        {"published_at__year": "0"},
        {"created_at__year": "10000"},
        {"start_date__year": "99999999999999999999"},  # the date hierarchy's
        {"date__year": "99999999999999999999"},
        {"created_at__year": "99999999999999999999"},
    ],
)
def test_a_year_out_of_range_in_a_changelist_is_the_invalid_lookup_redirect(
    admin_client_logged, model_name, query
):
    """Django checks the lookups it builds, not the years the database is asked for
    only when the query runs: those were a 500 (a ValueError) on every changelist."""
    factories.MissionFactory()
    url = reverse(f"admin:knowledge_{model_name}_changelist")
    response = admin_client_logged.get(url, query)
    assert response.status_code in (302, 200), response.status_code
    if response.status_code == 302:
        assert response["Location"].endswith("?e=1")


@pytest.mark.parametrize("object_id", ["abc", "1.5", "%00", "²"])
def test_a_revision_address_that_is_not_a_number_is_a_404(
    admin_client_logged, object_id
):
    url = reverse("admin:knowledge_revision_change", args=[object_id])
    assert admin_client_logged.get(url).status_code == 404
