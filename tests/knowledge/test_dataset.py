"""The curated dataset: loads, validates, is idempotent and round-trips exactly."""

import filecmp
import textwrap

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.knowledge.dataset import DatasetError
from apps.knowledge.dataset import load_dataset
from apps.knowledge.models import Case
from apps.knowledge.models import Citation
from apps.knowledge.models import Mission
from apps.knowledge.models import Revision
from apps.knowledge.models import Source

pytestmark = pytest.mark.django_db


def write(root, relative, text):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


# What every tiny dataset starts from (tests/test_resilience_properties.py's too).
TINY_BASICS = {
    "countries.yaml": "- {code: EG, name: Egypt, region: middle_east}\n",
    "mandate_tasks.yaml": """\
        - slug: interposition
          name: Interposition
          conception: westphalian
          description: Standing between the parties.
        """,
    "sources/ff.yaml": """\
        slug: ff
        kind: article
        title: A journal article
        authors: [{family: Flynn, given: Gregory}]
        year: 1999
        pages: "505-535"
        """,
}


@pytest.fixture
def tiny(tmp_path):
    for relative, text in TINY_BASICS.items():
        write(tmp_path, relative, text)
    write(
        tmp_path,
        "cases/suez.yaml",
        """\
        slug: suez
        name: Suez Crisis
        countries: [EG]
        start: "1956-10"
        conflict_type: inter_state
        summary: A crisis. It had two sentences.
        classifications:
          - value: westphalian
            basis: author
            preferred: true
            rationale: Between states.
            citations: [{source: ff, claim: classification, pages: "512"}]
        citations: [{source: ff, claim: summary, pages: "512-513"}]
        """,
    )
    write(
        tmp_path,
        "missions/unef.yaml",
        """\
        slug: unef
        name: First UN Emergency Force
        acronym: UNEF I
        cases: [suez]
        start: "1956-11"
        end: "1967"
        mandate_tasks: [interposition]
        host_consent: all_parties
        summary: A force. It stood between armies.
        classifications:
          - value: westphalian
            basis: curators
            rule: tasks-westphalian
            preferred: true
            rationale: Consent and interposition.
            citations: [{source: ff, claim: classification, pages: "512"}]
        citations:
          - {source: ff, claim: summary, pages: "512"}
          - {source: ff, claim: host_consent, pages: "513", note: Our note.}
        """,
    )
    return tmp_path


def test_tiny_dataset_loads_and_publishes_complete_records(tiny):
    report = load_dataset(tiny)
    assert report.created == 3 and report.drafts == []
    mission = Mission.objects.published().get(slug="unef")
    assert mission.cases.get().slug == "suez"
    assert mission.start_display == "November 1956"
    assert mission.citations.count() == 2
    assert mission.preferred_classification().citations.get().locator == "512"


def test_loading_twice_changes_nothing(tiny):
    load_dataset(tiny)
    stamps = {m.slug: m.updated_at for m in Mission.objects.all()}
    citation_ids = set(Citation.objects.values_list("id", flat=True))
    report = load_dataset(tiny)
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged == 3
    assert {m.slug: m.updated_at for m in Mission.objects.all()} == stamps
    assert set(Citation.objects.values_list("id", flat=True)) == citation_ids


def test_the_loader_keeps_one_version_per_changed_record_and_none_when_unchanged(
    tiny,
):
    """Issue 13: the loader leaves history like every other door."""
    load_dataset(tiny)
    assert Revision.objects.filter(action="create").count() == 3
    load_dataset(tiny)
    assert Revision.objects.count() == 3  # an unchanged reload keeps nothing
    path = tiny / "missions/unef.yaml"
    path.write_text(
        path.read_text().replace("It stood between armies.", "It kept a line.")
    )
    load_dataset(tiny)
    mission = Mission.objects.get(slug="unef")
    latest = Revision.objects.for_record(mission).first()
    assert Revision.objects.count() == 4
    assert (latest.action, latest.author) == ("edit", None)
    assert latest.base_data["summary"] == "A force. It stood between armies."
    assert latest.data["summary"] == "A force. It kept a line."
    assert mission.status == "published"


def test_the_loader_publishes_through_the_workflow_keeping_the_files_review_date(
    tiny, django_user_model
):
    editor = django_user_model.objects.create_superuser("ed", "ed@example.org", "pw")
    path = tiny / "missions/unef.yaml"
    path.write_text(path.read_text() + "last_reviewed: '2026-01-02'\n")
    load_dataset(tiny, user=editor)
    mission = Mission.objects.get(slug="unef")
    assert (mission.status, str(mission.last_reviewed)) == ("published", "2026-01-02")
    assert Revision.objects.for_record(mission).get().author == editor


