"""What a write through the API hands the one writer: the serializer's validated data
as the record's canonical dict (canonical.py), and the writer's problems back on the
API's own field names.

The serializers check the request's shape (types, choices, known slugs); the record
itself is validated, normalised, written and kept in history by
`services.write_record`, as for every other door (issue 13).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from apps.core import fuzzydate

from ...canonical import CONCEPT_RELATED
from ...canonical import KEY_FOR_LOCATOR
from ...canonical import RecordType
from ...models import Citation
from ...models import Concept
from ...models import Country

# Model attributes whose canonical key differs (besides dates, pages and links).
_KEY_OF_ATTR = {"wikidata_qid": "wikidata"}
_CITATION_DEFAULTS = {
    "claim": Citation._meta.get_field("claim").get_default(),
    "locator_type": Citation._meta.get_field("locator_type").get_default(),
}
_STEP = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def _slug(record: Any) -> str | None:
    if record is None:
        return None
    return record.code if isinstance(record, Country) else record.slug


def _scalar(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def citation_dict(row: dict[str, Any]) -> dict[str, Any]:
    """A citation as the API took it ({source, claim, locator_type, locator, ...}) as
    the canonical dict keeps it ({source: slug, claim, pages: "512", ...})."""
    row = {**_CITATION_DEFAULTS, **row}
    return {
        "source": _slug(row["source"]),
        "claim": row["claim"],
        KEY_FOR_LOCATOR.get(row["locator_type"], "pages"): row.get("locator"),
        "reconstructed": row.get("reconstructed", False),
        "note": row.get("note"),
    }


def classification_dict(row: dict[str, Any]) -> dict[str, Any]:
    item = {key: _scalar(value) for key, value in row.items() if key != "citations"}
    item["citations"] = [citation_dict(c) for c in row.get("citations") or []]
    return item


def _creators(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"family": row.get("family"), "given": row.get("given")} for row in rows]


def key_of(record_type: RecordType, attr: str) -> str:
    """The canonical key of a model attribute ("related.norms" for a concept's norms)."""
    for key, (date_field, _precision) in record_type.dates.items():
        if attr == date_field:
            return key
    if attr in ("page_first", "page_last"):
        return "pages"
    if record_type.model is Concept:
        for key, (many_attr, _model) in CONCEPT_RELATED.items():
            if attr == many_attr:
                return f"related.{key}"
    return _KEY_OF_ATTR.get(attr, attr)


_PARTS = {
    "citations": lambda rows: [citation_dict(row) for row in rows],
    "classifications": lambda rows: [classification_dict(row) for row in rows],
    "authors": _creators,
    "editors": _creators,
}


def _value(record_type: RecordType, attr: str, value: Any, data: dict) -> Any:
    if attr in _PARTS:
        return _PARTS[attr](value)
    for date_field, precision_field in record_type.dates.values():
        if attr == date_field:
            return fuzzydate.to_text(value, data.get(precision_field))
    if attr == "page_first":
        last = data.get("page_last")
        return f"{value}-{last}" if value and last else value
    if attr in record_type.foreign_keys:
        return _slug(value)
    if isinstance(value, list | tuple) and value and hasattr(value[0], "_meta"):
        return sorted(_slug(item) for item in value)
    return _scalar(value)


def to_canonical(record_type: RecordType, validated: dict[str, Any]) -> dict[str, Any]:
    """The part of a record's canonical dict that `validated` (a serializer's validated
    data, by model attribute) says."""
    precisions = {precision for _date, precision in record_type.dates.values()}
    out: dict[str, Any] = {}
    for attr, value in validated.items():
        if attr in precisions or attr == "page_last":
            continue  # read with its date, or with page_first
        key = key_of(record_type, attr)
        value = _value(record_type, attr, value, validated)
        if key.startswith("related."):
            out.setdefault("related", {})[key.split(".", 1)[1]] = value
        else:
            out[key] = value
    return out


def merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`base` (the record's current dict) with `changes` over it, key by key (and a
    concept's `related` links type by type)."""
    data = {**base, **changes}
    if isinstance(changes.get("related"), dict):  # a concept's, not a norm's list
        data["related"] = {**(base.get("related") or {}), **changes["related"]}
    return data


# --------------------------------------------------------------------------- errors


def _steps(path: str) -> list[str | int]:
    return [int(index) if index else name for index, name in _STEP.findall(path)]


def _insert(errors: dict, steps: list[str | int], message: str) -> bool:
    """Put `message` at `steps` in the nested errors; False when the shape clashes."""
    node: Any = errors
    for step, following in zip(steps, [*steps[1:], None], strict=True):
        if isinstance(step, int):  # an item of a list: its errors by field
            if not isinstance(node, list) or any(isinstance(i, str) for i in node):
                return False
            node.extend({} for _ in range(step + 1 - len(node)))
            if isinstance(following, int):
                return False
            node = node[step]
            if following is None:
                node = node.setdefault("non_field_errors", [])
            continue
        if not isinstance(node, dict):
            return False
        wanted = dict if isinstance(following, str) else list
        node = node.setdefault(step, wanted())
        if not isinstance(node, wanted):
            return False
    if not isinstance(node, list) or not all(isinstance(i, str) for i in node):
        return False
    node.append(message)
    return True


def api_names(record_type: RecordType, fields: dict[str, Any]) -> dict[str, str]:
    """Canonical key -> the API field that writes it ("url" -> "web_url" on sources)."""
    names = {}
    for name, field in fields.items():
        if field.read_only:
            continue
        # A fuzzy date names its date attribute; the page range (source "*") its first.
        attr = getattr(field, "date_field", None) or (
            "page_first" if field.source == "*" else field.source
        )
        names[key_of(record_type, attr)] = name
    return names


def field_errors(
    paths: list[tuple[str, str]], api_names: dict[str, str]
) -> dict[str, Any]:
    """The writer's (path, message) problems as the API's errors: by the API's field
    names, nested like the request ({"citations": [{}, {"locator": [...]}]})."""
    errors: dict[str, Any] = {}
    for path, message in paths:
        steps = _steps(path)
        head = ".".join(str(s) for s in steps[:2])
        if len(steps) > 1 and head in api_names:
            steps = [api_names[head], *steps[2:]]
        elif steps and steps[0] == "__all__":
            steps = ["non_field_errors"]
        elif steps:
            steps[0] = api_names.get(str(steps[0]), steps[0])
        if not steps or not _insert(errors, steps, message):
            errors.setdefault("non_field_errors", []).append(f"{path}: {message}")
    return errors
