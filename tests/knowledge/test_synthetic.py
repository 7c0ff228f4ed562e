"""The benchmark's synthetic corpus: N times the curated records, with their relations."""

import pytest
from django.core.management import call_command

from apps.knowledge.models import Citation
from apps.knowledge.models import Classification
from apps.knowledge.models import Mission
from tests.factories import CaseFactory
from tests.factories import MissionFactory

pytestmark = pytest.mark.django_db


def test_scale_multiplies_records_with_their_citations_and_links():
    case = CaseFactory(slug="suez")
    mission = MissionFactory(slug="unef")
    mission.cases.add(case)
    citations, classifications = (
        Citation.objects.count(),
        Classification.objects.count(),
    )

    call_command("generate_synthetic", "--scale", "3")

    assert Mission.objects.published().count() == 3
    copy = Mission.objects.get(slug="synthetic-2-unef")
    assert copy.cases.get().slug == "synthetic-2-suez"
    assert copy.citations.count() == mission.citations.count()
    assert copy.preferred_classification().citations.count() == 1
    assert Citation.objects.count() == 3 * citations
    assert Classification.objects.count() == 3 * classifications


def test_clear_removes_every_synthetic_record_and_nothing_else():
    MissionFactory(slug="unef")
    citations = Citation.objects.count()
    call_command("generate_synthetic", "--scale", "4")
    call_command("generate_synthetic", "--clear")
    assert list(Mission.objects.values_list("slug", flat=True)) == ["unef"]
    assert Citation.objects.count() == citations
