"""The real curated dataset in data/, loaded once for the module (the `curated` fixture):
it round-trips exactly, its published records are complete, and it covers the texts."""

import filecmp
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.knowledge import services
from apps.knowledge.models import Mission
from apps.knowledge.models import Source
from apps.knowledge.registry import PAGE_MODELS

pytestmark = pytest.mark.django_db
DATA = Path(settings.BASE_DIR) / "data"


def test_curated_dataset_loads_and_round_trips_exactly(curated, tmp_path):
    call_command("export_knowledge", str(tmp_path))
    expected = tmp_path / "expected"
    shutil.copytree(DATA, expected, ignore=shutil.ignore_patterns("*.md"))
    exported = sorted(
        p.relative_to(tmp_path)
        for p in tmp_path.rglob("*.yaml")
        if not p.is_relative_to(expected)
    )
    assert exported == sorted(p.relative_to(expected) for p in expected.rglob("*.yaml"))
    different = [
        str(p)
        for p in exported
        if not filecmp.cmp(tmp_path / p, expected / p, shallow=False)
    ]
    assert different == [], (
        "export differs from data/ (run export_knowledge data to canonicalise)"
    )


SENTENCE_END = re.compile(r"[.!?][\"')\]]*(?=\s|$)")


def test_every_published_curated_record_is_complete(curated):
    """Published records pass the publishing rules and summarise in two or more sentences."""
    for model in PAGE_MODELS:
        for record in model.objects.published():
            assert services.record_publish_problems(record) == [], record
            if model is not Source:
                sentences = len(SENTENCE_END.findall(record.summary.strip()))
                assert sentences >= 2, f"{record}: summary has {sentences} sentence(s)"


def test_curated_dataset_covers_the_texts(curated):
    report = curated
    published = {
        m: set(m.objects.published().values_list("slug", flat=True))
        for m in PAGE_MODELS
    }
    # Issue 12: a mission whose classification does not yet name its rule (or departure)
    # waits as a draft while the curators write it; it still counts as covered.
    awaiting = {
        line.split(":")[0].removeprefix("missions/")
        for line in report.drafts
        if line.startswith("missions/")
        and all("Classification" in part for part in line.split(": ", 1)[1:])
    }
    covered = published[Mission] | awaiting
    assert {"unef-i", "onuc", "kfor", "unmik", "isaf"} <= covered
    assert {"flynn-farrell-1999", "freeman-2003"} <= published[Source]
    assert len(covered) >= 30
