"""Merging two people's changes to one record, as canonical dicts (dataset.record_to_dict)
and as the values of the admin's change form.

Three versions meet: the *base* both started from, *theirs* (saved meanwhile) and *mine*
(being saved). A field only one side changed takes that side's value; a field both
changed to different values is a clash, for the person saving to choose.
"""

import contextlib
import json
from dataclasses import dataclass

from apps.core import fuzzydate

from . import dataset
from .models import Country, MandateTask


@dataclass
class Clash:
    name: str  # the form field
    label: str
    theirs: str
    mine: str


def merge_dicts(base, mine, theirs):
    """(merged dict, [clashing keys]) of three canonical dicts; on a clash mine wins."""
    merged, clashes = {}, []
    for key in [*mine, *(k for k in theirs if k not in mine), *base]:
        if key in merged:
            continue
        b, m, t = base.get(key), mine.get(key), theirs.get(key)
        if m == b:
            value = t
        elif t in (b, m):
            value = m
        else:
            value, _ = m, clashes.append(key)
        if value is not None:
            merged[key] = value
    return dataset.canonical(merged), clashes


def _pks(model, slugs):
    key = "code" if model is Country else "slug"
    found = dict(model.objects.filter(**{f"{key}__in": slugs}).values_list(key, "pk"))
    return [found[s] for s in slugs if s in found]


def form_values(model, data):
    """The change form's initial values (by form field name) for a canonical dict."""
    record_type = dataset.record_type_for(model)
    values = {name: data.get(name) for name in record_type.scalars}
    values["summary"] = data.get("summary")
    values["caveat"] = data.get("caveat")
    values["curator_note"] = data.get("curator_note")
    if hasattr(model, "not_established"):
        values["not_established"] = data.get("not_established") or {}
    values["wikidata_qid"] = data.get("wikidata")
    for key, (date_field, precision_field) in record_type.dates.items():
        parsed, precision = (None, "")
        if data.get(key):
            with contextlib.suppress(ValueError):  # a bad date stays blank
                parsed, precision = fuzzydate.parse(data[key])
        values[date_field], values[precision_field] = parsed, precision
    for key, target in record_type.foreign_keys.items():
        pks = _pks(target, [data[key]]) if data.get(key) else []
        values[key] = pks[0] if pks else None
    for key, (attr, target) in record_type.many.items():
        if target in (Country, MandateTask) or hasattr(target, "slug"):
            values[attr] = _pks(target, list(data.get(key) or []))
    if model is dataset.Concept:
        related = data.get("related") or {}
        for key, (attr, target) in dataset.CONCEPT_RELATED.items():
            values[attr] = _pks(target, list(related.get(key) or []))
    if model is dataset.Source:
        first = last = None
        pages = str(data.get("pages") or "")
        if pages:
            parts = pages.replace("\u2013", "-").split("-")
            if all(p.strip().isdigit() for p in parts):
                first, last = int(parts[0]), int(parts[-1])
        values["page_first"], values["page_last"] = first, last
    return values


def as_form_data(value):
    """A form value as a browser would submit it (a list for multiple choices)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return [str(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def merge_form(form, base, theirs):
    """Merge a bound change `form` (mine) with `theirs`, both started from `base`
    (canonical dicts). Fields only they changed take their value in the form's data;
    returns the [Clash] of fields both changed differently (the form keeps mine)."""
    model = form._meta.model
    base_values = form_values(model, base)
    their_values = form_values(model, theirs)
    data = form.data.copy()
    clashes = []
    for name, field in form.fields.items():
        if name not in base_values or field.disabled:
            continue
        b, t = base_values[name], their_values[name]
        if _same(field, b, t):
            continue  # they did not change it
        key = form.add_prefix(name)
        submitted = field.widget.value_from_datadict(form.data, form.files, key)
        if not field.has_changed(b, submitted):
            # Only they changed it: keep their value.
            if isinstance(t, list):
                data.setlist(key, as_form_data(t))
            else:
                data[key] = as_form_data(t)
        elif field.has_changed(t, submitted):
            clashes.append(
                Clash(
                    name,
                    str(field.label or name),
                    _shown(field, t),
                    _shown(field, submitted),
                )
            )
    form.data = data
    return clashes


def _same(field, a, b):
    return not field.has_changed(a, as_form_data(b))


def _shown(field, value):
    choices = dict(getattr(field, "choices", None) or [])
    if isinstance(value, list):
        return "; ".join(str(choices.get(v, choices.get(_int(v), v))) for v in value)
    shown = choices.get(value, choices.get(_int(value), value))
    return "" if shown in (None, "") else str(shown)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value
