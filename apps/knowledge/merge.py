"""Merging two people's changes to one record, as canonical dicts (canonical.record_to_dict)
and as the values of the admin's change form.

Three versions meet: the *base* both started from, *theirs* (saved meanwhile) and *mine*
(being saved). A field only one side changed takes that side's value; a field both
changed to different values is a clash, for the person saving to choose.
"""

import contextlib
import json
from dataclasses import dataclass

from apps.core import fuzzydate

from .canonical import CITATION_FORM_FIELDS
from .canonical import CLASSIFICATION_FORM_FIELDS
from .canonical import CONCEPT_RELATED
from .canonical import LOCATOR_KEYS
from .canonical import canonical
from .canonical import record_type_for
from .models import Citation
from .models import Classification
from .models import Concept
from .models import Country
from .models import MandateTask
from .models import Source


@dataclass
class Clash:
    name: str  # the form field
    label: str
    theirs: str
    mine: str


def merge_dicts(base, mine, theirs):
    """(merged dict, [clashing keys]) of three canonical dicts; on a clash mine wins.

    Citations and classifications merge item by item (see `merge_items`): a citation
    only they added, changed or removed is merged in beside the ones only I changed."""
    merged, clashes = {}, []
    for key in dict.fromkeys([*mine, *theirs, *base]):
        value, clashed = _merge_key(key, base.get(key), mine.get(key), theirs.get(key))
        if clashed:
            clashes.append(key)
        if value is not None:
            merged[key] = value
    return canonical(merged), clashes


def _merge_key(key, b, m, t):
    if key in ITEM_KEYS and m != b and t not in (b, m):
        value, clashed = merge_items(key, b or [], m or [], t or [])
        if value is not None:
            return value, clashed
    return _merge_value(b, m, t)  # also a list whose items cannot be told apart


def _merge_value(b, m, t):
    """(value, clashed) of one value both sides may have changed."""
    if m == b:
        return t, False
    if t in (b, m):
        return m, False
    return m, True


def _locator(citation):
    return next(
        (
            (k, citation[k])
            for k in ("pages", "section", "paragraph", "footnote")
            if k in citation
        ),
        None,
    )


# What names an item of a list, so that two versions of it can be recognised: a
# citation by its source and locator, a classification by its value and period.
ITEM_KEYS = {
    "citations": lambda c: (c.get("source"), _locator(c)),
    "classifications": lambda c: (
        c.get("value"),
        c.get("period_start"),
        c.get("period_end"),
    ),
}


def merge_items(key, base, mine, theirs):
    """(merged list, clashed) of three versions of a list of citations or
    classifications, item by item: an item only one side added, changed or removed
    takes that side's version; an item both changed is merged field by field (mine
    wins a clash). Returns (None, True) when an item cannot be told apart (two items
    with the same source and locator, say): the caller merges the list as a whole."""
    identify = ITEM_KEYS[key]
    versions = [_by_identity(identify, items) for items in (base, mine, theirs)]
    if None in versions:
        return None, True
    b, m, t = versions
    merged, clashed = [], False
    # My order first, then what they added, in their order.
    for identity in [
        *m,
        *(i for i in t if i not in m),
        *(i for i in b if i not in m and i not in t),
    ]:
        item, item_clashed = _merge_item(
            b.get(identity), m.get(identity), t.get(identity)
        )
        clashed = clashed or item_clashed
        if item is not None:
            merged.append(item)
    return merged, clashed


def _by_identity(identify, items):
    found = {}
    for item in items:
        identity = identify(item)
        if identity in found:
            return None
        found[identity] = item
    return found


def _merge_item(b, m, t):
    if m == b or t in (b, m) or m is None or t is None:
        # One side's version; or one removed it and the other changed it: mine stands.
        return _merge_value(b, m, t)
    merged, clashes = merge_dicts(b or {}, m, t)
    return merged, bool(clashes)


def _pks(model, slugs):
    key = "code" if model is Country else "slug"
    found = dict(model.objects.filter(**{f"{key}__in": slugs}).values_list(key, "pk"))
    return [found[s] for s in slugs if s in found]


def form_values(model, data):
    """The change form's initial values (by form field name) for a canonical dict."""
    record_type = record_type_for(model)
    values = {name: data.get(name) for name in record_type.scalars}
    for name in ("summary", "caveat", "curator_note"):
        values[name] = data.get(name)
    if hasattr(model, "not_established"):
        values["not_established"] = data.get("not_established") or {}
    values["wikidata_qid"] = data.get("wikidata")
    values.update(_date_values(record_type, data))
    values.update(_link_values(record_type, data))
    if model is Source:
        values.update(_page_values(data))
    return values


