"""Public text names authors and works, never the curators' shorthand for the texts
("Seed 001", "the chapter says", "the file prints"): issue 12."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from apps.knowledge.dataset import load_dataset
from apps.knowledge.registry import PAGE_MODELS

DATA = Path(settings.BASE_DIR) / "data"
TEMPLATES = Path(settings.BASE_DIR) / "templates"

# "Seed 00x"; "the chapter", "the author", "the file", "the seed", "the essay", "the article"
# followed by any word (so "the chapter lists", "the author's view", "the file prints" all count);
# "the text says" and its kin. "The authors" (plural) is not caught: it is used only beside the
# authors' names (in the same sentence, or in a citation note next to the cited work).
JARGON = re.compile(
    r"\bseed\s*0\d*"
    r"|\bthe (?:chapter|author|file|seeds?|essay|article)\b(?:'s)?\s+\w+"
    r"|\bthe text (?:says|prints|notes|argues|reports|claims|calls|treats|presents|gives)\b",
    re.IGNORECASE,
)
# Legitimate uses the pattern would otherwise catch, each with its reason.
ALLOWED = re.compile(
    # A chapter of the UN Charter ("the Chapter VII clause"), not a chapter of a source text.
    r"the chapter (?:VI|VII|VIII)\b"
    # The idiom ("leaves the seeds of the next war"), not the curators' word for a source.
    r"|the seeds of\b",
    re.IGNORECASE,
)
# Fields no page or API response shows.
INTERNAL_FIELDS = {"curator_note"}


def shorthand(text):
    return [m.group(0) for m in JARGON.finditer(text) if not ALLOWED.match(m.group(0))]


def public_strings(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in INTERNAL_FIELDS:
                yield from public_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from public_strings(item, f"{path}[{index}]")
    elif isinstance(value, str):
        yield path, value


def test_templates_use_no_shorthand_for_the_texts():
    # templates/admin/ is for staff, where "the author" is the editor who proposed a draft.
    found = [
        f"{path.relative_to(TEMPLATES)}: {match}"
        for path in TEMPLATES.rglob("*.html")
        if path.relative_to(TEMPLATES).parts[0] != "admin"
        for match in shorthand(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_pattern_catches_the_shorthand():
    for phrase in [
        "Seed 001",
        "seed 00",
        "the chapter says",
        "The author argues",
        "The chapter lists",
        "The chapter uses",
        "the author's view",
        "the file prints",
        "as the seed puts it",
        "In the essay Freeman",
        "the article names",
        "the text says",
    ]:
        assert shorthand(phrase), phrase
    for phrase in [
        "Bellamy, Williams and Griffin argue",
        "the Chapter VII clause",
        "leaves the seeds of the next war",
        "the text of resolution 128",
        "Marten's chapter",
        "as the authors argue",
    ]:
        assert not shorthand(phrase), phrase


def test_no_public_field_in_data_uses_shorthand_for_the_texts():
    found = []
    for path in sorted(DATA.rglob("*.yaml")):
        for field, text in public_strings(yaml.safe_load(path.read_text("utf-8"))):
            found += [f"{path.relative_to(DATA)} {field}: {m}" for m in shorthand(text)]
    assert found == [], f"{len(found)} uses, e.g. {found[:10]}"


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
        found += [f"{path}: {m}" for m in shorthand(response.content.decode())]
    assert found == [], f"{len(found)} uses, e.g. {found[:10]}"
