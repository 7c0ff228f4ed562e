"""The UN operations added for issue 12: the ones the texts name, and the traditional
observer and interposition missions that balance the comparison, each fully coded."""

from collections import Counter

import pytest

from apps.knowledge import reports
from apps.knowledge.models import Document
from apps.knowledge.models import Mission

pytestmark = pytest.mark.django_db

# The operations Bellamy, Williams and Griffin name (Cambodia, El Salvador, Namibia,
# Srebrenica, Rwanda), each with the case the texts discuss it under.
NAMED = {
    "untac": "cambodian-conflict",
    "onusal": "salvadoran-civil-war",
    "untag": "namibian-independence",
    "unprofor": "bosnian-war",
    "unamir": "rwandan-genocide",
}
# Traditional observer and interposition missions coded from their resolutions.
TRADITIONAL = [
    "untso",
    "unmogip",
    "unogil",
    "unyom",
    "unipom",
    "unef-ii",
    "undof",
    "unifil",
    "uniimog",
    "unikom",
    "unmee",
]
# Created as traditional forces, but also given a task inside the state by their resolution.
MIXED = ["unficyp"]
CODED = ["host_consent", "use_of_force", "impartiality", "legal_basis"]


def preferred(mission):
    return mission.classifications.get(preferred=True)


def test_operations_the_texts_name_are_published_under_their_cases(curated):
    for slug, case in NAMED.items():
        mission = Mission.objects.published().get(slug=slug)
        assert case in mission.cases.values_list("slug", flat=True), slug
        assert mission.acronym == slug.upper()


def test_each_added_mission_codes_every_dimension_or_says_why_not(curated):
    for slug in [*NAMED, *TRADITIONAL, *MIXED]:
        mission = Mission.objects.published().get(slug=slug)
        reasons = mission.not_established or {}
        assert mission.start_date or reasons.get("start"), slug
        assert (
            mission.end_date or mission.continuing_as_of_date or reasons.get("end")
        ), slug
        for field in CODED:
            assert getattr(mission, field) or reasons.get(field), (slug, field)
        assert mission.mandate_tasks.exists() or reasons.get("mandate_tasks"), slug
        assert mission.authorised_by.filter(kind="resolution").exists(), slug


def test_traditional_missions_are_westphalian_by_a_written_rule(curated):
    for slug in TRADITIONAL:
        classification = preferred(Mission.objects.get(slug=slug))
        assert classification.value == "westphalian", slug
        assert classification.basis == "curators", slug
        assert classification.rule in {"tasks-westphalian", "aims-between-states"}


def test_unficyp_is_mixed_because_resolution_186_gave_it_law_and_order(curated):
    """Paragraph 5 of resolution 186 (1964) asks the force to help maintain and restore
    law and order as well as prevent renewed fighting: tasks of both kinds."""
    mission = Mission.objects.get(slug="unficyp")
    tasks = set(mission.mandate_tasks.values_list("slug", flat=True))
    assert {"interposition", "police-rule-of-law"} <= tasks
    assert mission.citations.filter(
        source__slug="unsc-res-186",
        claim="mandate_tasks",
        locator_type="paragraph",
        locator="5",
    ).exists()
    classification = preferred(mission)
    assert (classification.value, classification.rule) == ("mixed", "tasks-both")


def test_the_comparison_has_a_dozen_westphalian_missions_across_the_decades(curated):
    values = Counter()
    decades = set()
    for mission in Mission.objects.published():
        value = preferred(mission).value
        values[value] += 1
        if value == "westphalian" and mission.start_date:
            decades.add(mission.start_date.year // 10)
    assert values["westphalian"] >= 12
    assert len(decades) >= 5


def test_the_authorising_resolutions_are_recorded_with_symbol_date_and_issuer(curated):
    resolutions = Document.objects.filter(
        slug__in=Mission.objects.filter(slug__in=[*NAMED, *TRADITIONAL, *MIXED]).values(
            "authorised_by__slug"
        )
    )
    assert resolutions.count() >= 16
    for document in resolutions:
        assert document.symbol.startswith(("S/RES/", "A/RES/")), document
        assert document.date and document.issuer_id, document


def test_missions_coded_alike_but_labelled_differently_say_why(curated):
    """content_report's consistency check is clean on the curated data: the CSCE
    missions to Skopje and Ukraine state which stated aims tell them apart."""
    assert reports.build().label_conflicts == []
    for slug in ["csce-mission-skopje", "csce-mission-ukraine"]:
        assert preferred(Mission.objects.get(slug=slug)).departure, slug
