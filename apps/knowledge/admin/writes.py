"""The admin's change form as a record's canonical dict (canonical.py).

The admin writes no row itself: the record's form and its inlines (citations,
classifications with their principal citation, a source's authors and editors) are read
into the one dict every door writes, and `services.write_record` writes it (workflow.py,
`WorkflowAdminMixin.save_related`). So the admin has the loader's validation,
normalisation and history, and an unchanged row keeps its id (writer.py).
"""

from __future__ import annotations

from typing import Any

from django.forms import BaseFormSet
from django.forms import ModelForm

from ..canonical import CLASSIFICATION_FIELDS
from ..canonical import CONCEPT_RELATED
from ..canonical import canonical
from ..canonical import citation_dict
from ..canonical import record_fields
from ..canonical import record_type_for
from ..models import Citation
from ..models import Classification
from ..models import Concept
from ..models import Country
from ..models import SourceCreator
from ..models.choices import Claim
from ..models.choices import CreatorRole
from ..models.choices import LocatorType

# The parts of the dict the inlines hold.
INLINE_PARTS = {
    Citation: ("citations",),
    Classification: ("classifications",),
    SourceCreator: ("authors", "editors"),
}


def _keys(items) -> list[str]:
    return sorted(c.code if isinstance(c, Country) else c.slug for c in items)


def _links(record_type, form: ModelForm) -> dict[str, Any]:
    """Many-to-many links, from the form's fields (the stored ones where it has none)."""
    out: dict[str, Any] = {}
    live = form.instance if form.instance.pk else None
    for key in record_type.many:
        out[key] = _chosen(form, key, live)
    if record_type.model is Concept:
        out["related"] = {
            key: _chosen(form, attr, live)
            for key, (attr, _model) in CONCEPT_RELATED.items()
        }
    return out


def _chosen(form, attr, live):
    if attr in form.cleaned_data:
        return _keys(form.cleaned_data[attr] or [])
    return _keys(getattr(live, attr).all()) if live is not None else []


def _rows(formset: BaseFormSet) -> list:
    """The forms of the rows to keep, in the order the record will hold them."""
    rows = []
    for index, form in enumerate(formset.forms):
        if not hasattr(form, "cleaned_data") or not form.cleaned_data:
            continue  # an empty extra row
        if formset.can_delete and form.cleaned_data.get("DELETE"):
            continue
        rows.append((index, form))
    return [form for _index, form in sorted(rows, key=_row_order)]


def _row_order(item):
    """By the position typed (citations, creators), then as the record holds them:
    stored rows by their stored place, new rows after, in the form's order."""
    index, form = item
    typed = form.cleaned_data.get("position")
    stored = form.instance.pk is not None
    place = (form.instance.position, form.instance.pk) if stored else (0, 0)
    return (typed if typed is not None else 0, not stored, place, index)


def _citation(form) -> dict:
    values = form.cleaned_data
    return citation_dict(
        Citation(
            source=values["source"],
            claim=values.get("claim") or Claim.SUMMARY,
            locator_type=values.get("locator_type") or LocatorType.PAGES,
            locator=values.get("locator") or "",
            reconstructed=bool(values.get("reconstructed")),
            note=values.get("note") or "",
        )
    )


def _classification(form) -> dict:
    """A classification row: its fields, its principal citation as the row shows it,
    then its further citations as stored (edited on the classification's own page)."""
    values = form.cleaned_data
    item: dict[str, Any] = {name: values.get(name) for name in CLASSIFICATION_FIELDS}
    stored = list(form.instance.citations.all()) if form.instance.pk else []
    principal = stored[0] if stored else None
    citations = [citation_dict(c) for c in stored[1:]]
    if values.get("source"):
        citation = Citation(
            source=values["source"],
            claim=principal.claim if principal else Claim.CLASSIFICATION,
            locator_type=values.get("locator_type") or LocatorType.PAGES,
            locator=values.get("locator") or "",
            reconstructed=principal.reconstructed if principal else False,
            note=principal.note if principal else "",
        )
        citations.insert(0, citation_dict(citation))
    item["citations"] = citations
    return item


def _creators(formset) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {"authors": [], "editors": []}
    for form in _rows(formset):
        values = form.cleaned_data
        key = "editors" if values.get("role") == CreatorRole.EDITOR else "authors"
        out[key].append({"family": values.get("family"), "given": values.get("given")})
    return out


def _inline_parts(formsets) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for formset in formsets:
        model = formset.model
        if model is Citation:
            out["citations"] = [_citation(form) for form in _rows(formset)]
        elif model is Classification:
            out["classifications"] = [_classification(form) for form in _rows(formset)]
        elif model is SourceCreator:
            out.update(_creators(formset))
    return out


def form_record_dict(
    form: ModelForm, formsets: list, live: dict[str, Any] | None
) -> dict[str, Any]:
    """The canonical dict of the record as the change form and its inlines leave it.

    `form.instance` carries the form's values (Django's ModelForm has set them, nothing
    is saved); `live` is the stored record's content (services.record_content), from
    which come the parts this page does not edit (a mission's classifications on a
    page without that inline, say)."""
    record_type = record_type_for(form._meta.model)
    data = dict(live or {})
    data.update(record_fields(record_type, form.instance))
    data.update(_links(record_type, form))
    data.update(_inline_parts(formsets))
    return canonical(data)


# --------------------------------------------------------------------------- parts


def part_owner(part: Citation | Classification):
    """The record a citation or classification belongs to (through its
    classification, for a classification's citation); None if there is none."""
    target = part.target
    return target.target if isinstance(target, Classification) else target


def _ordered(manager) -> list:
    return list(manager.order_by("position", "id"))


def _part_list(record, data: dict[str, Any], part) -> tuple[list, list]:
    """(the list in `data` that holds `part`, the stored rows it was read from)."""
    if isinstance(part, Classification):
        return data.setdefault("classifications", []), _ordered(record.classifications)
    if isinstance(part.target, Classification):
        classification = part.target
        stored = _ordered(record.classifications)
        index = [c.pk for c in stored].index(classification.pk)
        item = data["classifications"][index]
        return item.setdefault("citations", []), _ordered(classification.citations)
    return data.setdefault("citations", []), _ordered(record.citations)


def record_with_part(
    record, data: dict[str, Any], part, item: dict | None
) -> dict[str, Any]:
    """`data`, the record's canonical dict, with `part` (a stored citation or
    classification of the record or of one of its classifications, or a new one)
    replaced by `item` (None: removed; a new part is added at the end)."""
    items, stored = _part_list(record, data, part)
    pks = [row.pk for row in stored]
    if part.pk in pks:
        index = pks.index(part.pk)
        if item is None:
            items.pop(index)
        else:
            items[index] = item
    elif item is not None:
        items.append(item)
    return canonical(data)


def classification_item(form: ModelForm, formsets: list) -> dict[str, Any]:
    """A classification's page (its fields and its citations inline) as its dict."""
    values = form.cleaned_data
    item: dict[str, Any] = {name: values.get(name) for name in CLASSIFICATION_FIELDS}
    for formset in formsets:
        if formset.model is Citation:
            item["citations"] = [_citation(row) for row in _rows(formset)]
            return item
    stored = form.instance.citations.all() if form.instance.pk else []
    item["citations"] = [citation_dict(c) for c in stored]
    return item
