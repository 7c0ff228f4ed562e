"""Issue 12's data format: continuing_as_of, not_established, caveat, and whose judgement
a classification is (basis, rule, departure), through the loader and the exporter."""

import pytest
from django.core.management import call_command

from apps.knowledge.dataset import DatasetError
from apps.knowledge.dataset import load_dataset
from apps.knowledge.models import Case
from apps.knowledge.models import Mission

from .test_dataset import assert_reloads_the_same
from .test_dataset import exported
from .test_dataset import tiny  # noqa: F401
from .test_dataset import write  # noqa: F401

pytestmark = pytest.mark.django_db


def edit(root, relative, old, new):
    path = root / relative
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def problems(root):
    with pytest.raises(DatasetError) as exc:
        load_dataset(root)
    return str(exc.value)


def test_new_keys_load_and_round_trip_exactly(tiny, tmp_path_factory):  # noqa: F811
    edit(
        tiny,
        "missions/unef.yaml",
        'end: "1967"\n',
        'continuing_as_of: "1960-03"\n'
        "not_established:\n"
        "  impartiality: No cited text says how it stood towards the parties.\n"
        "  use_of_force: Not in the cited resolution.\n",
    )
    edit(
        tiny,
        "missions/unef.yaml",
        "summary: A force. It stood between armies.\n",
        "summary: A force. It stood between armies.\n"
        "caveat: Its closing date is disputed.\n",
    )
    edit(
        tiny,
        "cases/suez.yaml",
        "conflict_type: inter_state\n",
        "not_established:\n  end: No text gives it.\n",
    )
    report = load_dataset(tiny)
    assert report.drafts == []
    mission = Mission.objects.get(slug="unef")
    assert mission.continuing_display == "March 1960"
    assert mission.caveat == "Its closing date is disputed."
    assert mission.not_established == {
        "impartiality": "No cited text says how it stood towards the parties.",
        "use_of_force": "Not in the cited resolution.",
    }
    assert mission.dates_display == "from November 1956, continuing as of March 1960"
    case = Case.objects.get(slug="suez")
    assert case.dates_display == "from October 1956, end not established"
    first = exported(tmp_path_factory.mktemp("first"))
    text = (first / "missions/unef.yaml").read_text()
    # Canonical order: dates, then relations, not_established (codebook order) before
    # the classifications; caveat after the summary.
    assert text.index("continuing_as_of:") < text.index("cases:")
    assert text.index("use_of_force:") < text.index("impartiality:")
    assert text.index("not_established:") < text.index("classifications:")
    assert text.index("summary:") < text.index("caveat:") < text.index("\ncitations:")
    assert "basis: curators\n    rule: tasks-westphalian\n" in text
    assert_reloads_the_same(first, tmp_path_factory.mktemp("second"), Mission, Case)


def test_end_and_continuing_as_of_exclude_each_other(tiny):  # noqa: F811
    edit(
        tiny,
        "missions/unef.yaml",
        'end: "1967"\n',
        'end: "1967"\ncontinuing_as_of: "1960"\n',
    )
    assert (
        'missions/unef.yaml: record "unef", field "continuing_as_of": Give either an '
        "end or a date it was continuing as of, not both." in problems(tiny)
    )


def test_not_established_takes_only_the_allowed_empty_fields(tiny):  # noqa: F811
    edit(
        tiny,
        "missions/unef.yaml",
        "host_consent: all_parties\n",
        "host_consent: all_parties\nnot_established:\n  host_consent: Unclear.\n"
        "  colour: Unknown.\n  mandate_tasks: None given.\n",
    )
    text = problems(tiny)
    assert (
        'missions/unef.yaml: record "unef", field "not_established": "host_consent" '
        "has a value, so it cannot also be marked not established." in text
    )
    assert '"colour" cannot be marked not established (allowed: start, end,' in text
    edit(
        tiny, "missions/unef.yaml", "  host_consent: Unclear.\n  colour: Unknown.\n", ""
    )
    assert (
        'field "not_established.mandate_tasks": "mandate_tasks" has linked records'
        in problems(tiny)
    )


def test_a_task_rule_must_match_the_coded_tasks(tiny):  # noqa: F811
    edit(tiny, "missions/unef.yaml", "rule: tasks-westphalian", "rule: tasks-both")
    assert (
        'missions/unef.yaml: record "unef", field "classifications[0].rule": rule '
        "tasks-both does not match the record's coded mandate tasks: they select "
        "tasks-westphalian." in problems(tiny)
    )


def test_an_aims_rule_needs_undecided_tasks(tiny):  # noqa: F811
    edit(
        tiny,
        "missions/unef.yaml",
        "rule: tasks-westphalian",
        "rule: aims-between-states",
    )
    assert (
        "rule aims-between-states applies only when no coded mandate task decides"
        in (problems(tiny))
    )


def test_unknown_basis_or_rule_and_rule_with_author_basis_are_errors(tiny):  # noqa: F811
    edit(tiny, "missions/unef.yaml", "rule: tasks-westphalian", "rule: by-feel")
    edit(
        tiny, "cases/suez.yaml", "basis: author", "basis: author\n    rule: tasks-both"
    )
    text = problems(tiny)
    assert (
        "field \"classifications[0].rule\": Value 'by-feel' is not a valid choice."
        in text
    )
    assert (
        'cases/suez.yaml: record "suez", field "classifications[0].rule": Only a '
        "classification with basis curators has a rule" in text
    )


def test_incomplete_basis_loads_as_a_draft_with_the_reason(tiny):  # noqa: F811
    # No rule yet (the one-off migration leaves some so for the curators).
    edit(tiny, "missions/unef.yaml", "    rule: tasks-westphalian\n", "")
    # No basis at all.
    edit(tiny, "cases/suez.yaml", "    basis: author\n", "")
    report = load_dataset(tiny)
    assert (
        "missions/unef: Classification 1 (Westphalian): its basis is curators but it "
        "names no decision rule." in report.drafts
    )
    assert (
        "cases/suez: Classification 1 (Westphalian): it does not say whose judgement it "
        "is (basis: author or curators)." in report.drafts
    )
    assert Mission.objects.get(slug="unef").status == "draft"


def test_a_value_other_than_the_rules_needs_a_departure(tiny):  # noqa: F811
    edit(tiny, "missions/unef.yaml", "  - value: westphalian", "  - value: mixed")
    report = load_dataset(tiny)
    assert (
        "missions/unef: Classification 1 (Mixed): its value differs from what rule "
        "tasks-westphalian gives (Westphalian) and no departure says why."
        in report.drafts
    )
    edit(
        tiny,
        "missions/unef.yaml",
        "rule: tasks-westphalian\n",
        "rule: tasks-westphalian\n    departure: Its later years added policing.\n",
    )
    report = load_dataset(tiny)
    assert report.drafts == []
    assert Mission.objects.published().filter(slug="unef").exists()


def test_author_basis_needs_a_classification_citation(tiny):  # noqa: F811
    edit(tiny, "cases/suez.yaml", "claim: classification", "claim: westphalian")
    report = load_dataset(tiny)
    assert any(
        line.startswith("cases/suez:") and "no citation with claim" in line
        for line in report.drafts
    )


def test_the_loader_draft_is_exported_without_status(tiny, tmp_path):  # noqa: F811
    """A record drafted only for its classification's basis exports without
    `status: draft`, so that completing the basis publishes it."""
    edit(tiny, "missions/unef.yaml", "    rule: tasks-westphalian\n", "")
    load_dataset(tiny)
    call_command("export_knowledge", str(tmp_path))
    assert "status:" not in (tmp_path / "missions/unef.yaml").read_text()
