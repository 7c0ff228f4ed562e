"""Issue 13, one history: the Revision model is the only history. Every change the public
sees leaves a published version; the admin's history page reads it, compares any two
versions with labels, and still serves a deleted record; the API lists the published
versions, paged, each citable."""

import importlib.util
import tomllib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import reverse

from apps.core.models import Status
from apps.knowledge import services
from apps.knowledge.models import Mission
from apps.knowledge.models import Norm
from apps.knowledge.models import Revision
from tests.factories import CitationFactory
from tests.factories import MissionFactory
from tests.factories import NormFactory
from tests.factories import SourceFactory

from .admin_forms import change_form_data
from .edits import edit

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def history_url(record, pk=None):
    name = f"admin:knowledge_{record._meta.model_name}_history"
    return reverse(name, args=[pk or record.pk])


def published_versions(record):
    return list(Revision.objects.for_record(record).published())


# --------------------------------------------------------------------------- one system


def test_there_is_no_second_history_system():
    assert importlib.util.find_spec("simple_history") is None
    assert not [app for app in settings.INSTALLED_APPS if "history" in app]
    assert not [m for m in settings.MIDDLEWARE if "history" in m.lower()]
    knowledge = apps.get_app_config("knowledge")
    assert not [m for m in knowledge.get_models() if m.__name__.startswith("Historic")]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    dependencies = " ".join(pyproject["project"]["dependencies"]).lower()
    assert "history" not in dependencies and "reversion" not in dependencies


# --------------------------------------------------------------------------- completeness


def test_every_change_the_public_sees_is_a_published_version(curator, editor):
    # An editor publishes a draft: one "Published" version.
    norm = NormFactory(draft=True, name="Consent")
    services.record_publish(record=norm, user=editor)
    (first,) = published_versions(norm)
    assert first.action == "publish" and first.author == editor
    assert first.data["name"] == "Consent"

    # An editor's own edit of the published record goes live: a published version.
    edit(norm, user=editor, name="Consent of the parties")
    assert published_versions(norm)[0].data["name"] == "Consent of the parties"

    # A curator's proposal is not public until approved; then it is the version.
    proposal = services.revision_propose(
        record=norm,
        data={**services.record_content(norm), "name": "Host consent"},
        user=curator,
    )
    assert len(published_versions(norm)) == 2
    services.revision_approve(revision=proposal, user=editor)
    latest = published_versions(norm)[0]
    assert latest.pk == proposal.pk and latest.reviewer == editor
    assert latest.data["name"] == "Host consent"

    # An editor's restore of a published record is a published version too.
    services.record_restore(record=norm, revision=first, user=editor)
    assert published_versions(norm)[0].action == "restore"
    assert published_versions(norm)[0].data["name"] == "Consent"
    assert len(published_versions(norm)) == 4

    # Unpublished, then published again: the new publication is kept as well.
    services.record_unpublish(record=norm, user=editor)
    services.record_publish(record=norm, user=editor)
    assert len(published_versions(norm)) == 5


def test_an_approved_submission_is_the_published_version(curator, editor):
    norm = NormFactory(draft=True)
    services.record_submit(record=norm, user=curator)
    (submission,) = Revision.objects.for_record(norm).pending()
    services.revision_approve(revision=submission, user=editor)
    assert published_versions(norm) == [submission]
    submission.refresh_from_db()
    assert submission.reviewer == editor and submission.published_at is not None


def test_an_undeleted_record_keeps_its_history_and_gains_a_version(editor):
    mission = MissionFactory(draft=True, name="Kept Mission")
    edit(mission, user=editor, acronym="KM")
    deletion = services.record_delete(record=mission, user=editor)
    back = services.record_undelete(revision=deletion, user=editor)
    actions = list(Revision.objects.for_record(back).values_list("action", flat=True))
    assert actions == ["undelete", "delete", "edit"]


# --------------------------------------------------------------------------- admin


def test_the_history_page_lists_every_version_and_restores(editor_client, editor):
    norm = NormFactory(draft=True, summary="First. Version.")
    page = editor_client.get(reverse("admin:knowledge_norm_change", args=[norm.pk]))
    editor_client.post(
        reverse("admin:knowledge_norm_change", args=[norm.pk]),
        change_form_data(page, summary="Second. Version."),
    )
    history = editor_client.get(history_url(norm))
    assert history.status_code == 200
    html = history.content.decode()
    (revision,) = history.context["revisions"]
    assert f"#{revision.pk}," in html and "Edited by edith" in html
    assert "<del>First.</del>" in html or "<del>First. Version.</del>" in html
    assert f"Restore version #{revision.pk} (" in html


def test_any_two_versions_can_be_compared_with_labels_not_codes(editor_client, editor):
    mission = MissionFactory(draft=True, host_consent="all_parties", acronym="ONE")
    for field, value in [
        ("acronym", "TWO"),
        ("host_consent", "host_government"),
        ("acronym", "THREE"),
    ]:
        edit(mission, user=editor, **{field: value})
    oldest, _middle, newest = reversed(Revision.objects.for_record(mission))
    page = editor_client.get(history_url(mission), {"from": oldest.pk, "to": newest.pk})
    older, newer, changes = page.context["comparison"]
    assert (older, newer) == (oldest, newest)
    assert {c.key for c in changes} == {"acronym", "host_consent"}
    html = page.content.decode()
    comparison = html[html.index('id="comparison"') : html.index('id="revision-')]
    labels = dict(Mission._meta.get_field("host_consent").choices)
    assert labels["host_government"] in comparison
    assert "host_government" not in comparison
    assert "<del>TWO</del>" in comparison and "<ins>THREE</ins>" in comparison
    # Every version is offered on both sides.
    assert html.count("<option") == 2 * 3
    # Without a choice, nothing is compared; a version of another record is ignored.
    assert editor_client.get(history_url(mission)).context["comparison"] is None
    other = NormFactory(draft=True)
    edit(other, user=editor, name="Elsewhere")
    foreign = Revision.objects.for_record(other).get()
    page = editor_client.get(
        history_url(mission), {"from": foreign.pk, "to": newest.pk}
    )
    assert page.context["comparison"] is None


