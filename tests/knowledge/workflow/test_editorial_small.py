"""Issue 13: the smaller review items and the admin's usability."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError
from django.core.management import call_command
from django.urls import reverse

from apps.knowledge import importers
from apps.knowledge import services
from apps.knowledge.diff import diff_records
from apps.knowledge.models import Mission
from apps.knowledge.models import Revision
from tests.factories import MissionFactory
from tests.factories import NormFactory
from tests.factories import SourceFactory

from .admin_forms import change_form_data
from .admin_forms import change_url
from .edits import edit

pytestmark = pytest.mark.django_db


def test_queue_type_filter_lists_only_record_types_with_revisions(
    editor_client, curator
):
    norm = NormFactory()
    live = services.record_content(norm)
    services.revision_propose(record=norm, data={**live, "name": "X"}, user=curator)
    page = editor_client.get(reverse("admin:knowledge_revision_changelist"))
    html = page.content.decode()
    assert "access attempt" not in html.lower()
    assert "historical" not in html.lower()


def test_untitled_draft_sources_list_readably(editor_client):
    SourceFactory(draft=True, title="", slug="bloed-1993")
    html = editor_client.get(reverse("admin:knowledge_source_changelist")).content
    assert "(untitled: bloed-1993)" in html.decode()


def test_a_missing_locator_is_one_error(editor_client):
    mission = MissionFactory(draft=True)
    page = editor_client.get(change_url(mission))
    prefix = "knowledge-citation-content_type-object_id-0"
    response = editor_client.post(
        change_url(mission), change_form_data(page, **{f"{prefix}-locator": ""})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("Give a page, section, paragraph or note.") == 1
    assert "This field is required." not in html


def test_restore_labels_name_the_version_date_and_author(editor, editor_client):
    norm = NormFactory(draft=True, summary="First. Version.")
    edit(norm, user=editor, summary="Second. Version.")
    revision = Revision.objects.for_record(norm).get()
    html = editor_client.get(
        reverse("admin:knowledge_norm_versions", args=[norm.pk])
    ).content.decode()
    assert f"Restore version #{revision.pk} (" in html and "edith)" in html
    restored = services.record_restore(
        record=norm, revision=revision, user=editor, before=True
    )
    assert f"version #{revision.pk} of" in restored.comment
    assert "by edith" in restored.comment


def test_recent_actions_do_not_show_an_unapproved_proposals_label(curator_client):
    from django.contrib.admin.models import LogEntry

    mission = MissionFactory(name="Live name")
    page = curator_client.get(change_url(mission))
    curator_client.post(change_url(mission), change_form_data(page, name="Not live"))
    entry = LogEntry.objects.get()
    assert (
        entry.object_repr == str(Mission.objects.get())
        and "Not live" not in entry.object_repr
    )
    assert "Proposed a change for review" in entry.get_change_message()


def test_diffs_show_labels_not_codes():
    mission = MissionFactory()
    changes = diff_records(
        {"host_consent": "host_government"}, {"host_consent": "none"}, Mission
    )
    labels = Mission._meta.get_field("host_consent").choices
    expected = dict(labels)
    assert changes[0].before == expected["host_government"] != "host_government"
    assert mission


def test_two_pasted_bibtex_entries_are_refused_saying_so():
    text = "@book{a, title={One}, year=1999}\n@book{b, title={Two}, year=2000}\n"
    with pytest.raises(importers.ImportProblem, match="2 entries"):
        importers.parse_reference(text)


# --------------------------------------------------------------------------- admin


def test_name_comes_before_slug(editor_client):
    page = editor_client.get(reverse("admin:knowledge_mission_add"))
    fields = list(page.context["adminform"].form.fields)
    assert fields.index("name") < fields.index("slug")


def test_a_classifications_source_is_an_autocomplete(editor_client):
    mission = MissionFactory()
    page = editor_client.get(change_url(mission))
    formset = next(
        f.formset
        for f in page.context["inline_admin_formsets"]
        if f.formset.model.__name__ == "Classification"
    )
    widget = formset.forms[0].fields["source"].widget
    assert "admin-autocomplete" in widget.build_attrs({})["class"]


def test_mark_reviewed_on_the_record_page(editor_client):
    norm = NormFactory(last_reviewed=datetime.date(2000, 1, 1))
    page = editor_client.get(change_url(norm))
    assert "Mark reviewed today" in page.content.decode()
    editor_client.post(
        reverse("admin:knowledge_norm_transition", args=[norm.pk, "mark_reviewed"])
    )
    norm.refresh_from_db()
    assert norm.last_reviewed == datetime.date.today()


def test_staleness_queue_is_grouped_and_paged(editor_client):
    for _ in range(30):
        NormFactory(last_reviewed=None)
    url = reverse("admin:knowledge_needs_review")
    html = editor_client.get(url).content.decode()
    assert "Norms (30)" in html and "Page 1 of 2" in html
    second = editor_client.get(url, {"type": "norm", "page": 2}).content.decode()
    assert "Page 2 of 2" in second


def test_admin_home_shows_my_proposals_and_my_reviews(
    curator, curator_client, editor_client
):
    norm = NormFactory(name="Consent")
    live = services.record_content(norm)
    services.revision_propose(record=norm, data={**live, "name": "X"}, user=curator)
    mine = curator_client.get(reverse("admin:index")).content.decode()
    assert "My proposals" in mine and "Consent" in mine
    theirs = editor_client.get(reverse("admin:index")).content.decode()
    assert "Awaiting my review (1)" in theirs


def test_conception_fields_are_explained_with_a_codebook_link(editor_client):
    html = editor_client.get(reverse("admin:knowledge_mission_add")).content.decode()
    assert "<em>Preferred</em> marks the one judgement shown first" in html
    assert "#codebook" in html


def test_grant_role_grants_and_revokes(django_user_model):
    user = django_user_model.objects.create_user("nora", password="pw-nora-1")
    call_command("grant_role", "nora", "editor")
    user.refresh_from_db()
    assert user.is_staff and user.groups.filter(name="Editor").exists()
    call_command("grant_role", "nora", "editor", "--revoke")
    assert not Group.objects.get(name="Editor").user_set.filter(pk=user.pk).exists()
    with pytest.raises(CommandError, match="No user"):
        call_command("grant_role", "nobody", "curator")
