"""Field-by-field differences between two versions of a record, as canonical dicts
(canonical.record_to_dict): what a reviewer reads before approving a change."""

import difflib
import json
from collections import Counter
from dataclasses import dataclass
from dataclasses import field

# Keys whose values are lists of items: show what was added and removed, not the lists.
LABELS = {
    "wikidata": "Wikidata ID",
    "ucdp_conflict_id": "UCDP conflict ID",
    "pax_agreement_id": "PA-X agreement ID",
    "url": "URL",
    "doi": "DOI",
    "isbn": "ISBN",
}


@dataclass
class FieldChange:
    key: str
    label: str
    before: str = ""
    after: str = ""
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    text_diff: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_list(self):
        return bool(self.added or self.removed)


def describe_citation(item):
    """One line for a citation dict: 'flynn-farrell-1999, pages 512 (summary): note'."""
    locator = next(
        (
            f"{k} {item[k]}"
            for k in ("pages", "section", "paragraph", "footnote")
            if k in item
        ),
        "no locator",
    )
    text = f"{item.get('source', '?')}, {locator} ({item.get('claim', 'summary')})"
    if item.get("reconstructed"):
        text += " [reconstructed]"
    if item.get("note"):
        text += f": {item['note']}"
    return text


def describe_classification(item):
    start, end = item.get("period_start"), item.get("period_end")
    text = item.get("value", "?")
    if item.get("preferred"):
        text += " (preferred)"
    if start and end:
        text += f", {start}-{end}"
    elif start or end:
        text += f", from {start}" if start else f", until {end}"
    text += f": {item.get('rationale', '')}"
    for citation in item.get("citations", []):
        text += f"; cites {describe_citation(citation)}"
    return text


def describe_person(item):
    return ", ".join(filter(None, [item.get("family"), item.get("given")]))


def _describe(key, item):
    if isinstance(item, dict):
        if key == "citations":
            return describe_citation(item)
        if key == "classifications":
            return describe_classification(item)
        if key in ("authors", "editors"):
            return describe_person(item)
        return json.dumps(item, sort_keys=True, ensure_ascii=False)
    return str(item)


def _text(value):
    if value in (None, "", [], {}):
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in value.items())
    return str(value)


def _text_diff(before, after):
    """Word-level opcodes for prose: [('equal'|'delete'|'insert', text), ...]."""
    a, b = before.split(" "), after.split(" ")
    out = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(("equal", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("delete", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(("insert", " ".join(b[j1:j2])))
    return out


def _value_labels(model, before, after):
    """{key: {stored value: label}} for a model's coded fields and links, so a reviewer
    reads "Host government" and "UN Security Council", not codes and slugs."""
    from django.core.exceptions import FieldDoesNotExist

    from .canonical import record_type_for

    try:
        record_type = record_type_for(model)
    except LookupError:
        return {}
    labels = {}
    for name in record_type.scalars:
        try:
            choices = model._meta.get_field(name).choices
        except FieldDoesNotExist:
            continue
        if choices:
            labels[name] = {str(value): str(label) for value, label in choices}
    links = {**record_type.foreign_keys, **record_type.many}
    for key, target in links.items():
        wanted = set()
        for data in (before, after):
            value = data.get(key)
            wanted.update(
                value if isinstance(value, list) else [value] if value else []
            )
        if not wanted:
            continue
        lookup = "code" if target._meta.model_name == "country" else "slug"
        labels[key] = {
            getattr(obj, lookup): str(obj)
            for obj in target.objects.filter(**{f"{lookup}__in": wanted})
        }
    return labels


def _shown(names, value):
    """`value` with its codes and slugs replaced by their labels in `names`."""
    if not names or value is None:
        return value
    if isinstance(value, list):
        return [names.get(str(v), v) if not isinstance(v, dict) else v for v in value]
    return names.get(str(value), value)


def _list_change(key, label, old, new):
    """What was added to and removed from a list; the order if only that changed."""
    old_items = Counter(_describe(key, i) for i in old or [])
    new_items = Counter(_describe(key, i) for i in new or [])
    change = FieldChange(
        key,
        label,
        added=sorted((new_items - old_items).elements()),
        removed=sorted((old_items - new_items).elements()),
    )
    if not change.is_list:  # same items, new order
        change.before, change.after = "; ".join(old_items), "; ".join(new_items)
    return change


def _value_change(key, label, old, new):
    change = FieldChange(key, label, before=_text(old), after=_text(new))
    if isinstance(old, str) and isinstance(new, str) and len(old) + len(new) > 80:
        change.text_diff = _text_diff(old, new)
    return change


def diff_records(before, after, model=None):
    """[FieldChange] for every key whose value differs between two canonical dicts.
    With `model`, coded values and linked slugs show as their labels."""
    before, after = before or {}, after or {}
    labels = _value_labels(model, before, after) if model is not None else {}
    keys = list(after) + [k for k in before if k not in after]
    changes = []
    for key in keys:
        old, new = before.get(key), after.get(key)
        if old == new or (not old and not new):
            continue
        old, new = _shown(labels.get(key), old), _shown(labels.get(key), new)
        label = LABELS.get(key, key.replace("_", " ").capitalize())
        if isinstance(old, list) or isinstance(new, list):
            changes.append(_list_change(key, label, old, new))
        else:
            changes.append(_value_change(key, label, old, new))
    return changes