def test_a_deleted_records_history_can_still_be_read(editor_client, editor):
    norm = NormFactory(name="Gone Norm")
    pk = norm.pk
    services.record_delete(record=norm, user=editor)
    history = editor_client.get(reverse("admin:knowledge_norm_history", args=[pk]))
    assert history.status_code == 200
    html = history.content.decode()
    assert "Deleted by edith" in html and "Restore version" not in html
    assert editor_client.get(
        reverse("admin:knowledge_norm_history", args=[pk + 1000])
    ).status_code in (302, 404)


def test_a_citations_history_is_its_records(editor_client):
    norm = NormFactory()
    citation = CitationFactory(target=norm, locator="513")
    response = editor_client.get(
        reverse("admin:knowledge_citation_history", args=[citation.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == history_url(norm)


def test_someone_who_may_only_view_reads_the_history_without_restoring(
    django_user_model,
):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("vera", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_norm"))
    client = Client()
    client.force_login(viewer)
    norm = NormFactory(draft=True)
    edit(norm, user=None, name="Changed")
    html = client.get(history_url(norm)).content.decode()
    assert "Edited by the system" in html and "Restore version" not in html


# --------------------------------------------------------------------------- API


def test_the_api_lists_published_versions_paged_and_citable(editor):
    public_source = SourceFactory(slug="flynn-farrell", title="Piecing")
    draft_source = SourceFactory(slug="secret-draft", draft=True)
    draft_norm = NormFactory(slug="draft-norm", draft=True)
    mission = MissionFactory(slug="unef-x", draft=True, curator_note="internal")
    mission.norms.add(draft_norm)
    CitationFactory(target=mission, source=public_source, locator="509")
    services.record_publish(record=mission, user=editor)
    for acronym in ("A", "B"):
        edit(mission, user=editor, acronym=acronym)
    # A citation to a source that is a draft now is not shown in the past version.
    mission.citations.create(source=draft_source, locator="510")
    services.record_unpublish(record=mission, user=editor)
    services.record_publish(record=draft_source, user=editor)
    services.record_publish(record=mission, user=editor)
    services.record_unpublish(record=draft_source, user=editor)

    url = reverse("api:mission-history", kwargs={"slug": "unef-x"})
    client = Client()
    body = client.get(url, {"page_size": 2}).json()
    assert body["count"] == 4 and len(body["results"]) == 2 and body["next"]
    newest = body["results"][0]
    version = Revision.objects.for_record(mission).published().first()
    assert newest["version"] == version.pk
    assert newest["date"].startswith(str(version.published_at.date()))
    assert newest["action"] == "Published"
    assert newest["author"] == "an editor"  # no full name given; never a login name
    assert newest["data"]["acronym"] == "B"
    assert {"source": "flynn-farrell", "claim": "summary", "pages": "509"} in (
        newest["data"]["citations"]
    )
    assert "secret-draft" not in {c["source"] for c in newest["data"]["citations"]}
    assert newest["data"]["norms"] == []  # a draft's slug is not public
    assert "curator_note" not in newest["data"]
    raw = client.get(url).content
    for private in (b"internal", b"secret-draft", b"draft-norm", b"edith"):
        assert private not in raw
    oldest = client.get(url, {"page_size": 2, "page": 2}).json()["results"][-1]
    assert oldest["action"] == "Published"
    assert oldest["data"]["acronym"] not in ("A", "B")
    hidden = NormFactory(slug="hidden", draft=True)
    services.record_publish(record=hidden, user=editor)
    services.record_unpublish(record=hidden, user=editor)
    assert (
        client.get(reverse("api:norm-history", kwargs={"slug": "hidden"})).status_code
        == 404
    )


def test_a_record_loaded_without_versions_has_an_empty_history():
    norm = NormFactory(slug="loaded")
    assert norm.status == Status.PUBLISHED
    body = Client().get(reverse("api:norm-history", kwargs={"slug": "loaded"})).json()
    assert body["count"] == 0 and body["results"] == []


def test_norm_model_has_no_history_manager():
    assert not hasattr(Norm, "history")


def test_the_loader_leaves_one_published_version_per_published_record(tmp_path):
    from apps.knowledge import dataset
    from apps.knowledge.canonical import record_to_dict
    from apps.knowledge.canonical import record_type_for

    source = SourceFactory(slug="loaded-source")
    template = NormFactory(slug="loaded-norm")
    data = record_to_dict(record_type_for(Norm), template)
    data["citations"] = [{"source": source.slug, "claim": "summary", "pages": "510"}]
    data.pop("status", None)
    template.citations.all().delete()
    template.delete()
    (tmp_path / "norms").mkdir()
    (tmp_path / "norms" / "loaded-norm.yaml").write_text(
        dataset.dump_yaml(data), encoding="utf-8", newline=""
    )
    dataset.load_dataset(tmp_path)
    norm = Norm.objects.get(slug="loaded-norm")
    assert norm.status == Status.PUBLISHED
    # One entry for the one write: created and published by the same load.
    (published,) = Revision.objects.for_record(norm)
    assert published.action == "create" and published.published_at is not None
    assert list(published_versions(norm)) == [published]
    assert published.data["slug"] == "loaded-norm"
