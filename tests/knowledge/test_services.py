import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.knowledge import services
from apps.knowledge.models import Classification
from tests.factories import CitationFactory, MissionFactory, NormFactory

pytestmark = pytest.mark.django_db


def test_publishing_needs_summary_citation_and_cited_classification():
    mission = MissionFactory(draft=True, summary="", cited=False, classified=False)
    problems = services.record_publish_problems(mission)
    assert problems == [
        "It has no summary.",
        "It has no citation with a page or section locator.",
        "It has no Westphalian / post-Westphalian classification.",
    ]
    with pytest.raises(ValidationError) as exc:
        services.record_publish(record=mission)
    assert "no summary" in str(exc.value)
    mission.refresh_from_db()
    assert mission.status == "draft"


def test_uncited_classification_blocks_publishing():
    mission = MissionFactory(draft=True, classified=False)
    Classification.objects.create(
        target=mission, value="mixed", preferred=True, rationale="r"
    )
    problems = services.record_publish_problems(mission)
    assert problems[0] == "Its preferred classification has no citation."


def test_complete_record_publishes_and_unpublishes():
    norm = NormFactory(draft=True)
    services.record_publish(record=norm)
    norm.refresh_from_db()
    assert norm.status == "published" and norm.published_at
    services.record_unpublish(record=norm)
    norm.refresh_from_db()
    assert norm.status == "draft"


def test_publishing_checks_permission(django_user_model):
    reader = django_user_model.objects.create_user("reader", password="pw")
    norm = NormFactory(draft=True)
    CitationFactory(target=norm)
    with pytest.raises(PermissionDenied):
        services.record_publish(record=norm, user=reader)
