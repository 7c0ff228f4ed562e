"""A record as its canonical dict: the one shape every door reads and writes.

The dict is what the YAML files hold (data/README.md), what a Revision keeps, what the
diff and the merge compare, and what the writer (writer.py) writes back. `DATA_TYPES`
says how each record type maps onto it; `record_to_dict` reads a record into it;
`canonical` normalises any dict into it (LF line breaks, empty the same as missing).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from dataclasses import field

from apps.core import fuzzydate
from apps.core.models import Status

from . import codebook
from . import registry
from . import rules
from .models import Case
from .models import ComparisonRow
from .models import Concept
from .models import Country
from .models import Document
from .models import KnowledgeRecord
from .models import MandateTask
from .models import Mission
from .models import Norm
from .models import Organisation
from .models import Source
from .models.choices import LocatorType

LOCATOR_KEYS = {
    "pages": LocatorType.PAGES,
    "section": LocatorType.SECTION,
    "paragraph": LocatorType.PARAGRAPH,
    "footnote": LocatorType.NOTE,
}
KEY_FOR_LOCATOR = {value: key for key, value in LOCATOR_KEYS.items()}


@dataclass
class RecordType:
    """How one model's records map onto their YAML files (the folder: registry.py)."""

    model: type[KnowledgeRecord]
    scalars: list[str]  # plain fields, in canonical order
    dates: dict[str, tuple[str, str]] = field(
        default_factory=dict
    )  # key -> (date, precision)
    foreign_keys: dict[str, type] = field(
        default_factory=dict
    )  # key -> target model (by slug)
    # Many-to-many links whose key is the field's own name -> target model.
    many: dict[str, type] = field(default_factory=dict)
    label_field: str = "name"

    @property
    def directory(self) -> str:
        """data/<directory>/: the registry's data folder for the model."""
        return registry.of(self.model).data_folder


ORDER_HEAD = ["slug"]
ORDER_TAIL = [
    "summary",
    "caveat",
    "curator_note",
    "status",
    "last_reviewed",
    "wikidata",
]

DATED = {
    "start": ("start_date", "start_precision"),
    "end": ("end_date", "end_precision"),
    "continuing_as_of": ("continuing_as_of_date", "continuing_as_of_precision"),
}
# A classification's own fields (its form, the merge, the YAML), then its citations.
CLASSIFICATION_FIELDS = [
    "value",
    "basis",
    "rule",
    "departure",
    "preferred",
    "period_start",
    "period_end",
    "rationale",
]
CLASSIFICATION_KEYS = [*CLASSIFICATION_FIELDS, "citations"]
# A citation's and a classification's fields as a form row edits them (the admin's
# inlines; merge.py compares them); a classification's row holds its first citation.
CITATION_FORM_FIELDS = [
    "source",
    "claim",
    "locator_type",
    "locator",
    "reconstructed",
    "note",
]
CLASSIFICATION_FORM_FIELDS = [
    *CLASSIFICATION_FIELDS,
    "source",
    "locator_type",
    "locator",
]

# A source's bibliographic fields in citation order, in three runs so that the API's
# detail (api/serializers/sources.py) can put the creators after the titles and the
# pages before the web address, in the same order as the YAML.
SOURCE_TITLE_FIELDS = ["kind", "title", "subtitle", "short_title"]
SOURCE_PUBLISHED_IN_FIELDS = [
    "container_title",
    "collection_title",
    "volume",
    "issue",
    "edition",
    "publisher",
    "place",
    "year",
    "month",
]
SOURCE_ACCESS_FIELDS = ["accessed", "doi", "isbn", "attribution_note"]

