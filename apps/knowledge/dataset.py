"""The curated knowledge as reviewable YAML files (see data/README.md), in and out.

`load_dataset()` reads and validates every file first, then upserts by slug inside one
transaction: any error names the file, the record and the field, and nothing is saved.
`export_dataset()` writes the database back in the same canonical form, so that
load -> export reproduces the files byte for byte.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core import fuzzydate
from apps.core.models import Status

from . import codebook, services
from .models import (
    Case,
    Citation,
    Classification,
    ComparisonRow,
    Concept,
    Country,
    Document,
    MandateTask,
    Mission,
    Norm,
    Organisation,
    Source,
    SourceCreator,
)
from .models.choices import Claim, CreatorRole, LocatorType

LOCATOR_KEYS = {
    "pages": LocatorType.PAGES,
    "section": LocatorType.SECTION,
    "paragraph": LocatorType.PARAGRAPH,
    "footnote": LocatorType.NOTE,
}
KEY_FOR_LOCATOR = {value: key for key, value in LOCATOR_KEYS.items()}


@dataclass
class RecordType:
    """How one directory of YAML files maps onto one model."""

    directory: str
    model: type
    scalars: list[str]  # plain fields, in canonical order
    dates: dict[str, tuple[str, str]] = field(
        default_factory=dict
    )  # key -> (date, precision)
    foreign_keys: dict[str, type] = field(
        default_factory=dict
    )  # key -> target model (by slug)
    many: dict[str, tuple[str, type]] = field(
        default_factory=dict
    )  # key -> (attr, model)
    label_field: str = "name"


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
CLASSIFICATION_KEYS = [
    "value",
    "basis",
    "rule",
    "departure",
    "preferred",
    "period_start",
    "period_end",
    "rationale",
    "citations",
]

RECORD_TYPES = [
    RecordType(
        "sources",
        Source,
        scalars=[
            "kind",
            "title",
            "subtitle",
            "short_title",
            "container_title",
            "collection_title",
            "volume",
            "issue",
            "edition",
            "publisher",
            "place",
            "year",
            "month",
            "url",
            "accessed",
            "doi",
            "isbn",
            "attribution_note",
        ],
        label_field="title",
    ),
    RecordType(
        "organisations",
        Organisation,
        scalars=["name", "acronym", "kind"],
        foreign_keys={"parent": Organisation},
        dates={"founded": ("founded_date", "founded_precision")},
    ),
    RecordType(
        "norms",
        Norm,
        scalars=["name", "conception"],
        many={"related": ("related", Norm)},
    ),
    RecordType(
        "documents",
        Document,
        scalars=["title", "short_title", "symbol", "kind", "url", "pax_agreement_id"],
        foreign_keys={"issuer": Organisation},
        dates={"date": ("date", "date_precision")},
        many={"norms": ("norms", Norm)},
        label_field="title",
    ),
    RecordType(
        "cases",
        Case,
        scalars=["name", "conflict_type", "ucdp_conflict_id"],
        dates=DATED,
        many={"countries": ("countries", Country), "norms": ("norms", Norm)},
    ),
    RecordType(
        "missions",
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
            "organisations": ("organisations", Organisation),
            "cases": ("cases", Case),
            "authorised_by": ("authorised_by", Document),
            "mandate_tasks": ("mandate_tasks", MandateTask),
            "norms": ("norms", Norm),
        },
    ),
    RecordType(
        "concepts",
        Concept,
        scalars=["term"],
        foreign_keys={"parent": Concept},
        label_field="term",
    ),
    RecordType(
        "comparison",
        ComparisonRow,
        scalars=["name", "section", "order", "westphalian", "post_westphalian"],
    ),
]
TYPE_BY_DIR = {t.directory: t for t in RECORD_TYPES}

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


class DatasetError(Exception):
    """Everything wrong with a dataset, one line per problem."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    drafts: list[str] = field(default_factory=list)  # "missions/x: reason"


# --------------------------------------------------------------------------- reading


# A record file is a few kilobytes; anything near this is a mistake or an attack.
MAX_FILE_BYTES = 1024 * 1024


# Curated records nest a few levels (a classification's citations); far deeper is an
# attack on the parser's recursion.
MAX_DEPTH = 32


