"""The graph writer: a record's canonical dict (canonical.py) onto the database.

The one place that turns a dict into a record, its links, its citations and its
classifications, with one validation (each problem names the record and the field) and
one normalisation. It decides nothing about publishing or history: the services call it
(`services.write_record` for one record, `services.records_load` for a whole dataset)
and keep those rules.

Writing is two passes, so that records written together may point to each other:
`upsert_record` writes each record's own fields, then `link_record` its foreign keys,
links, creators, citations and classifications. `write_graph` does both for one record.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.core import fuzzydate
from apps.core.models import Status

from . import codebook
from .canonical import CLASSIFICATION_KEYS
from .canonical import CONCEPT_RELATED
from .canonical import LOCATOR_KEYS
from .canonical import ORDER_HEAD
from .canonical import ORDER_TAIL
from .canonical import SPECIAL_KEYS
from .canonical import RecordType
from .canonical import record_type_for
from .models import Case
from .models import Citation
from .models import Classification
from .models import Concept
from .models import Country
from .models import MandateTask
from .models import Mission
from .models import Source
from .models import SourceCreator
from .models.choices import Claim
from .models.choices import CreatorRole

# Model field names as the files spell them, for error messages.
FIELD_ALIASES = {
    "wikidata_qid": "wikidata",
    "page_first": "pages",
    "page_last": "pages",
}
CITATION_KEYS = {"source", "claim", "reconstructed", "note", *LOCATOR_KEYS}
_INTEGER_FIELDS = {"PositiveSmallIntegerField", "PositiveIntegerField", "IntegerField"}


class DatasetError(Exception):
    """Everything wrong with a record's (or a dataset's) data, one line per problem;
    `errors` the same problems as (field, message), the field a path into the record's
    dict such as "citations[1].locator" (forms and the API name their fields so)."""

    def __init__(self, problems, errors=None):
        self.problems = problems
        self.errors = list(errors or [])
        super().__init__("\n".join(problems))


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
    elif internal in _INTEGER_FIELDS:
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


def _page_range(pages):
    """(first, last) of "505-535" (or an en dash), or None when it is not a range."""
    parts = str(pages).replace("\u2013", "-").split("-")
    if len(parts) > 2 or not all(p.strip().isdigit() for p in parts):
        return None
    return int(parts[0]), int(parts[-1])


def _citation_content(citation):
    return (
        citation.source_id,
        citation.claim,
        citation.locator_type,
        citation.locator,
        citation.reconstructed,
        citation.note,
    )


def _citation_key(citation):
    return (*_citation_content(citation), citation.position)


def _classification_content(classification, citations):
    return (
        classification.value,
        classification.basis,
        classification.rule,
        classification.departure,
        classification.preferred,
        classification.period_start,
        classification.period_end,
        classification.rationale,
        sorted(map(_citation_key, citations)),
    )


def _classification_key(classification, citations):
    return (
        *_classification_content(classification, citations),
        classification.position,
    )


def _pair_rows(existing, wanted, same):
    """Which stored row each wanted row overwrites, so that rows keep their ids: first
    a stored row with the same content (an untouched citation keeps its id even when
    another is added or removed), then the others in order. Returns ([(stored row or
    None, wanted row)], the stored rows left over)."""
    free = list(existing)
    matched = []
    for new in wanted:
        old = next((row for row in free if same(row, new)), None)
        if old is not None:
            free.remove(old)
        matched.append(old)
    pairs = list(zip(matched, wanted, strict=True))
    for index, (old, new) in enumerate(pairs):
        if old is None and free:
            pairs[index] = (free.pop(0), new)
    return pairs, free


def _write_citations(content_type, object_id, wanted):
    """Store `wanted` (unsaved Citations) as the citations of one record or
    classification, overwriting the stored rows in place (see _pair_rows)."""
    existing = list(
        Citation.objects.filter(
            content_type=content_type, object_id=object_id
        ).order_by("position", "id")
    )
    pairs, leftovers = _pair_rows(
        existing, wanted, lambda a, b: _citation_content(a) == _citation_content(b)
    )
    for old in leftovers:
        old.delete()
    for old, citation in pairs:
        citation.content_type = content_type
        citation.object_id = object_id
        if old is not None:
            citation.pk = old.pk
            if _citation_key(old) == _citation_key(citation):
                continue
        citation.save()


def _key(instance):
    return (type(instance), instance.slug)


class GraphWriter:
    """Writes canonical dicts; collects every problem instead of stopping at the first.

    After the passes, `problems` lists what was wrong (the caller rolls back if any),
    `instances` the records by (model, slug), `created` and `changed` which of them this
    writer created or changed, and `wanted_status` the status each dict asked for.
    """

    def __init__(self, *, user=None):
        self.user = user
        self.problems: list[str] = []
        self.errors: list[tuple[str, str]] = []  # (field, message): forms, the API
        # Records and vocabulary rows (countries, mandate tasks) by model and key.
        self.instances: dict[tuple[type, str], Any] = {}
        self.created: set[tuple[type, str]] = set()
        self.changed: set[tuple[type, str]] = set()
        self.wanted_status: dict[tuple[type, str], str] = {}

    def problem(self, path, record, field_name, message):
        label = f"{path.parent.name}/{path.name}" if path else "?"
        where = f'record "{record}", ' if record else ""
        self.problems.append(f'{label}: {where}field "{field_name}": {message}')
        self.errors.append((field_name, message))

    # -- vocabularies --------------------------------------------------------------

    def write_vocabularies(self, vocab):
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
        aliases = dict(FIELD_ALIASES)
        for key, (date_field, precision_field) in record_type.dates.items():
            aliases[date_field] = aliases[precision_field] = key
        return aliases

    # -- first pass: the record's own fields -----------------------------------------

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

    def upsert_record(self, record_type: RecordType, path, slug, data):
        """Write the record's own fields (not its links); create it as a draft."""
        model = record_type.model
        found = model.objects.filter(slug=slug).first()
        created = found is None
        instance = found or model(slug=slug, created_by=self.user, updated_by=self.user)
        before = self._field_values(instance)
        self._set_fields(record_type, instance, path, slug, data)
        self.wanted_status[(model, slug)] = self._status(path, slug, data)
        if not self._validate(
            path,
            slug,
            instance,
            exclude=[*record_type.foreign_keys, "status"],
            aliases=self._aliases(record_type),
        ):
            self.check_references(record_type, path, slug, data)
            return
        if created:
            instance.status = Status.DRAFT  # publishing happens once links are in place
            self.created.add((model, slug))
        if created or before != self._field_values(instance):
            if not created:
                instance.updated_by = self.user
            instance.save()
            self.changed.add((model, slug))
        self.instances[(model, slug)] = instance

    @staticmethod
    def _field_values(instance):
        return {
            f.attname: getattr(instance, f.attname)
            for f in instance._meta.concrete_fields
        }

    def _set_fields(self, record_type, instance, path, slug, data):
        values = {name: data.get(name) for name in record_type.scalars}
        values["summary"] = data.get("summary")
        values["caveat"] = data.get("caveat")
        values["curator_note"] = data.get("curator_note")
        values["wikidata_qid"] = data.get("wikidata")
        values["last_reviewed"] = data.get("last_reviewed")
        for name, value in values.items():
            try:
                _set_scalar(instance, name, value)
            except (ValueError, TypeError) as exc:
                self.problem(path, slug, name, str(exc))
        if record_type.model is Source:
            self._set_pages(instance, path, slug, data.get("pages"))
        self._set_dates(record_type, instance, path, slug, data)
        if record_type.model in (Case, Mission):
            instance.not_established = self._reasons(data.get("not_established"))

    def _set_pages(self, source, path, slug, pages):
        first = last = None
        if pages not in (None, ""):
            found = _page_range(pages)
            if found is None:
                self.problem(
                    path, slug, "pages", f'"{pages}" is not a page range like 505-535'
                )
            else:
                first, last = found
        source.page_first, source.page_last = first, last

    def _set_dates(self, record_type, instance, path, slug, data):
        for key, (date_field, precision_field) in record_type.dates.items():
            raw = data.get(key)
            parsed, precision = None, ""
            if raw not in (None, ""):
                try:
                    parsed, precision = fuzzydate.parse(raw)
                except ValueError as exc:
                    self.problem(path, slug, key, str(exc))
                    continue
            setattr(instance, date_field, parsed)
            setattr(instance, precision_field, precision)

    @staticmethod
    def _reasons(reasons):
        if isinstance(reasons, dict):
            return {
                str(k): _text(v) if isinstance(v, str) else v
                for k, v in reasons.items()
            }
        return {} if reasons in (None, "") else reasons

    def _status(self, path, slug, data):
        status = data.get("status") or Status.PUBLISHED
        if status not in Status.values:
            self.problem(
                path,
                slug,
                "status",
                f'"{status}" is not one of {", ".join(Status.values)}',
            )
            return Status.DRAFT
        return status

    # -- second pass: links and parts ------------------------------------------------

    def resolve(self, model, key, path, slug, field_name):
        if isinstance(key, list | dict):
            self.problem(
                path, slug, field_name, f"expected a slug, not a {type(key).__name__}"
            )
            return None
        lookup = "code" if model is Country else "slug"
        found = (
            self.instances.get((model, key))
            or model.objects.filter(**{lookup: key}).first()
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
        for key, target_model in record_type.many.items():
            raw = data.get(key) or []
            for item in raw if isinstance(raw, list) else []:
                self.resolve(target_model, item, path, slug, key)
        self.citation_rows(path, slug, data.get("citations"), "citations")

    def link_record(self, record_type: RecordType, path, slug, data):
        """Write the record's foreign keys, links, creators, citations and
        classifications (the record itself is written by upsert_record)."""
        instance = self.instances.get((record_type.model, slug))
        if instance is None:
            return
        self._link_foreign_keys(record_type, instance, path, slug, data)
        for key, (attr, target_model), raw in self._many_links(
            record_type, path, slug, data
        ):
            self._link_many(instance, attr, target_model, raw, path, slug, key)
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

    def _link_foreign_keys(self, record_type, instance, path, slug, data):
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
            self.changed.add(_key(instance))

    def _many_links(self, record_type, path, slug, data):
        """(key, (attr, model), raw list) for each many-to-many link; a concept's sit
        under one `related:` mapping, keyed by type."""
        if record_type.model is not Concept:
            return [(k, (k, v), data.get(k)) for k, v in record_type.many.items()]
        related = data.get("related") or {}
        if not isinstance(related, dict):
            self.problem(path, slug, "related", "expected a mapping of lists by type")
            related = {}
        for key in related:
            if key not in CONCEPT_RELATED:
                self.problem(path, slug, f"related.{key}", "unknown relation")
        return [(f"related.{k}", v, related.get(k)) for k, v in CONCEPT_RELATED.items()]

    def _link_many(self, instance, attr, target_model, raw, path, slug, key):
        raw = raw or []
        if not isinstance(raw, list):
            self.problem(path, slug, key, "expected a list of slugs")
            return
        targets = [
            target
            for item in raw
            if (target := self.resolve(target_model, item, path, slug, key)) is not None
        ]
        manager = getattr(instance, attr)
        if set(manager.values_list("pk", flat=True)) != {t.pk for t in targets}:
            manager.set(targets)
            self.changed.add(_key(instance))

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
            self.changed.add(_key(source))

    # -- citations -------------------------------------------------------------------

    def citation_rows(self, path, slug, raw, key):
        """Unsaved Citations for a list of citation dicts; problems for the rest."""
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problem(path, slug, key, "expected a list of citations")
            return []
        rows = []
        for index, item in enumerate(raw):
            citation = self._citation(path, slug, item, f"{key}[{index}]", index)
            if citation is not None:
                rows.append(citation)
        return rows

    def _citation(self, path, slug, item, where, position):
        if not isinstance(item, dict):
            self.problem(path, slug, where, "expected a mapping")
            return None
        for extra in set(item) - CITATION_KEYS:
            self.problem(path, slug, f"{where}.{extra}", "unknown citation field")
        locators = [k for k in LOCATOR_KEYS if item.get(k) not in (None, "")]
        if len(locators) != 1:
            self.problem(
                path,
                slug,
                where,
                "give exactly one locator: pages, section, paragraph or footnote",
            )
            return None
        source = self.resolve(Source, item.get("source"), path, slug, f"{where}.source")
        claim = item.get("claim") or Claim.SUMMARY
        if claim not in Claim.values:
            self.problem(
                path, slug, f"{where}.claim", f'"{claim}" is not a known claim'
            )
            return None
        if source is None:
            return None
        citation = Citation(
            source=source,
            claim=claim,
            locator_type=LOCATOR_KEYS[locators[0]],
            locator=_text(item[locators[0]]),
            reconstructed=bool(item.get("reconstructed", False)),
            note=_text(item.get("note")),
            position=position,
        )
        try:
            citation.clean()
        except ValidationError as exc:
            named = (
                exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            )
            for name, messages in named.items():
                for message in messages:
                    field_name = where if name in ("", "__all__") else f"{where}.{name}"
                    self.problem(path, slug, field_name, message)
            return None
        return citation

    def set_citations(self, target, path, slug, raw, key):
        wanted = self.citation_rows(path, slug, raw, key)
        content_type = ContentType.objects.get_for_model(target)
        existing = Citation.objects.filter(
            content_type=content_type, object_id=target.pk
        )
        if sorted(map(_citation_key, existing)) == sorted(map(_citation_key, wanted)):
            return
        _write_citations(content_type, target.pk, wanted)
        self.changed.add(_key(target))

    # -- classifications -------------------------------------------------------------

    def set_classifications(self, record, path, slug, raw):
        raw = raw or []
        if not isinstance(raw, list):
            self.problem(path, slug, "classifications", "expected a list")
            return
        wanted = self._classification_rows(record, path, slug, raw)
        if sum(1 for c, _ in wanted if c.preferred) > 1:
            self.problem(
                path,
                slug,
                "classifications",
                "only one classification can be preferred",
            )
            return
        existing = [
            (c, list(c.citations.all()))
            for c in record.classifications.order_by("position", "id")
        ]
        if [_classification_key(*c) for c in existing] == [
            _classification_key(*c) for c in wanted
        ]:
            return
        self._write_classifications(existing, wanted)
        self.changed.add(_key(record))

    @staticmethod
    def _write_classifications(existing, wanted):
        """Overwrite the stored classifications in place (see _pair_rows): those left
        over go first, then the ones not preferred, so that at no point two are."""
        pairs, leftovers = _pair_rows(
            existing,
            wanted,
            lambda a, b: _classification_content(*a) == _classification_content(*b),
        )
        for old, old_citations in leftovers:
            for citation in old_citations:
                citation.delete()
            old.delete()
        classification_type = ContentType.objects.get_for_model(Classification)
        for old, (classification, citations) in sorted(
            pairs, key=lambda pair: pair[1][0].preferred
        ):
            if old is not None:
                classification.pk = old[0].pk
                unchanged = _classification_key(old[0], []) == _classification_key(
                    classification, []
                )
            if old is None or not unchanged:
                classification.save()
            _write_citations(classification_type, classification.pk, citations)

    def _classification_rows(self, record, path, slug, raw):
        """[(unsaved Classification, its unsaved Citations)] for the valid items."""
        content_type = ContentType.objects.get_for_model(record)
        task_conceptions = (
            [t.conception for t in record.mandate_tasks.all()]
            if isinstance(record, Mission)
            else []
        )
        rows = []
        for index, item in enumerate(raw):
            where = f"classifications[{index}]"
            classification = self._classification(
                path,
                slug,
                item,
                where,
                content_type=content_type,
                object_id=record.pk,
                position=index,
            )
            if classification is None:
                continue
            mismatch = codebook.rule_mismatch(classification.rule, task_conceptions)
            if mismatch:
                self.problem(path, slug, f"{where}.rule", mismatch)
                continue
            citations = self.citation_rows(
                path, slug, item.get("citations"), f"{where}.citations"
            )
            rows.append((classification, citations))
        return rows

    def _classification(self, path, slug, item, where, **placement):
        if not isinstance(item, dict):
            self.problem(path, slug, where, "expected a mapping")
            return None
        for extra in set(item) - set(CLASSIFICATION_KEYS):
            self.problem(path, slug, f"{where}.{extra}", "unknown classification field")
        classification = Classification(
            **placement,
            value=item.get("value") or "",
            basis=_text(item.get("basis")),
            rule=_text(item.get("rule")),
            departure=_text(item.get("departure")),
            preferred=bool(item.get("preferred", False)),
            period_start=item.get("period_start"),
            period_end=item.get("period_end"),
            rationale=_text(item.get("rationale")),
        )
        try:
            classification.full_clean(
                exclude=["content_type", "object_id"],
                validate_constraints=False,
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    self.problem(path, slug, f"{where}.{name}", message)
            return None
        return classification


def write_graph(model, data, *, instance=None, user=None):
    """Write one record's canonical dict (as `record_to_dict` gives it) to the database.

    Upserts by slug, or onto `instance` when given (so a proposal may rename a slug).
    The record's status is left as it is, and no history is kept: that is the services'
    business (services.write_record). Raises DatasetError, naming the field, and saves
    nothing if the dict does not validate. Returns the saved instance.
    """
    record_type = record_type_for(model)
    slug = data.get("slug")
    path = Path(record_type.directory) / f"{slug}.yaml"
    writer = GraphWriter(user=user)
    with transaction.atomic():
        if instance is not None and instance.slug != slug:
            if model.objects.filter(slug=slug).exclude(pk=instance.pk).exists():
                raise DatasetError(
                    [f'{path}: field "slug": another record already uses "{slug}"'],
                    [("slug", f'another record already uses "{slug}"')],
                )
            instance.slug = slug
            instance.save(update_fields=["slug"])
        writer.check_keys(record_type, path, slug, data)
        writer.upsert_record(record_type, path, slug, data)
        writer.link_record(record_type, path, slug, data)
        if writer.problems:
            # Leaving the block rolls back.
            raise DatasetError(writer.problems, writer.errors)
    return writer.instances[(model, slug)]