def _date_values(record_type, data):
    values = {}
    for key, (date_field, precision_field) in record_type.dates.items():
        parsed, precision = (None, "")
        if data.get(key):
            with contextlib.suppress(ValueError):  # a bad date stays blank
                parsed, precision = fuzzydate.parse(data[key])
        values[date_field], values[precision_field] = parsed, precision
    return values


def _link_values(record_type, data):
    """Foreign keys and many-to-many links as primary keys, by form field name."""
    values = {}
    for key, target in record_type.foreign_keys.items():
        pks = _pks(target, [data[key]]) if data.get(key) else []
        values[key] = pks[0] if pks else None
    for key, target in record_type.many.items():
        if target in (Country, MandateTask) or hasattr(target, "slug"):
            values[key] = _pks(target, list(data.get(key) or []))
    if record_type.model is Concept:
        related = data.get("related") or {}
        for key, (attr, target) in CONCEPT_RELATED.items():
            values[attr] = _pks(target, list(related.get(key) or []))
    return values


def _page_values(data):
    first = last = None
    pages = str(data.get("pages") or "")
    if pages:
        parts = pages.replace("\u2013", "-").split("-")
        if all(p.strip().isdigit() for p in parts):
            first, last = int(parts[0]), int(parts[-1])
    return {"page_first": first, "page_last": last}


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


# --------------------------------------------------------------------------- inlines


def merge_inline_rows(formsets, base):
    """After a conflict, merge the citation and classification rows of the change form
    (`formsets`, as the admin bound them to my POST) with theirs, field by field: a field
    of a row only they changed takes their value, so that saving again keeps it; a field
    both changed is a Clash (the row keeps mine). A row is matched to its version in
    `base` by its place in the form; where that is not unambiguous (rows added or
    removed since, by anyone) the rows stay as I sent them. Returns the [Clash]."""
    clashes = []
    for formset in formsets:
        rows = _base_rows(formset, base)
        if rows is None:
            continue
        data = formset.data.copy()
        for number, (form, row) in enumerate(
            zip(formset.initial_forms, rows, strict=True), 1
        ):
            if form.instance.pk is None:
                continue  # they deleted it: the form says so
            label = f"{formset.model._meta.verbose_name.capitalize()} {number}"
            clashes += _merge_row(form, _row_values(formset.model, row), data, label)
        formset.data = data
        for form in formset.forms:
            form.data = data
    return clashes


def _base_rows(formset, base):
    """The base version of each row the form was opened with, in the form's order."""
    if formset.model is Citation:
        rows = list(base.get("citations") or [])
    elif formset.model is Classification:
        # The inline lists the preferred judgement first (the model's ordering).
        rows = sorted(
            base.get("classifications") or [], key=lambda c: not c.get("preferred")
        )
    else:
        return None
    opened = formset.data.get(formset.management_form.add_prefix("INITIAL_FORMS"))
    return rows if str(len(rows)) == str(opened) else None


def _row_values(model, row):
    """A canonical citation or classification as the inline form's field values (a
    classification's row shows its first citation); a missing key is an empty value."""
    citation = row if model is Citation else (row.get("citations") or [{}])[0]
    locator = next((k for k in LOCATOR_KEYS if k in citation), None)
    pks = _pks(Source, [citation["source"]]) if citation.get("source") else []
    values = {
        **row,
        "locator_type": LOCATOR_KEYS[locator] if locator else None,
        "locator": citation.get(locator) if locator else None,
        "source": pks[0] if pks else None,
    }
    names = CITATION_FORM_FIELDS if model is Citation else CLASSIFICATION_FORM_FIELDS
    return {name: values.get(name) for name in names}


def _merge_row(form, base_values, data, label):
    clashes = []
    for name, field in form.fields.items():
        if name not in base_values or field.disabled:
            continue
        b, t = base_values[name], form.get_initial_for_field(field, name)
        if _same(field, b, t):
            continue  # they did not change it
        key = form.add_prefix(name)
        submitted = field.widget.value_from_datadict(data, form.files, key)
        if not field.has_changed(b, submitted):
            data[key] = as_form_data(t)  # only they changed it
        elif field.has_changed(t, submitted):
            clashes.append(
                Clash(
                    key,
                    f"{label}: {field.label or name}",
                    _shown(field, t),
                    _shown(field, submitted),
                )
            )
    return clashes