class _SafeLoader(yaml.SafeLoader):
    """safe_load without aliases: `*name` references could multiply a small file
    into an enormous structure (the "billion laughs"), and curated files never need them;
    and without nesting deeper than MAX_DEPTH, which would exhaust Python's stack."""

    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None,
                None,
                "aliases (*name) are not allowed",
                self.peek_event().start_mark,
            )
        if self._depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"nested more than {MAX_DEPTH} levels deep",
                self.peek_event().start_mark,
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _has_nul(value):
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _read_yaml(path: Path, problems: list[str]):
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            problems.append(f"{path}: larger than {MAX_FILE_BYTES} bytes")
            return None
        with path.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_SafeLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        problems.append(f"{path}: not valid YAML: {exc}")
    except UnicodeDecodeError as exc:
        problems.append(f"{path}: not UTF-8 text: {exc}")
    except OSError as exc:
        problems.append(f"{path}: cannot be read: {exc}")
    else:
        if data is None:
            problems.append(f"{path}: empty: a record file needs its fields")
            return None
        if _has_nul(data):
            problems.append(f"{path}: contains a NUL character, which cannot be stored")
            return None
        return data
    return None


def read_dataset(root: Path):
    """Parse every file. Returns ({directory: {slug: (path, data)}}, vocabularies, problems)."""
    problems: list[str] = []
    records: dict[str, dict[str, tuple[Path, dict]]] = {}
    for record_type in RECORD_TYPES:
        found = {}
        for path in sorted((root / record_type.directory).glob("*.yaml")):
            data = _read_yaml(path, problems)
            if data is None:
                continue
            if not isinstance(data, dict):
                problems.append(
                    f"{path}: expected a mapping of fields, got {type(data).__name__}"
                )
                continue
            slug = data.get("slug")
            if slug != path.stem:
                problems.append(
                    f'{path}: field "slug": "{slug}" must equal the file name "{path.stem}"'
                )
                continue
            found[slug] = (path, data)
        records[record_type.directory] = found
    vocab = {}
    for name in ("countries", "mandate_tasks"):
        path = root / f"{name}.yaml"
        data = _read_yaml(path, problems) if path.exists() else []
        if data is None:
            data = []
        if not isinstance(data, list):
            problems.append(f"{path}: expected a list")
            data = []
        vocab[name] = (path, data)
    return records, vocab, problems


# --------------------------------------------------------------------------- loading


