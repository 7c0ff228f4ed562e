"""Which content versions (apps/core/versions.py) a public change moves, and which ones
a page or an API answer shows. A cached entry is used while the versions it shows hold.

What a change moves (besides `all`, which every change moves):
- a published record R of type T (published, edited, unpublished, deleted, or a link
  added or removed): `type:T`, `record:T:<slug>` (its former slug too), `menu:T` when it
  enters or leaves the published records or changes its slug or label, and
  `record:<type>:<slug>` of every record linked to R either way, of the sources R cites
  and, for a source, of the records citing it (their pages show R's name);
- a citation, classification or author: the versions of the records it belongs to
  (`type:` and `record:` of its target and its source);
- a vocabulary entry (country, mandate task): `vocabulary`, which every page shows.

What an entry shows:
- a record's page: `vocabulary`, `menu:T` (its "compare with" menu lists the type's
  records by label) and `record:T:<slug>`; its API answer: `vocabulary` and `record:T:<slug>`;
- a list of T, its facets, totals and known filter values, on the page or in the API:
  `vocabulary`, `type:T` and `type:` of every type T links to (rows and facets show
  their names);
- everything else (home, /compare/, the timeline, search, the sitemap, the exports and the
  dataset version): `all`.

Not content, so moving nothing: drafts, a curator's pending proposal (its writes are
rolled back), history rows (Revision) and stored dataset versions (signals.py decides).
"""

from collections.abc import Iterator
from functools import cache
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.urls import ResolverMatch

from apps.core.versions import ALL

from . import registry
from .models import Citation, Source

VOCABULARY = "vocabulary"


def type_name(model_name: str) -> str:
    return f"type:{model_name}"


def record_name(model_name: str, slug: str) -> str:
    return f"record:{model_name}:{slug}"


def menu_name(model_name: str) -> str:
    return f"menu:{model_name}"


# --------------------------------------------------------------------------- changes


def _is_record(instance: Any) -> bool:
    return type(instance) in registry.RECORD_MODELS


def own_names(record: Any, former_slug: str | None = None) -> set[str]:
    model_name = record._meta.model_name
    names = {type_name(model_name), record_name(model_name, record.slug)}
    if former_slug and former_slug != record.slug:
        names.add(record_name(model_name, former_slug))
    return names


def _slugs(model: Any, **lookup) -> Iterator[str]:
    model_name = model._meta.model_name
    for slug in model._base_manager.filter(**lookup).values_list("slug", flat=True):
        yield record_name(model_name, slug)


def _linked(record: Any) -> Iterator[str]:
    """`record:` names of the records `record` links to, or that link to it."""
    for field in record._meta.get_fields():
        related = field.related_model
        if not field.is_relation or related not in registry.RECORD_MODELS:
            continue
        if field.many_to_one or field.one_to_one:
            if field.concrete:
                pk = getattr(record, field.attname)
                if pk is not None:
                    yield from _slugs(related, pk=pk)
            continue
        accessor = field.get_accessor_name() if field.auto_created else field.name
        records = getattr(record, accessor).all()
        yield from (
            record_name(related._meta.model_name, s) for s in _only_slugs(records)
        )


def _only_slugs(records: Any) -> list[str]:
    return list(records.values_list("slug", flat=True))


def _cited(record: Any) -> Iterator[str]:
    """`record:` names of the sources `record` cites, or of the records citing it."""
    if isinstance(record, Source):
        rows = Citation.objects.filter(source=record).values_list(
            "content_type", "object_id"
        )
        for type_id, object_id in rows:
            kind = ContentType.objects.get_for_id(type_id)
            target: Any = kind.get_object_for_this_type(pk=object_id)
            owner = target if _is_record(target) else getattr(target, "target", None)
            if owner is not None:
                yield record_name(owner._meta.model_name, owner.slug)
        return
    kind = ContentType.objects.get_for_model(record)
    yield from _slugs(
        Source, cited_by__content_type=kind, cited_by__object_id=record.pk
    )


def record_changed(
    record: Any, former_slug: str | None = None, *, menus: bool = False
) -> set[str]:
    """The names a change of the published record `record` moves."""
    names = own_names(record, former_slug) | set(_linked(record)) | set(_cited(record))
    if menus:
        names.add(menu_name(record._meta.model_name))
    return names


def owners(instance: Any, depth: int = 3) -> list[Any]:
    """The records a citation, classification or author belongs to."""
    if _is_record(instance):
        return [instance]
    found = []
    for attribute in ("target", "source"):
        if depth and hasattr(instance, attribute):
            related = getattr(instance, attribute, None)
            if related is not None:
                found += owners(related, depth - 1)
    return found


def changed(
    instance: Any, former_slug: str | None = None, *, menus: bool = False
) -> set[str]:
    """The names a committed change to `instance` moves (`ALL` is always added); with
    `menus`, the record entered or left its type's menus or changed its label there."""
    if _is_record(instance):
        return record_changed(instance, former_slug, menus=menus)
    belongs_to = owners(instance)
    if not belongs_to:
        return {VOCABULARY}
    return set().union(*(own_names(record) for record in belongs_to))


# --------------------------------------------------------------------------- entries


@cache
def list_names(model_name: str) -> list[str]:
    """What a list of `model_name` shows (its facets, totals and known values too)."""
    model = registry.by_name(model_name).model  # type: ignore[union-attr]
    linked: set[str] = {
        str(field.related_model._meta.model_name)
        for field in model._meta.get_fields()
        if field.is_relation and field.related_model in registry.RECORD_MODELS
    }
    return [VOCABULARY, *(type_name(n) for n in sorted(linked | {model_name}))]


def shown_by_lists_of(model: Any) -> list[str]:
    """`list_names` of a record model; a vocabulary's lists show the vocabulary."""
    if model in registry.RECORD_MODELS:
        return list_names(model._meta.model_name)
    return [VOCABULARY]


def record_answer_names(model_name: str, slug: str) -> list[str]:
    return [VOCABULARY, record_name(model_name, slug)]


def record_page_names(model_name: str, slug: str) -> list[str]:
    return [VOCABULARY, menu_name(model_name), record_name(model_name, slug)]


def page_dependencies(match: ResolverMatch) -> list[str]:
    """What the page resolved to `match` shows (pagecache.register_dependencies)."""
    model_name, _, kind = (match.url_name or "").rpartition("-")
    if match.namespace == "knowledge" and registry.by_name(model_name):
        if kind == "detail":
            return record_page_names(model_name, match.kwargs["slug"])
        if kind == "list":
            return list_names(model_name)
    return [ALL]


def answer_dependencies(model: Any, slug: str | None) -> list[str]:
    """What an API answer about `model` shows: one record's (`slug`) or a list's."""
    if model not in registry.RECORD_MODELS:
        return [ALL]
    model_name = model._meta.model_name
    if slug:
        return record_answer_names(model_name, slug)
    return list_names(model_name)
