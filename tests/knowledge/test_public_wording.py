"""Public text names authors and works, never the curators' shorthand for the texts
("Seed 001", "the chapter says", "the file prints"): issue 12."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from apps.knowledge.dataset import load_dataset
from apps.knowledge.registry import PAGE_MODELS

DATA = Path(settings.BASE_DIR) / "data"
TEMPLATES = Path(settings.BASE_DIR) / "templates"

JARGON = re.compile(
    r"seed\s*0\d*|\bthe (?:chapter|author|file|essay|article|text) "
    r"(?:says|argues|prints|notes|reports|claims|calls|treats|presents|gives)",
    re.IGNORECASE,
)


def test_templates_use_no_shorthand_for_the_texts():
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in JARGON.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_pattern_catches_the_shorthand():
    for phrase in ["Seed 001", "seed 00", "the chapter says", "The author argues"]:
        assert JARGON.search(phrase), phrase
    assert not JARGON.search("Bellamy, Williams and Griffin argue")


@pytest.mark.django_db
def test_no_public_page_uses_shorthand_for_the_texts(client):
    load_dataset(DATA)
    paths = ["/", "/compare/", "/timeline/", "/about/", "/data/", "/search/?q=peace"]
    for model in PAGE_MODELS:
        records = list(model.objects.published())
        if records:
            list_url = records[0].get_absolute_url().rsplit("/", 2)[0] + "/"
            paths.append(list_url)
        paths += [record.get_absolute_url() for record in records]
    paths.append("/compare/missions/")
    paths.append("/compare/cases/")
    found = []
    for path in dict.fromkeys(paths):
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        found += [
            f"{path}: {m.group(0)}" for m in JARGON.finditer(response.content.decode())
        ]
    assert found == [], f"{len(found)} uses, e.g. {found[:10]}"
