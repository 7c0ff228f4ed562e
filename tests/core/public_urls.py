"""Every public GET URL of the site and the API, with sample records to fill slugs.

Walks the URL configuration instead of listing paths by hand, so that a page added
tomorrow is covered by the security and bad-input tests without anyone remembering.
"""

from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import get_resolver
from django.urls import reverse
from django.urls.exceptions import NoReverseMatch

from apps.knowledge.api.export import store_current_version
from tests.factories import RECORD_FACTORIES

# Namespaces and names that are not the public's: the admin, and benchmark helpers.
PRIVATE_NAMESPACES = {"admin"}
PRIVATE_PREFIXES = ("bench",)


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in PRIVATE_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            # In the pattern's order: the same test ids in every process (pytest-xdist).
            yield namespace + entry.name, tuple(entry.pattern.regex.groupindex)


def sample_records():
    """One published record of each public kind, keyed by the name URL patterns use,
    and the dataset version a background build stores after a publish, so that
    /api/v1/export/latest/ serves it rather than its 503 "building"."""
    records = {name: factory() for name, factory in RECORD_FACTORIES.items()}
    store_current_version()
    mission = records["mission"]
    return {
        **records,
        "citation": mission.citations.first(),
        "classification": mission.classifications.first(),
    }


# Route arguments that are not a record's slug: a plausible value for each.
OTHER_ARGUMENTS = {
    "model_name": "mission",
    "ext": "bib",
    "kind": "missions",
    "name": "missions",
    "fmt": "json",
}


def public_routes():
    """[(name, url kwargs)] for every named public route; needs no database."""
    routes = {}
    for name, groups in _walk(get_resolver().url_patterns):
        short = name.rsplit(":", 1)[-1]
        if short.startswith(PRIVATE_PREFIXES) or "format" in groups:
            continue
        routes.setdefault(name, groups)
    return sorted(routes.items())


def fill(name, groups, records):
    """The path for `name`, its slug taken from the sample record of its kind, or None."""
    kind = name.rsplit(":", 1)[-1].split("-")[0]
    record = records.get(kind) or records["mission"]
    kwargs = {}
    for group in groups:
        if group in OTHER_ARGUMENTS:
            kwargs[group] = OTHER_ARGUMENTS[group]
        elif group in ("slug", "pk") and (kind in records or "model_name" in groups):
            kwargs[group] = getattr(record, group)
        else:
            return None
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None
