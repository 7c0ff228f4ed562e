"""Writing through the API: who may do what, drafts, validation, publishing, If-Match."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.core.models import Status
from apps.knowledge.models import Mission
from apps.knowledge.models import Norm
from apps.knowledge.models import Source
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_cache_cleared")]

NORMS = "/api/v1/norms/"


def norm_payload(source, **extra):
    return {
        "slug": "responsibility-to-protect",
        "name": "Responsibility to protect",
        "conception": "post_westphalian",
        "summary": "States must protect their people. Others may step in if they fail.",
        "citations": [
            {"source": source.slug, "claim": "summary", "locator": "512-513"}
        ],
        **extra,
    }


def etag_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response["ETag"]


def patch_at(client, url, data, etag):
    """A JSON PATCH of the version the client read, named by its ETag (If-Match)."""
    return client.patch(url, data, format="json", HTTP_IF_MATCH=etag)


def write_current(client, url, data, *, method="patch"):
    """A PATCH (or PUT) that sends the record's current ETag as If-Match, as a client
    that has just read it does."""
    send = getattr(client, method)
    return send(url, data, format="json", HTTP_IF_MATCH=etag_of(client, url))


# --------------------------------------------------------------------------- matrix


@pytest.mark.parametrize(
    ("who", "create", "update", "publish"),
    [
        ("anonymous", 401, 401, 401),
        ("reader", 403, 403, 403),
        ("curator", 201, 202, 403),
        ("editor", 201, 200, 200),
    ],
)
def test_permission_matrix(request, who, create, update, publish):
    client = APIClient() if who == "anonymous" else request.getfixturevalue(f"as_{who}")
    source = factories.SourceFactory()
    existing = factories.NormFactory(slug="sovereignty")
    url = reverse("api:norm-detail", kwargs={"slug": "sovereignty"})
    etag = etag_of(APIClient(), url)

    response = client.post(NORMS, norm_payload(source), format="json")
    assert response.status_code == create, response.content
    response = patch_at(client, url, {"name": "Sovereign equality"}, etag)
    assert response.status_code == update, response.content
    response = client.post(url + "unpublish/")
    assert response.status_code == publish, response.content
    if create == 401:
        assert response["WWW-Authenticate"].startswith("Token")
        assert response.json()["code"] == "not_authenticated"
    existing.refresh_from_db()
    # Only an editor's change to a published record goes live at once.
    assert (existing.name == "Sovereign equality") is (update == 200)


def test_session_authentication_works_too(client, curator_user):
    client.force_login(curator_user)
    source = factories.SourceFactory()
    response = client.post(NORMS, norm_payload(source), content_type="application/json")
    # Session clients need the CSRF token like any form; the test client skips the check.
    assert response.status_code == 201


# --------------------------------------------------------------------------- create


def test_created_records_start_as_drafts_even_if_asked_otherwise(
    as_curator, curator_user
):
    source = factories.SourceFactory()
    response = as_curator.post(
        NORMS, norm_payload(source, status="published"), format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft"
    assert response["Location"] == body["url"]
    assert response["ETag"]
    norm = Norm.objects.get(slug="responsibility-to-protect")
    assert norm.status == Status.DRAFT
    assert norm.created_by == curator_user
    assert norm.updated_by == curator_user
    (citation,) = norm.citations.all()
    assert (citation.source, citation.locator, citation.page_start) == (
        source,
        "512-513",
        512,
    )
    # Drafts stay out of public view.
    assert APIClient().get(body["url"]).status_code == 404


def test_create_mission_with_relations_classification_and_dates(as_curator):
    un = factories.OrganisationFactory(slug="un")
    case = factories.CaseFactory(slug="suez-crisis")
    source = factories.SourceFactory(slug="flynn-farrell-1999")
    payload = {
        "slug": "unef-i",
        "name": "First United Nations Emergency Force",
        "acronym": "UNEF I",
        "start": "1956-11",
        "end": "1967",
        "mission_type": "traditional_peacekeeping",
        "host_consent": "all_parties",
        "organisations": ["un"],
        "authorising_body": "un",
        "cases": ["suez-crisis"],
        "summary": "An interposition force. It kept the parties apart.",
        "classifications": [
            {
                "value": "westphalian",
                "preferred": True,
                "period_start": 1956,
                "period_end": 1967,
                "rationale": "Consent-based and between states.",
                "citations": [
                    {
                        "source": "flynn-farrell-1999",
                        "claim": "classification",
                        "locator_type": "pages",
                        "locator": "515",
                    }
                ],
            }
        ],
        "citations": [
            {"source": "flynn-farrell-1999", "claim": "summary", "locator": "512"}
        ],
    }
    response = as_curator.post("/api/v1/missions/", payload, format="json")
    assert response.status_code == 201, response.content
    mission = Mission.objects.get(slug="unef-i")
    assert mission.start_date.isoformat() == "1956-11-01"
    assert mission.start_precision == "month"
    assert mission.end_precision == "year"
    assert list(mission.organisations.all()) == [un]
    assert list(mission.cases.all()) == [case]
    assert mission.authorising_body == un
    classification = mission.classifications.get()
    assert classification.citations.get().source == source
    body = response.json()
    # The draft's own representation (organisations are published, so they show).
    assert body["organisations"][0]["slug"] == "un"
    assert body["start"] == "1956-11"


# --------------------------------------------------------------------------- validation


def test_validation_errors_are_400_per_field(as_curator):
    factories.NormFactory(slug="taken")
    response = as_curator.post(
        NORMS,
        {"slug": "taken", "name": "", "conception": "nonsense"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"slug", "name", "conception"}


def test_model_validation_runs_on_writes(as_curator):
    source = factories.SourceFactory(page_first=505, page_last=535)
    payload = norm_payload(source)
    payload["citations"] = [
        {"source": source.slug, "claim": "summary", "locator": "512"},
        {"source": source.slug, "claim": "summary", "locator": "900"},
    ]
    response = as_curator.post(NORMS, payload, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]["citations"]
    assert errors[0] == {}
    assert "outside the source's page range" in errors[1]["locator"][0]
    assert not Norm.objects.filter(slug=payload["slug"]).exists()


def test_model_clean_errors_use_api_field_names(as_curator):
    response = as_curator.post(
        "/api/v1/cases/",
        {"slug": "backwards", "name": "Backwards", "start": "1999", "end": "1990"},
        format="json",
    )
    assert response.status_code == 400
    assert "before the start" in response.json()["errors"]["end"][0]
    bad_date = as_curator.post(
        "/api/v1/cases/", {"slug": "x", "name": "X", "start": "soon"}, format="json"
    )
    assert "YYYY" in bad_date.json()["errors"]["start"][0]


def test_unknown_related_slug_is_a_field_error(as_curator):
    response = as_curator.post(
        "/api/v1/missions/",
        {"slug": "m", "name": "M", "organisations": ["no-such-org"]},
        format="json",
    )
    assert response.status_code == 400
    assert "organisations" in response.json()["errors"]


def test_malformed_json_is_a_400_not_a_500(as_curator):
    response = as_curator.post(NORMS, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_two_preferred_classifications_are_refused(as_curator):
    response = as_curator.post(
        "/api/v1/cases/",
        {
            "slug": "c",
            "name": "C",
            "classifications": [
                {"value": "westphalian", "preferred": True, "rationale": "A."},
                {"value": "mixed", "preferred": True, "rationale": "B."},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "classifications" in response.json()["errors"]


def test_slug_cannot_change_on_update(as_curator):
    norm = factories.NormFactory(slug="stays", draft=True)
    url = reverse("api:norm-detail", kwargs={"slug": "stays"})
    response = write_current(as_curator, url, {"slug": "moved"})
    assert response.status_code == 200
    norm.refresh_from_db()
    assert norm.slug == "stays"


def test_a_published_record_must_keep_meeting_the_publishing_rules(as_editor):
    factories.NormFactory(slug="cited", name="Cited")
    url = reverse("api:norm-detail", kwargs={"slug": "cited"})
    response = write_current(as_editor, url, {"citations": []})
    # The request is well formed; the record's state forbids it (as for publishing),
    # and the service's refusal is the answer, in the admin form's words.
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "rules_not_met"
    assert response.json()["errors"]["non_field_errors"] == [
        "Cited is published and would no longer meet the publishing rules: It has no "
        "citation with a page or section locator."
    ]
    assert Norm.objects.get(slug="cited").citations.count() == 1


# --------------------------------------------------------------------------- If-Match


def test_updates_need_if_match_and_refuse_a_stale_etag(as_curator, as_editor):
    factories.NormFactory(slug="consent", name="Consent", draft=True)
    url = reverse("api:norm-detail", kwargs={"slug": "consent"})
    missing = as_curator.patch(url, {"name": "Consent of the parties"}, format="json")
    assert missing.status_code == 428
    assert missing.json()["code"] == "precondition_required"

    etag = etag_of(as_curator, url)
    # Someone else saves first.
    other = patch_at(as_editor, url, {"name": "Consent (edited)"}, etag)
    assert other.status_code == 200
    stale = patch_at(as_curator, url, {"name": "Consent of the parties"}, etag)
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    assert Norm.objects.get(slug="consent").name == "Consent (edited)"
    # With the new ETag (returned by the write), it goes through.
    fresh = patch_at(as_curator, url, {"name": "Consent of the parties"}, other["ETag"])
    assert fresh.status_code == 200, fresh.content
    assert fresh.json()["name"] == "Consent of the parties"
    assert fresh["ETag"] == etag_of(as_curator, url)


def test_full_update_with_put(as_curator):
    source = factories.SourceFactory()
    factories.NormFactory(slug="responsibility-to-protect", draft=True)
    url = reverse("api:norm-detail", kwargs={"slug": "responsibility-to-protect"})
    response = write_current(as_curator, url, norm_payload(source), method="put")
    assert response.status_code == 200, response.content
    assert response.json()["conception"] == "post_westphalian"


def test_delete_is_not_offered(as_editor):
    factories.NormFactory(slug="kept")
    url = reverse("api:norm-detail", kwargs={"slug": "kept"})
    assert as_editor.delete(url).status_code == 405
    assert Norm.objects.filter(slug="kept").exists()


def test_a_curators_change_to_a_published_record_waits_for_review(as_curator):
    from apps.knowledge.models import Revision

    factories.NormFactory(slug="consent", name="Consent")
    url = reverse("api:norm-detail", kwargs={"slug": "consent"})
    response = write_current(as_curator, url, {"name": "Consent of the parties"})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["code"] == "proposed"
    proposal = Revision.objects.pending().get(pk=body["revision"])
    assert proposal.data["name"] == "Consent of the parties"
    # The public keeps the approved version.
    assert APIClient().get(url).json()["name"] == "Consent"


def test_creating_and_editing_keeps_history(as_editor):
    from apps.knowledge.models import Revision

    source = factories.SourceFactory()
    created = as_editor.post(NORMS, norm_payload(source), format="json")
    norm = Norm.objects.get(slug=created.json()["slug"])
    patch_at(as_editor, created.json()["url"], {"name": "R2P"}, created["ETag"])
    assert Revision.objects.for_record(norm).count() == 2


# --------------------------------------------------------------------------- publishing


def test_editor_publishes_through_the_service_rules(as_curator, as_editor):
    source = factories.SourceFactory()
    created = as_curator.post(NORMS, norm_payload(source), format="json").json()
    url = created["url"]
    assert as_curator.post(url + "publish/").status_code == 403
    response = as_editor.post(url + "publish/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    norm = Norm.objects.get(slug=created["slug"])
    assert norm.published_at is not None
    assert APIClient().get(url).status_code == 200
    # And back.
    assert as_editor.post(url + "unpublish/").json()["status"] == "draft"
    assert APIClient().get(url).status_code == 404


def test_publishing_an_incomplete_record_says_what_is_missing(as_editor):
    mission = factories.MissionFactory(draft=True, classified=False)
    url = reverse("api:mission-detail", kwargs={"slug": mission.slug})
    response = as_editor.post(url + "publish/")
    # A well-formed request on a record whose state forbids it: a conflict.
    assert response.status_code == 409
    assert response.json()["code"] == "rules_not_met"
    message = response.json()["errors"]["non_field_errors"][0]
    assert "no Westphalian / post-Westphalian classification" in message
    mission.refresh_from_db()
    assert mission.status == Status.DRAFT


def test_source_authors_and_pages_are_writable(as_curator):
    authors = [
        {"family": "Flynn", "given": "Gregory"},
        {"family": "Farrell", "given": "Henry"},
    ]
    response = as_curator.post(
        "/api/v1/sources/",
        {
            "slug": "flynn-farrell-1999",
            "kind": "article",
            "title": "Piecing Together the Democratic Peace",
            "authors": authors,
            "container_title": "International Organization",
            "year": 1999,
            "pages": "505-535",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    source = Source.objects.get(slug="flynn-farrell-1999")
    assert [{"family": c.family, "given": c.given} for c in source.authors()] == authors
    assert (source.page_first, source.page_last) == (505, 535)
    assert response.json()["pages"] == "505-535"
    bad = as_curator.post(
        "/api/v1/sources/",
        {"slug": "y", "kind": "book", "title": "Y", "pages": "535-505"},
        format="json",
    )
    assert bad.status_code == 400
    assert "pages" in bad.json()["errors"]


# --------------------------------------------------------------------------- tokens


def test_tokens_are_obtained_and_revoked(reader):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "reader", "password": "pw-reader-1"}
    )
    assert response.status_code == 200, response.content
    key = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert not Token.objects.filter(key=key).exists()
    assert client.get("/api/v1/norms/").status_code == 401
    wrong = APIClient().post(
        "/api/v1/auth/token/", {"username": "reader", "password": "wrong"}
    )
    assert wrong.status_code == 400


MINIMAL = {
    "mission": {"name": "A mission"},
    "case": {"name": "A case"},
    "norm": {"name": "A norm", "conception": "contested"},
    "document": {"title": "A document", "kind": "resolution"},
    "organisation": {"name": "An organisation", "kind": "regional"},
    "concept": {"term": "A concept"},
    "source": {"kind": "book", "title": "A book", "year": 2004},
    "comparisonrow": {
        "name": "A row",
        "section": "dimension",
        "westphalian": "Between states.",
        "post_westphalian": "Inside states.",
    },
}


@pytest.mark.parametrize("name", list(MINIMAL))
def test_every_record_type_can_be_created_edited_and_published(as_editor, name):
    source = factories.SourceFactory(slug="the-source")
    payload = {
        "slug": "new-record",
        **MINIMAL[name],
        "citations": [{"source": source.slug, "claim": "summary", "locator": "512"}],
    }
    created = as_editor.post(reverse(f"api:{name}-list"), payload, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "draft"
    url = created.json()["url"]
    edited = patch_at(
        as_editor, url, {"summary": "What it is. Why it matters."}, created["ETag"]
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["summary"] == "What it is. Why it matters."
    published = as_editor.post(url + "publish/")
    if name in ("mission", "case"):  # they need a cited classification first
        assert published.status_code == 409
    else:
        assert published.status_code == 200, published.content
        assert APIClient().get(url).status_code == 200


# --------------------------------------------------------------------------- one writer


def _ids(mission):
    classification_ids = sorted(mission.classifications.values_list("pk", flat=True))
    citations = [c.pk for c in mission.citations.all()]
    for classification in mission.classifications.all():
        citations += [c.pk for c in classification.citations.all()]
    return classification_ids, sorted(citations)


def test_a_patch_of_one_field_keeps_the_citations_and_classifications(as_editor):
    """The API writes the canonical dict through the one writer, which leaves parts
    the request did not change as they are: same rows, same ids, one history entry."""
    from apps.knowledge.models import Revision

    mission = factories.MissionFactory(slug="unef-i")
    before = _ids(mission)
    assert before[0] and before[1]
    versions = Revision.objects.for_record(mission).count()
    url = reverse("api:mission-detail", kwargs={"slug": "unef-i"})
    response = write_current(as_editor, url, {"acronym": "UNEF"})
    assert response.status_code == 200, response.content
    mission.refresh_from_db()
    assert mission.acronym == "UNEF"
    assert _ids(mission) == before
    assert Revision.objects.for_record(mission).count() == versions + 1


def test_writer_refusals_name_the_api_field(as_curator):
    """A problem only the writer finds (a citation's page outside its source's range,
    inside a classification) is a 400 on the field as the request spells it."""
    source = factories.SourceFactory(slug="short", page_first=10, page_last=20)
    response = as_curator.post(
        "/api/v1/cases/",
        {
            "slug": "c",
            "name": "C",
            "classifications": [
                {
                    "value": "westphalian",
                    "preferred": True,
                    "rationale": "A.",
                    "citations": [{"source": source.slug, "locator": "99"}],
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    (item,) = response.json()["errors"]["classifications"]
    assert "outside the source's page range 10-20" in item["citations"][0]["locator"][0]
    assert not Mission.objects.filter(slug="c").exists()


def test_a_curators_proposal_keeps_the_canonical_dict_and_changes_nothing_live(
    as_curator,
):
    from apps.knowledge.models import Revision

    norm = factories.NormFactory(slug="consent", name="Consent")
    citation_ids = list(norm.citations.values_list("pk", flat=True))
    url = reverse("api:norm-detail", kwargs={"slug": "consent"})
    response = write_current(as_curator, url, {"summary": "Line one.\r\nLine two."})
    assert response.status_code == 202, response.content
    proposal = Revision.objects.get(pk=response.json()["revision"])
    assert proposal.data["summary"] == "Line one.\nLine two."  # one normalisation
    assert proposal.data["citations"] == proposal.base_data["citations"]
    assert list(norm.citations.values_list("pk", flat=True)) == citation_ids


def test_a_curators_second_patch_continues_their_proposal(as_curator):
    """B4 through the API: the second change adds to the first instead of dropping it."""
    from apps.knowledge.models import Revision

    factories.NormFactory(slug="consent", name="Consent")
    url = reverse("api:norm-detail", kwargs={"slug": "consent"})
    first = write_current(as_curator, url, {"name": "Consent of the parties"})
    assert first.status_code == 202, first.content
    second = write_current(
        as_curator, url, {"summary": "Agreement of the host state and the parties."}
    )
    assert second.status_code == 202, second.content
    (pending,) = Revision.objects.pending().filter(pk=second.json()["revision"])
    assert pending.data["name"] == "Consent of the parties"
    assert pending.data["summary"] == "Agreement of the host state and the parties."
    assert APIClient().get(url).json()["name"] == "Consent"


# --------------------------------------------------------------------------- B7


def _norm_citing_a_draft_source():
    source = factories.SourceFactory(draft=True, slug="draft-work", title="Draft work")
    norm = factories.NormFactory(draft=True, slug="cites-a-draft")
    factories.CitationFactory(target=norm, source=source, locator="3")
    return norm, source


def test_publishing_a_record_citing_a_draft_source_names_it(as_editor):
    norm, source = _norm_citing_a_draft_source()
    response = as_editor.post(f"{NORMS}{norm.slug}/publish/")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "rules_not_met"
    assert "Draft work" in response.json()["errors"]["non_field_errors"][0]
    norm.refresh_from_db()
    source.refresh_from_db()
    assert norm.status == source.status == Status.DRAFT


def test_publishing_with_sources_publishes_them_together(as_editor, editor):
    from apps.knowledge.models import Revision

    norm, source = _norm_citing_a_draft_source()
    response = as_editor.post(
        f"{NORMS}{norm.slug}/publish/", {"with_sources": True}, format="json"
    )
    assert response.status_code == 200, response.content
    norm.refresh_from_db()
    source.refresh_from_db()
    assert norm.status == source.status == Status.PUBLISHED
    (version,) = Revision.objects.for_record(source).published()
    assert version.author == editor
    cited = APIClient().get(f"{NORMS}{norm.slug}/").json()["citations"]
    assert "draft-work" in {c["source"]["slug"] for c in cited}


def test_with_sources_needs_the_permission_to_publish_sources(
    django_user_model, as_editor
):
    from django.contrib.auth.models import Permission

    from .conftest import token_client

    user = django_user_model.objects.create_user("normeditor", password="pw-n-1")
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["change_norm", "publish_norm"])
    )
    norm, source = _norm_citing_a_draft_source()
    response = token_client(user).post(
        f"{NORMS}{norm.slug}/publish/", {"with_sources": True}, format="json"
    )
    assert response.status_code == 403, response.content
    norm.refresh_from_db()
    source.refresh_from_db()
    assert norm.status == source.status == Status.DRAFT


def test_the_schema_documents_with_sources(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    publish = schema["paths"]["/api/v1/norms/{slug}/publish/"]["post"]
    ref = publish["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert component["properties"]["with_sources"]["type"] == "boolean"
    assert not publish["requestBody"].get("required")


def test_links_by_slug_reach_the_writer_for_norms_and_concepts(as_editor):
    """A norm's `related` is a list; a concept's links sit under one `related` mapping
    in the canonical dict: a PATCH of one kind of link keeps the others."""
    other = factories.NormFactory(slug="consent")
    created = as_editor.post(
        NORMS,
        {
            "slug": "r2p",
            "name": "R2P",
            "conception": "contested",
            "related": ["consent"],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert list(Norm.objects.get(slug="r2p").related.all()) == [other]
    mission = factories.MissionFactory(slug="unef-i")
    concept = as_editor.post(
        "/api/v1/concepts/",
        {"slug": "consent-c", "term": "Consent", "norms": ["consent"]},
        format="json",
    )
    assert concept.status_code == 201, concept.content
    patched = patch_at(
        as_editor, concept.json()["url"], {"missions": ["unef-i"]}, concept["ETag"]
    )
    assert patched.status_code == 200, patched.content
    from apps.knowledge.models import Concept

    saved = Concept.objects.get(slug="consent-c")
    assert list(saved.norms.all()) == [other]
    assert list(saved.missions.all()) == [mission]
