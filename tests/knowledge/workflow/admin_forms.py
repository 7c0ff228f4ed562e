"""Post an admin change form back as a browser would: every field with the value the page
showed, then the caller's edits."""

from django.urls import reverse


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


def change_url(record):
    return reverse(
        f"admin:knowledge_{record._meta.model_name}_change", args=[record.pk]
    )


def save_after_another(clients, record, their_edits, my_edits):
    """Two people open `record`'s change page (`clients`: mine and theirs, logged in);
    the other saves `their_edits` first, then mine are posted from the page opened
    before. Returns the responses to their save and to mine."""
    mine, theirs = clients
    url = change_url(record)
    my_page, their_page = mine.get(url), theirs.get(url)
    saved = theirs.post(url, change_form_data(their_page, **their_edits))
    return saved, mine.post(url, change_form_data(my_page, **my_edits))


def summary_clash(clients, record, theirs, mine):
    """`save_after_another` where both people rewrite the summary: theirs is saved
    first, mine is posted from the page opened before. Returns the response to mine."""
    _saved, refused = save_after_another(
        clients, record, {"summary": theirs}, {"summary": mine}
    )
    return refused
