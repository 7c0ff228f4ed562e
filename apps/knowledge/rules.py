"""The publishing rules: what a record needs before the public may see it.

Read by the workflow (services.py), the writer's callers and the canonical dict (a draft
kept back only for its classification basis exports without `status`). They read the
database and write nothing.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from apps.core.models import Status

from . import codebook
from .models import Citation
from .models import Classification
from .models import Source
from .models.choices import Claim


def record_publish_problems(record, *, with_sources=False) -> list[str]:
    """What stops `record` from being published, as sentences a curator can act on.

    `with_sources`: the sources it cites that are not yet published would be published
    with it (issue 13, B7), so they are no problem unless they cannot be published
    themselves (an archived source, or one short of the rules)."""
    if isinstance(record, Source):
        return _source_problems(record)
    problems = []
    if not (record.summary or "").strip():
        problems.append("It has no summary.")
    if not any((c.locator or "").strip() for c in record.citations.all()):
        problems.append("It has no citation with a page or section locator.")
    if record.requires_classification:
        problems += _classification_problems(record)
    unpublished = _cited_unpublished_sources(record)
    if with_sources:
        for source in unpublished:
            if source.status == Status.ARCHIVED:
                problems.append(
                    f"It cites “{source}”, which is archived: cite another source or "
                    "publish that one again first."
                )
            problems += [
                f"Its unpublished source “{source}”: {problem}"
                for problem in _source_problems(source)
            ]
    elif unpublished:
        problems.append(
            "It cites sources the public cannot see: "
            + "; ".join(map(str, unpublished))
            + ". Publish them first, or publish them with it."
        )
    return problems


def cited_unpublished_sources(record) -> list[Source]:
    """The sources `record` (or its classifications) cites that the public cannot see,
    which an editor may publish together with it."""
    return _cited_unpublished_sources(record)


def _source_problems(source) -> list[str]:
    problems = []
    if not source.title.strip():
        problems.append("It has no title.")
    if not source.kind:
        problems.append("It has no type (book, article...).")
    return problems


def _classification_problems(record) -> list[str]:
    """A mission or case needs a cited, preferred classification with its basis."""
    classifications = list(record.classifications.all())
    problems = []
    if not classifications:
        problems.append("It has no Westphalian / post-Westphalian classification.")
    elif not any(c.preferred for c in classifications):
        problems.append("None of its classifications is marked preferred.")
    elif not any(c.citations.exists() for c in classifications if c.preferred):
        problems.append("Its preferred classification has no citation.")
    return problems + classification_basis_problems(record, classifications)


def classification_basis_problems(record, classifications=None) -> list[str]:
    """Whose judgement each classification is, checked against the codebook's rules:
    an incomplete basis keeps the record a draft."""
    if classifications is None:
        classifications = list(record.classifications.all())
    conceptions = (
        [t.conception for t in record.mandate_tasks.all()]
        if hasattr(record, "mandate_tasks")
        else []
    )
    problems = []
    for number, classification in enumerate(classifications, start=1):
        found = codebook.classification_problems(
            basis=classification.basis,
            rule=classification.rule,
            departure=classification.departure,
            value=classification.value,
            has_author_citation=any(
                c.claim == Claim.CLASSIFICATION for c in classification.citations.all()
            ),
        )
        if classification.basis == codebook.Basis.CURATORS:
            mismatch = codebook.rule_mismatch(classification.rule, conceptions)
            if mismatch:
                found.append(mismatch[0].upper() + mismatch[1:])
        label = f"Classification {number} ({classification.get_value_display()})"
        problems += [f"{label}: {problem}" for problem in found]
    return problems


def _cited_unpublished_sources(record) -> list[Source]:
    """Sources cited by `record` or its classifications that are not published: the
    public record would silently lose those citations."""
    parts = models.Q(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    )
    if record.requires_classification:
        parts |= models.Q(
            content_type=ContentType.objects.get_for_model(Classification),
            object_id__in=record.classifications.values("pk"),
        )
    cited = Citation.objects.filter(parts).values("source")
    return list(
        Source.objects.filter(pk__in=cited)
        .exclude(status=Status.PUBLISHED)
        .order_by("title")
    )