def test_an_edit_in_a_file_updates_only_that_record(tiny):
    load_dataset(tiny)
    path = tiny / "missions/unef.yaml"
    path.write_text(
        path.read_text().replace("It stood between armies.", "It kept a line.")
    )
    report = load_dataset(tiny)
    assert report.updated == 1
    assert Mission.objects.get(slug="unef").summary.endswith("It kept a line.")


def test_errors_name_file_record_and_field_and_load_nothing(tiny):
    path = tiny / "missions/unef.yaml"
    path.write_text(
        path.read_text()
        .replace('end: "1967"', 'end: "1950"')
        .replace("cases: [suez]", "cases: [nowhere]")
    )
    with pytest.raises(DatasetError) as exc:
        load_dataset(tiny)
    text = str(exc.value)
    assert 'missions/unef.yaml: record "unef", field "end"' in text
    assert '"nowhere" is not a known case slug' in text
    assert (
        Mission.objects.count() == Case.objects.count() == Source.objects.count() == 0
    )


def test_page_outside_the_source_range_is_reported(tiny):
    path = tiny / "missions/unef.yaml"
    path.write_text(path.read_text().replace('pages: "513"', 'pages: "600"'))
    with pytest.raises(DatasetError) as exc:
        load_dataset(tiny)
    assert "outside the source's page range 505-535" in str(exc.value)


def test_unknown_fields_and_bad_yaml_are_reported(tiny):
    write(tiny, "norms/broken.yaml", "slug: broken\nname: [unclosed\n")
    with pytest.raises(DatasetError) as exc:
        load_dataset(tiny)
    assert "norms/broken.yaml: not valid YAML" in str(exc.value)
    (tiny / "norms/broken.yaml").unlink()
    path = tiny / "cases/suez.yaml"
    path.write_text(path.read_text() + "colour: blue\n")
    with pytest.raises(DatasetError) as exc:
        load_dataset(tiny)
    assert 'cases/suez.yaml: record "suez", field "colour": unknown field' in str(
        exc.value
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty: a record file needs its fields"),
        ("# only a comment\n", "empty: a record file needs its fields"),
        ("slug: broken\nsummary: " + "[" * 20000 + "]" * 20000 + "\n", "nested more"),
        (
            "slug: broken\nsummary:\n" + "".join("  " * i + "- \n" for i in range(200)),
            "nested more",
        ),
    ],
    ids=["empty", "comment-only", "flow-20000-deep", "block-200-deep"],
)
def test_empty_and_deeply_nested_files_are_clear_errors(tiny, text, message):
    write(tiny, "norms/broken.yaml", text)
    with pytest.raises(CommandError) as exc:
        call_command("load_knowledge", str(tiny))
    assert "norms/broken.yaml" in str(exc.value)
    assert message in str(exc.value)


def test_incomplete_records_load_as_drafts(tiny):
    write(
        tiny,
        "norms/consent.yaml",
        "slug: consent\nname: Consent\nconception: westphalian\n",
    )
    report = load_dataset(tiny)
    assert any(
        line.startswith("norms/consent: It has no summary.") for line in report.drafts
    )
    assert not Mission.objects.none().exists()
    from apps.knowledge.models import Norm

    assert Norm.objects.get(slug="consent").status == "draft"


def test_dry_run_validates_and_rolls_back(tiny):
    call_command("load_knowledge", str(tiny), "--dry-run")
    assert Mission.objects.count() == 0


def test_command_reports_problems_as_a_command_error(tiny):
    (tiny / "missions/unef.yaml").write_text("slug: other\n")
    with pytest.raises(CommandError, match="must equal the file name"):
        call_command("load_knowledge", str(tiny))


def test_tiny_dataset_round_trips_exactly(tiny, tmp_path_factory):
    load_dataset(tiny)
    first = exported(tmp_path_factory.mktemp("first"))
    assert_reloads_the_same(
        first, tmp_path_factory.mktemp("second"), Mission, Case, Citation, Source
    )


def exported(folder):
    """`folder`, after export_knowledge has written the knowledge base into it."""
    call_command("export_knowledge", str(folder))
    return folder


def assert_reloads_the_same(export, second, *emptied):
    """Delete the records of the `emptied` models, load `export` back and export again
    into `second`: the same files, byte for byte."""
    for model in emptied:
        model.objects.all().delete()
    load_dataset(export)
    assert_same_tree(export, exported(second))


def assert_same_tree(left, right):
    left_files = sorted(p.relative_to(left) for p in left.rglob("*.yaml"))
    right_files = sorted(p.relative_to(right) for p in right.rglob("*.yaml"))
    assert left_files == right_files
    different = [
        str(p)
        for p in left_files
        if not filecmp.cmp(left / p, right / p, shallow=False)
    ]
    assert different == []