def _text(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value.rstrip()
    return str(value)


def _set_scalar(instance, name, value):
    model_field = instance._meta.get_field(name)
    internal = model_field.get_internal_type()
    if value is None or value == "":
        if model_field.null:
            value = None
        elif model_field.has_default():
            value = model_field.get_default()
        else:
            value = ""
    elif internal in {
        "PositiveSmallIntegerField",
        "PositiveIntegerField",
        "IntegerField",
    }:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{value!r} is not a whole number")
    elif internal == "DateField":
        if isinstance(value, str):
            value = datetime.date.fromisoformat(value)
        if not isinstance(value, datetime.date):
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")
    else:
        value = _text(value)
    setattr(instance, name, value)


class _Loader:
    def __init__(self, root: Path, *, user=None):
        self.root = root
        self.user = user
        self.problems: list[str] = []
        self.report = LoadReport()
        self.instances: dict[tuple[type, str], object] = {}

    def problem(self, path, record, field_name, message):
        label = f"{path.parent.name}/{path.name}" if path else "?"
        where = f'record "{record}", ' if record else ""
        self.problems.append(f'{label}: {where}field "{field_name}": {message}')

    # -- vocabularies --------------------------------------------------------------

    def load_vocabularies(self, vocab):
        path, countries = vocab["countries"]
        for position, row in enumerate(countries):
            if not isinstance(row, dict) or not row.get("code"):
                self.problem(
                    path, f"#{position + 1}", "code", "each country needs a code"
                )
                continue
            country = Country.objects.filter(code=row["code"]).first() or Country(
                code=row["code"]
            )
            self._apply(
                path,
                row["code"],
                country,
                {"name": row.get("name"), "region": row.get("region")},
            )
            self.instances[(Country, row["code"])] = country
        path, tasks = vocab["mandate_tasks"]
        for position, row in enumerate(tasks):
            if not isinstance(row, dict) or not row.get("slug"):
                self.problem(path, f"#{position + 1}", "slug", "each task needs a slug")
                continue
            task = MandateTask.objects.filter(slug=row["slug"]).first() or MandateTask(
                slug=row["slug"]
            )
            values = {k: row.get(k) for k in ("name", "conception", "description")}
            values["position"] = position
            self._apply(path, row["slug"], task, values)
            self.instances[(MandateTask, row["slug"])] = task

    def _apply(self, path, label, instance, values):
        changed = instance.pk is None
        for name, value in values.items():
            before = getattr(instance, name)
            try:
                _set_scalar(instance, name, value)
            except (ValueError, TypeError) as exc:
                self.problem(path, label, name, str(exc))
                continue
            changed = changed or before != getattr(instance, name)
        if not self._validate(path, label, instance):
            return
        if changed:
            instance.save()

    def _validate(self, path, label, instance, exclude=None, aliases=None):
        aliases = aliases or {}
        try:
            instance.full_clean(exclude=exclude, validate_unique=True)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    self.problem(path, label, aliases.get(name, name), message)
            return False
        return True

    @staticmethod
    def _aliases(record_type):
        """Model field names as the YAML files spell them, for error messages."""
        aliases = {
            "wikidata_qid": "wikidata",
            "page_first": "pages",
            "page_last": "pages",
        }
        for key, (date_field, precision_field) in record_type.dates.items():
            aliases[date_field] = aliases[precision_field] = key
        return aliases

    # -- records ---------------------------------------------------------------------

    def check_keys(self, record_type, path, slug, data):
        allowed = (
            set(ORDER_HEAD)
            | set(ORDER_TAIL)
            | set(record_type.scalars)
            | set(record_type.dates)
            | set(record_type.foreign_keys)
            | set(record_type.many)
            | {"citations"}
            | SPECIAL_KEYS.get(record_type.model, set())
        )
        for key in data:
            if key not in allowed:
                self.problem(
                    path,
                    slug,
                    key,
                    f"unknown field (allowed: {', '.join(sorted(allowed))})",
                )

    def upsert_record(self, record_type, path, slug, data):
        model = record_type.model
        instance = model.objects.filter(slug=slug).first()
        created = instance is None
        if created:
            instance = model(slug=slug, created_by=self.user)
        before = {
            f.attname: getattr(instance, f.attname) for f in model._meta.concrete_fields
        }
        values = {name: data.get(name) for name in record_type.scalars}
        values["summary"] = data.get("summary")
        values["caveat"] = data.get("caveat")
        values["curator_note"] = data.get("curator_note")
        values["wikidata_qid"] = data.get("wikidata")
        values["last_reviewed"] = data.get("last_reviewed")
        if model is Source:
            pages = data.get("pages")
            first = last = None
            if pages not in (None, ""):
                text = str(pages).replace("\u2013", "-")
                parts = text.split("-")
                if not all(p.strip().isdigit() for p in parts) or len(parts) > 2:
                    self.problem(
                        path,
                        slug,
                        "pages",
                        f'"{pages}" is not a page range like 505-535',
                    )
                else:
                    first, last = int(parts[0]), int(parts[-1])
            instance.page_first, instance.page_last = first, last
        for name, value in values.items():
            try:
                _set_scalar(instance, name, value)
            except (ValueError, TypeError) as exc:
                self.problem(path, slug, name, str(exc))
        for key, (date_field, precision_field) in record_type.dates.items():
            raw = data.get(key)
            if raw in (None, ""):
                setattr(instance, date_field, None)
                setattr(instance, precision_field, "")
                continue
            try:
                parsed, precision = fuzzydate.parse(raw)
            except ValueError as exc:
                self.problem(path, slug, key, str(exc))
                continue
            setattr(instance, date_field, parsed)
            setattr(instance, precision_field, precision)
        if model in (Case, Mission):
            reasons = data.get("not_established")
            if isinstance(reasons, dict):
                reasons = {
                    str(k): _text(v) if isinstance(v, str) else v
                    for k, v in reasons.items()
                }
            instance.not_established = {} if reasons in (None, "") else reasons
        # Foreign keys are set in the second pass; keep the current ones for the comparison.
        status = data.get("status") or Status.PUBLISHED
        if status not in Status.values:
            self.problem(
                path,
                slug,
                "status",
                f'"{status}" is not one of {", ".join(Status.values)}',
            )
            status = Status.DRAFT
        instance._wanted_status = status
        exclude = list(record_type.foreign_keys)
        if not self._validate(
            path,
            slug,
            instance,
            exclude=[*exclude, "status"],
            aliases=self._aliases(record_type),
        ):
            self.check_references(record_type, path, slug, data)
            return
        after = {
            f.attname: getattr(instance, f.attname) for f in model._meta.concrete_fields
        }
        changed = created or before != after
        if changed:
            if not created:
                instance.updated_by = self.user
            if created:
                instance.status = (
                    Status.DRAFT
                )  # publishing happens once links are in place
            instance.save()
        self.instances[(model, slug)] = instance
        instance._dataset_changed = changed
        instance._dataset_created = created

    def resolve(self, model, key, path, slug, field_name):
        if isinstance(key, list | dict):
            self.problem(
                path, slug, field_name, f"expected a slug, not a {type(key).__name__}"
            )
            return None
        if model is Country:
            found = (
                self.instances.get((Country, key))
                or Country.objects.filter(code=key).first()
            )
        elif model is MandateTask:
            found = (
                self.instances.get((MandateTask, key))
                or MandateTask.objects.filter(slug=key).first()
            )
        else:
            found = (
                self.instances.get((model, key))
                or model.objects.filter(slug=key).first()
            )
        if found is None:
            self.problem(
                path,
                slug,
                field_name,
                f'"{key}" is not a known {model._meta.verbose_name} slug',
            )
        return found

    def check_references(self, record_type, path, slug, data):
        """For a record that failed validation: still report every broken reference."""
        for key, target_model in record_type.foreign_keys.items():
            if data.get(key):
                self.resolve(target_model, data[key], path, slug, key)
        for key, (_attr, target_model) in record_type.many.items():
            raw = data.get(key) or []
            for item in raw if isinstance(raw, list) else []:
                self.resolve(target_model, item, path, slug, key)
        self.citation_rows(path, slug, data.get("citations"), "citations")

    def link_record(self, record_type, path, slug, data):
        instance = self.instances.get((record_type.model, slug))
        if instance is None:
            return
        changed = False
        for key, target_model in record_type.foreign_keys.items():
            raw = data.get(key)
            target = self.resolve(target_model, raw, path, slug, key) if raw else None
            if raw and target is None:
                continue
            field_name = record_type.model._meta.get_field(key).attname
            new_id = target.pk if target else None
            if getattr(instance, field_name) != new_id:
                setattr(instance, field_name, new_id)
                changed = True
        if changed and self._validate(path, slug, instance, exclude=["status"]):
            instance.save()
            instance._dataset_changed = True
        many = dict(record_type.many)
        many_data = dict(data)
        if record_type.model is Concept:
            related = data.get("related") or {}
            if not isinstance(related, dict):
                self.problem(
                    path, slug, "related", "expected a mapping of lists by type"
                )
                related = {}
            for key in related:
                if key not in CONCEPT_RELATED:
                    self.problem(path, slug, f"related.{key}", "unknown relation")
            many = {f"related.{k}": v for k, v in CONCEPT_RELATED.items()}
            many_data = {f"related.{k}": related.get(k) for k in CONCEPT_RELATED}
        for key, (attr, target_model) in many.items():
            raw = many_data.get(key) or []
            if not isinstance(raw, list):
                self.problem(path, slug, key, "expected a list of slugs")
                continue
            targets = []
            for item in raw:
                target = self.resolve(target_model, item, path, slug, key)
                if target is not None:
                    targets.append(target)
            manager = getattr(instance, attr)
            current = set(manager.values_list("pk", flat=True))
            if current != {t.pk for t in targets}:
                manager.set(targets)
                instance._dataset_changed = True
        if record_type.model is Source:
            self.set_creators(instance, path, slug, data)
        self.set_citations(instance, path, slug, data.get("citations"), "citations")
        if record_type.model in (Case, Mission):
            for key in instance.not_established_conflicts():
                self.problem(
                    path,
                    slug,
                    f"not_established.{key}",
                    f'"{key}" has linked records, so it cannot also be marked not '
                    "established.",
                )
            self.set_classifications(instance, path, slug, data.get("classifications"))

    def set_creators(self, source, path, slug, data):
        wanted = []
        for role, key in (
            (CreatorRole.AUTHOR, "authors"),
            (CreatorRole.EDITOR, "editors"),
        ):
            people = data.get(key) or []
            if not isinstance(people, list):
                self.problem(path, slug, key, "expected a list of {family, given}")
                continue
            for position, person in enumerate(people):
                if not isinstance(person, dict) or not person.get("family"):
                    self.problem(
                        path, slug, key, f"entry {position + 1} needs a family name"
                    )
                    continue
                wanted.append(
                    (
                        role,
                        _text(person["family"]),
                        _text(person.get("given")),
                        position,
                    )
                )
        current = [
            (c.role, c.family, c.given, c.position)
            for c in source.creators.order_by("role", "position")
        ]
        if sorted(current) != sorted(wanted):
            source.creators.all().delete()
            SourceCreator.objects.bulk_create(
                [
                    SourceCreator(source=source, role=r, family=f, given=g, position=p)
                    for r, f, g, p in wanted
                ]
            )
            source._dataset_changed = True

    def citation_rows(self, path, slug, raw, key):
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problem(path, slug, key, "expected a list of citations")
            return []
        rows = []
        for index, item in enumerate(raw):
            where = f"{key}[{index}]"
            if not isinstance(item, dict):
                self.problem(path, slug, where, "expected a mapping")
                continue
            allowed = {"source", "claim", "reconstructed", "note", *LOCATOR_KEYS}
            for extra in set(item) - allowed:
                self.problem(path, slug, f"{where}.{extra}", "unknown citation field")
            locators = [k for k in LOCATOR_KEYS if item.get(k) not in (None, "")]
            if len(locators) != 1:
                self.problem(
                    path,
                    slug,
                    where,
                    "give exactly one locator: pages, section, paragraph or footnote",
                )
                continue
            source = self.resolve(
                Source, item.get("source"), path, slug, f"{where}.source"
            )
            claim = item.get("claim") or Claim.SUMMARY
            if claim not in Claim.values:
                self.problem(
                    path, slug, f"{where}.claim", f'"{claim}" is not a known claim'
                )
                continue
            if source is None:
                continue
            citation = Citation(
                source=source,
                claim=claim,
                locator_type=LOCATOR_KEYS[locators[0]],
                locator=_text(item[locators[0]]),
                reconstructed=bool(item.get("reconstructed", False)),
                note=_text(item.get("note")),
                position=index,
            )
            try:
                citation.clean()
            except ValidationError as exc:
                for message in exc.messages:
                    self.problem(path, slug, where, message)
                continue
            rows.append(citation)
        return rows

    @staticmethod
    def _citation_key(c):
        return (
            c.source_id,
            c.claim,
            c.locator_type,
            c.locator,
            c.reconstructed,
            c.note,
            c.position,
        )

    def set_citations(self, target, path, slug, raw, key):
        wanted = self.citation_rows(path, slug, raw, key)
        content_type = ContentType.objects.get_for_model(target)
        existing = Citation.objects.filter(
            content_type=content_type, object_id=target.pk
        )
        if sorted(map(self._citation_key, existing)) == sorted(
            map(self._citation_key, wanted)
        ):
            return
        existing.delete()
        for citation in wanted:
            citation.content_type = content_type
            citation.object_id = target.pk
            citation.save()
        target._dataset_changed = True

    def set_classifications(self, record, path, slug, raw):
        raw = raw or []
        if not isinstance(raw, list):
            self.problem(path, slug, "classifications", "expected a list")
            return
        content_type = ContentType.objects.get_for_model(record)
        existing = list(
            Classification.objects.filter(
                content_type=content_type, object_id=record.pk
            ).order_by("position", "id")
        )
        wanted = []
        task_conceptions = (
            [t.conception for t in record.mandate_tasks.all()]
            if isinstance(record, Mission)
            else []
        )
        for index, item in enumerate(raw):
            where = f"classifications[{index}]"
            if not isinstance(item, dict):
                self.problem(path, slug, where, "expected a mapping")
                continue
            allowed = set(CLASSIFICATION_KEYS)
            for extra in set(item) - allowed:
                self.problem(
                    path, slug, f"{where}.{extra}", "unknown classification field"
                )
            classification = Classification(
                content_type=content_type,
                object_id=record.pk,
                value=item.get("value") or "",
                basis=_text(item.get("basis")),
                rule=_text(item.get("rule")),
                departure=_text(item.get("departure")),
                preferred=bool(item.get("preferred", False)),
                period_start=item.get("period_start"),
                period_end=item.get("period_end"),
                rationale=_text(item.get("rationale")),
                position=index,
            )
            try:
                classification.full_clean(
                    exclude=["content_type", "object_id"], validate_constraints=False
                )
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    for message in messages:
                        self.problem(path, slug, f"{where}.{name}", message)
                continue
            mismatch = codebook.rule_mismatch(classification.rule, task_conceptions)
            if mismatch:
                self.problem(path, slug, f"{where}.rule", mismatch)
                continue
            citations = self.citation_rows(
                path, slug, item.get("citations"), f"{where}.citations"
            )
            wanted.append((classification, citations))
        if sum(1 for c, _ in wanted if c.preferred) > 1:
            self.problem(
                path,
                slug,
                "classifications",
                "only one classification can be preferred",
            )
            return

        def key(classification, citations):
            return (
                classification.value,
                classification.basis,
                classification.rule,
                classification.departure,
                classification.preferred,
                classification.period_start,
                classification.period_end,
                classification.rationale,
                classification.position,
                sorted(map(self._citation_key, citations)),
            )

        current = [key(c, list(c.citations.all())) for c in existing]
        if current == [key(c, cits) for c, cits in wanted]:
            return
        for old in existing:
            old.citations.all().delete()
            old.delete()
        classification_type = ContentType.objects.get_for_model(Classification)
        for classification, citations in wanted:
            classification.save()
            for citation in citations:
                citation.content_type = classification_type
                citation.object_id = classification.pk
                citation.save()
        record._dataset_changed = True

    def settle_status(self, record_type, path, slug):
        instance = self.instances.get((record_type.model, slug))
        if instance is None:
            return
        wanted = instance._wanted_status
        if wanted == Status.PUBLISHED:
            problems = services.record_publish_problems(instance)
            if problems:
                self.report.drafts.append(
                    f"{record_type.directory}/{slug}: " + " ".join(problems)
                )
                wanted = Status.DRAFT
        if instance.status != wanted:
            instance.status = wanted
            if wanted == Status.PUBLISHED and not instance.published_at:
                instance.published_at = timezone.now()
            instance.save(update_fields=["status", "published_at", "updated_at"])
            instance._dataset_changed = True
        if instance._dataset_created:
            self.report.created += 1
        elif instance._dataset_changed:
            self.report.updated += 1
        else:
            self.report.unchanged += 1


def load_dataset(root, *, dry_run=False, user=None) -> LoadReport:
    """Validate and load everything under `root`; raise DatasetError and save nothing on error."""
    root = Path(root)
    records, vocab, problems = read_dataset(root)
    if problems:
        raise DatasetError(problems)
    loader = _Loader(root, user=user)
    with transaction.atomic():
        loader.load_vocabularies(vocab)
        for record_type in RECORD_TYPES:
            for slug, (path, data) in records[record_type.directory].items():
                loader.check_keys(record_type, path, slug, data)
                loader.upsert_record(record_type, path, slug, data)
        for record_type in RECORD_TYPES:
            for slug, (path, data) in records[record_type.directory].items():
                loader.link_record(record_type, path, slug, data)
        if loader.problems:
            transaction.set_rollback(True)
            raise DatasetError(loader.problems)
        for record_type in RECORD_TYPES:
            for slug, (path, _data) in records[record_type.directory].items():
                loader.settle_status(record_type, path, slug)
        if dry_run:
            transaction.set_rollback(True)
    return loader.report


def record_type_for(model) -> RecordType:
    """The RecordType describing `model` (Mission -> missions/...)."""
    for record_type in RECORD_TYPES:
        if record_type.model is model:
            return record_type
    raise LookupError(f"{model.__name__} is not a dataset record type")


def apply_record_dict(model, data, *, instance=None, user=None):
    """Write one record's canonical dict (as `record_to_dict` gives it) to the database.

    Upserts by slug, or onto `instance` when given (so a proposal may rename a slug).
    The record's status is left as it is: publishing is the services' business. Raises
    DatasetError, naming the field, and saves nothing if the dict does not validate.
    Returns the saved instance.
    """
    record_type = record_type_for(model)
    slug = data.get("slug")
    path = Path(record_type.directory) / f"{slug}.yaml"
    loader = _Loader(path.parent, user=user)
    with transaction.atomic():
        if instance is not None and instance.slug != slug:
            if model.objects.filter(slug=slug).exclude(pk=instance.pk).exists():
                raise DatasetError(
                    [f'{path}: field "slug": another record already uses "{slug}"']
                )
            instance.slug = slug
            instance.save(update_fields=["slug"])
        loader.check_keys(record_type, path, slug, data)
        loader.upsert_record(record_type, path, slug, data)
        loader.link_record(record_type, path, slug, data)
        if loader.problems:
            raise DatasetError(loader.problems)  # leaving the block rolls back
    return loader.instances[(model, slug)]


# --------------------------------------------------------------------------- exporting


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line text, so that diffs read like prose."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


EMPTY = (None, "", [], {}, False)


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


def _citation_dict(citation):
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
        problems = services.record_publish_problems(instance)
        if problems and problems == services.classification_basis_problems(instance):
            return None
    return instance.status


def record_to_dict(record_type, instance) -> dict:
    model = record_type.model
    out = {"slug": instance.slug}
    for name in record_type.scalars:
        out[name] = _scalar_out(getattr(instance, name))
    if model is Source:
        out["pages"] = instance.pages or None
        out["authors"] = [
            _clean({"family": c.family, "given": c.given}) for c in instance.authors()
        ]
        out["editors"] = [
            _clean({"family": c.family, "given": c.given}) for c in instance.editors()
        ]
    for key, (date_field, precision_field) in record_type.dates.items():
        out[key] = fuzzydate.to_text(
            getattr(instance, date_field), getattr(instance, precision_field)
        )
    for key in record_type.foreign_keys:
        target = getattr(instance, key)
        out[key] = target.slug if target else None
    for key, (attr, target_model) in record_type.many.items():
        if target_model is Country:
            out[key] = sorted(c.code for c in getattr(instance, attr).all())
        else:
            out[key] = sorted(t.slug for t in getattr(instance, attr).all())
    if model is Concept:
        out["related"] = _clean(
            {
                k: sorted(t.slug for t in getattr(instance, attr).all())
                for k, (attr, _m) in CONCEPT_RELATED.items()
            }
        )
    if model in (Case, Mission):
        reasons = instance.not_established or {}
        out["not_established"] = {
            key: reasons[key]
            for key in codebook.NOT_ESTABLISHED_KEYS[model._meta.model_name]
            if key in reasons
        }
        out["classifications"] = [
            _clean(
                {
                    "value": c.value,
                    "basis": c.basis,
                    "rule": c.rule,
                    "departure": c.departure,
                    "preferred": c.preferred,
                    "period_start": c.period_start,
                    "period_end": c.period_end,
                    "rationale": c.rationale,
                    "citations": [_citation_dict(x) for x in c.citations.all()],
                }
            )
            for c in instance.classifications.order_by("position", "id")
        ]
    out["summary"] = instance.summary
    out["caveat"] = instance.caveat
    out["curator_note"] = instance.curator_note
    out["status"] = _status_out(instance)
    out["last_reviewed"] = _scalar_out(instance.last_reviewed)
    out["wikidata"] = instance.wikidata_qid
    out["citations"] = [_citation_dict(c) for c in instance.citations.all()]
    return canonical(out)


def export_dataset(root, *, published_only=False) -> int:
    """Write every record to `root` in the canonical file layout; return the number of files."""
    root = Path(root)
    count = 0
    root.mkdir(parents=True, exist_ok=True)
    countries = [
        {"code": c.code, "name": c.name, "region": c.region}
        for c in Country.objects.order_by("code")
    ]
    (root / "countries.yaml").write_text(dump_yaml(countries), encoding="utf-8")
    tasks = [
        {
            "slug": t.slug,
            "name": t.name,
            "conception": t.conception,
            "description": t.description,
        }
        for t in MandateTask.objects.order_by("position", "id")
    ]
    (root / "mandate_tasks.yaml").write_text(dump_yaml(tasks), encoding="utf-8")
    for record_type in RECORD_TYPES:
        directory = root / record_type.directory
        directory.mkdir(exist_ok=True)
        queryset = record_type.model.objects.all()
        if published_only:
            queryset = queryset.published()
        for instance in queryset.order_by("slug"):
            path = directory / f"{instance.slug}.yaml"
            path.write_text(
                dump_yaml(record_to_dict(record_type, instance)), encoding="utf-8"
            )
            count += 1
    return count