# Every record type's YAML shape, in loading order: what a record links to comes first.
DATA_TYPES = [
    RecordType(
        Source,
        scalars=[
            *SOURCE_TITLE_FIELDS,
            *SOURCE_PUBLISHED_IN_FIELDS,
            "url",
            *SOURCE_ACCESS_FIELDS,
        ],
        label_field="title",
    ),
    RecordType(
        Organisation,
        scalars=["name", "acronym", "kind"],
        foreign_keys={"parent": Organisation},
        dates={"founded": ("founded_date", "founded_precision")},
    ),
    RecordType(
        Norm,
        scalars=["name", "conception"],
        many={"related": Norm},
    ),
    RecordType(
        Document,
        scalars=["title", "short_title", "symbol", "kind", "url", "pax_agreement_id"],
        foreign_keys={"issuer": Organisation},
        dates={"date": ("date", "date_precision")},
        many={"norms": Norm},
        label_field="title",
    ),
    RecordType(
        Case,
        scalars=["name", "conflict_type", "ucdp_conflict_id"],
        dates=DATED,
        many={"countries": Country, "norms": Norm},
    ),
    RecordType(
        Mission,
        scalars=[
            "name",
            "acronym",
            "mission_type",
            "mandate_summary",
            "host_consent",
            "use_of_force",
            "impartiality",
            "legal_basis",
        ],
        dates=DATED,
        foreign_keys={
            "lead_state": Organisation,
            "predecessor": Mission,
            "authorising_body": Organisation,
        },
        many={
            "organisations": Organisation,
            "cases": Case,
            "authorised_by": Document,
            "mandate_tasks": MandateTask,
            "norms": Norm,
        },
    ),
    RecordType(
        Concept,
        scalars=["term"],
        foreign_keys={"parent": Concept},
        label_field="term",
    ),
    RecordType(
        ComparisonRow,
        scalars=["name", "section", "order", "westphalian", "post_westphalian"],
    ),
]

# Concepts keep their links under one `related:` mapping, as curators read them.
CONCEPT_RELATED = {
    "concepts": ("related_concepts", Concept),
    "norms": ("norms", Norm),
    "missions": ("missions", Mission),
    "cases": ("cases", Case),
    "documents": ("documents", Document),
}
# Keys that are not plain fields but are handled by name below.
SPECIAL_KEYS = {
    Source: {"authors", "editors", "pages"},
    Concept: {"related"},
    Case: {"classifications", "not_established"},
    Mission: {"classifications", "not_established"},
}


def record_type_for(model) -> RecordType:
    """The RecordType describing `model` (Mission -> missions/...)."""
    for record_type in DATA_TYPES:
        if record_type.model is model:
            return record_type
    raise LookupError(f"{model.__name__} is not a dataset record type")


# --------------------------------------------------------------------------- the dict


EMPTY: tuple[object, ...] = (None, "", [], {}, False)


