"""Post an admin change form back as a browser would: every field with the value the page
showed, then the caller's edits."""

from contextlib import contextmanager

from django.db import transaction

from apps.knowledge import services


def _field_values(form):
    data = {}
    for name in form.fields:
        value = form[name].value()
        key = form.add_prefix(name)
        if value is None or value is False:
            continue
        if value is True:
            data[key] = "on"
        elif isinstance(value, (list, tuple)):
            data[key] = [str(v) for v in value]
        else:
            data[key] = str(value)
    return data


def change_form_data(response, **edits):
    """The POST data of the admin change page in `response`, with `edits` applied."""
    context = response.context
    data = _field_values(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_field_values(formset.management_form))
        for form in formset.initial_forms:
            data.update(_field_values(form))
    data.update(edits)
    return {k: v for k, v in data.items() if v is not None}


@contextmanager
def record_edit(*, record, user=None, comment=""):
    """An edit written by hand inside services.RecordEdit, as the admin and the API
    write theirs: `edit.proposal` and `edit.revision` say what became of it."""
    with transaction.atomic():
        edit = services.RecordEdit(record=record, user=user)
        yield edit
        edit.revision = edit.finish(comment)