def normalise_text(value):
    """One spelling of a line break: browsers send CRLF, files and the database keep LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _clean(mapping):
    """Drop empty values so that files say only what is known."""
    return {k: v for k, v in mapping.items() if v not in EMPTY}


def canonical(value):
    """The canonical form of a record's dict (or any part of it), whichever door it came
    in by: LF line breaks, and an empty value (None, "", [], {}, False) the same as a
    missing key. Comparing two canonical dicts says whether anything really changed."""
    if isinstance(value, dict):
        return _clean({key: canonical(item) for key, item in value.items()})
    if isinstance(value, list):
        return [canonical(item) for item in value]
    if isinstance(value, str):
        return normalise_text(value)
    return value


def citation_dict(citation) -> dict:
    """A citation (saved or not) as its canonical dict."""
    item = {
        "source": citation.source.slug,
        "claim": citation.claim,
        KEY_FOR_LOCATOR[citation.locator_type]: citation.locator,
        "reconstructed": citation.reconstructed,
        "note": citation.note,
    }
    return _clean(item)


def _scalar_out(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _status_out(instance):
    """The `status` a file needs to load back as this record's status: none for a
    published record, nor for one the loader kept a draft only because a classification
    does not yet state its basis, rule or departure (issue 12): writing `status: draft`
    would keep it a draft once the curators complete it."""
    if instance.status == Status.PUBLISHED:
        return None
    if instance.status == Status.DRAFT and getattr(
        instance, "requires_classification", False
    ):
        problems = rules.record_publish_problems(instance)
        if problems and problems == rules.classification_basis_problems(instance):
            return None
    return instance.status


def _creators(people):
    return [_clean({"family": c.family, "given": c.given}) for c in people]


def _source_part(instance) -> dict:
    return {
        "pages": instance.pages or None,
        "authors": _creators(instance.authors()),
        "editors": _creators(instance.editors()),
    }


def _slugs(manager, target_model=None) -> list[str]:
    if target_model is Country:
        return sorted(c.code for c in manager.all())
    return sorted(t.slug for t in manager.all())


def _dates_and_keys(record_type, instance) -> dict:
    """Dates and foreign keys (by slug), by their YAML keys."""
    out = {}
    for key, (date_field, precision_field) in record_type.dates.items():
        out[key] = fuzzydate.to_text(
            getattr(instance, date_field), getattr(instance, precision_field)
        )
    for key in record_type.foreign_keys:
        target = getattr(instance, key)
        out[key] = target.slug if target else None
    return out


def _links_part(record_type, instance) -> dict:
    """Dates, foreign keys and many-to-many links, by their YAML keys."""
    out = _dates_and_keys(record_type, instance)
    for key, target_model in record_type.many.items():
        out[key] = _slugs(getattr(instance, key), target_model)
    if record_type.model is Concept:
        out["related"] = _clean(
            {
                key: _slugs(getattr(instance, attr))
                for key, (attr, _model) in CONCEPT_RELATED.items()
            }
        )
    return out


def classification_dict(classification) -> dict:
    return _clean(
        {
            "value": classification.value,
            "basis": classification.basis,
            "rule": classification.rule,
            "departure": classification.departure,
            "preferred": classification.preferred,
            "period_start": classification.period_start,
            "period_end": classification.period_end,
            "rationale": classification.rationale,
            "citations": [citation_dict(x) for x in classification.citations.all()],
        }
    )


def _reasons_for_blanks(instance) -> dict:
    reasons = instance.not_established or {}
    keys = codebook.NOT_ESTABLISHED_KEYS[instance._meta.model_name]
    return {key: reasons[key] for key in keys if key in reasons}


def _coding_part(instance) -> dict:
    """A mission's or case's reasons for blanks and its classifications."""
    return {
        "not_established": _reasons_for_blanks(instance),
        "classifications": [
            classification_dict(c)
            for c in instance.classifications.order_by("position", "id")
        ],
    }


def record_to_dict(record_type, instance) -> dict:
    """The record's canonical dict, keys in the files' order."""
    out = {"slug": instance.slug}
    for name in record_type.scalars:
        out[name] = _scalar_out(getattr(instance, name))
    if record_type.model is Source:
        out.update(_source_part(instance))
    out.update(_links_part(record_type, instance))
    if record_type.model in (Case, Mission):
        out.update(_coding_part(instance))
    out["summary"] = instance.summary
    out["caveat"] = instance.caveat
    out["curator_note"] = instance.curator_note
    out["status"] = _status_out(instance)
    out["last_reviewed"] = _scalar_out(instance.last_reviewed)
    out["wikidata"] = instance.wikidata_qid
    out["citations"] = [citation_dict(c) for c in instance.citations.all()]
    return canonical(out)


def record_fields(record_type, instance) -> dict:
    """The part of the record's canonical dict that its own row holds (fields, dates,
    foreign keys, a source's pages, a mission's or case's reasons for blanks), read
    from `instance` as it stands, saved or not: what a form left on it before anything
    is written (the admin builds the rest from its inlines, admin/writes.py)."""
    out = {"slug": instance.slug}
    for name in record_type.scalars:
        out[name] = _scalar_out(getattr(instance, name))
    if record_type.model is Source:
        out["pages"] = instance.pages or None
    out.update(_dates_and_keys(record_type, instance))
    if record_type.model in (Case, Mission):
        out["not_established"] = _reasons_for_blanks(instance)
    out["summary"] = instance.summary
    out["caveat"] = instance.caveat
    out["curator_note"] = instance.curator_note
    out["wikidata"] = instance.wikidata_qid
    return out  # empty values kept: they overwrite; `canonical` then drops them
