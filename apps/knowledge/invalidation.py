"""Which content versions (apps/core/versions.py) a public change moves, and which ones
a page or an API answer shows. A cached entry is used while the versions it shows hold.

What a change moves (besides `all`, which every change moves):
- a published record R of type T (published, edited, unpublished, deleted, or a link
  added or removed): `type:T`; `rows:T` unless only fields no list row shows changed
  (`NOT_IN_ROWS`: its prose, its update time); `record:T:<slug>` (its former slug too);
  `menu:T` when it enters or leaves the published records or changes its slug, label
  or place; and `record:<type>:<slug>` of every record linked to R either way, of the
  sources R cites and, for a source, of the records citing it (their pages show R's name);
- a citation, classification or author: the versions of the records it belongs to
  (`type:`, `rows:` and `record:` of its target and its source);
- a vocabulary entry (country, mandate task): `vocabulary`;
- a mission whose acronym enters or leaves the published missions, or whose acronym or
  slug changes: `acronyms` (the autolink table, autolink.py).

What an entry shows:
- a record's page: `vocabulary`, `menu:T` (its "compare with" menu lists the type's
  records by label), `acronyms` (its prose links mission acronyms) and
  `record:T:<slug>`; its API answer: `vocabulary` and `record:T:<slug>`;
- a list of T, its facets, totals and known filter values (and the timeline, a list of
  missions): `rows:T`, or `type:T` where it shows more (a text search, the "updated"
  order, every API list: rows show `updated_at`), and `rows:` of the types and the
  vocabulary its rows, facets and filters name (`LIST_SHOWS`);
- the home page: `type:` of every type with pages but sources (counts, "recently
  updated") and `menu:source` (their count);
- /compare/: `type:comparisonrow`, `type:source` (the rows' notes), `acronyms`, and
  `rows:mission` and `rows:case` (the records by conception);
- records compared (/compare/<kind>/?ids=a,b): `vocabulary`, `menu:T` (the picker) and
  `record:T:<slug>` of each id;
- a search: `type:` of each type it searches or counts (a hit shows its record's own
  fields, and a source's authors, whose changes move the source's versions): the API's
  `?type=` types (all by default); the page counts every type for its type links;
- everything else (the sitemap, the exports and the dataset version): `all`.

Not content, so moving nothing: drafts, a curator's pending proposal (its writes are
rolled back), history rows (Revision) and stored dataset versions (signals.py decides).
"""

from collections.abc import Iterator
from functools import cache
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.urls import ResolverMatch

from apps.core.versions import ALL

from . import limits
from . import registry
from .filters import split_values
from .models import Citation
from .models import Source

VOCABULARY = "vocabulary"
ACRONYMS = "acronyms"

# What a list of each type shows besides its own records: the types whose records its
# rows, facets and filters name or count (their `rows:`), and `vocabulary` for
# countries, regions and mandate tasks. Read from templates/knowledge/rows/, the list views'
# querysets, filters.FACETS, the filters' known values and the API list serializers.
# A type missing here gets every type it links to (safe, and costly after a publish).
LIST_SHOWS: dict[str, tuple[str, ...]] = {
    # rows: organisations; facets: organisation, region and country (through cases),
    # mandate task, norm; filter: case; API rows: organisations and cases.
    "mission": ("case", "norm", "organisation", VOCABULARY),
    # rows: countries; facets: region, country, norm.
    "case": ("norm", VOCABULARY),
    "norm": (),
    # rows and facets: the issuer; facet: norm.
    "document": ("norm", "organisation"),
    "organisation": (),  # the parent is an organisation
    "concept": (),  # the API's parent is a concept
    "source": (),  # authors belong to their source
    "comparisonrow": ("source",),  # the API list shows the rows' citations
}


def type_name(model_name: str) -> str:
    return f"type:{model_name}"


def rows_name(model_name: str) -> str:
    return f"rows:{model_name}"


# Fields that no list row, facet or filter shows, but the text search (`q`) and the
# "updated" order, whose lists show `type:T`: an edit of only these leaves `rows:T`.
NOT_IN_ROWS = frozenset(
    {
        "summary",
        "mandate_summary",
        "caveat",
        "curator_note",
        "wikidata_qid",
        "last_reviewed",
        "updated_at",
    }
)
# ... but where a type's rows print one of them: the glossary shows each summary.
IN_ROWS = {"concept": {"summary"}}


def record_name(model_name: str, slug: str) -> str:
    return f"record:{model_name}:{slug}"


def menu_name(model_name: str) -> str:
    return f"menu:{model_name}"


# --------------------------------------------------------------------------- changes


def _is_record(instance: Any) -> bool:
    return type(instance) in registry.RECORD_MODELS


def own_names(
    record: Any, former_slug: str | None = None, fields: set[str] | None = None
) -> set[str]:
    """`fields`: the fields that changed, if known (an edit), else every one."""
    model_name = record._meta.model_name
    names = {type_name(model_name), record_name(model_name, record.slug)}
    hidden = NOT_IN_ROWS - IN_ROWS.get(model_name, set())
    if fields is None or not fields <= hidden:
        names.add(rows_name(model_name))
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
    instance: Any,
    former_slug: str | None = None,
    *,
    menus: bool = False,
    acronyms: bool = False,
    fields: set[str] | None = None,
) -> set[str]:
    """The names a committed change to `instance` moves (`ALL` is always added); with
    `menus`, the record entered or left its type's menus or changed its label there;
    with `acronyms`, the table of linked mission acronyms changed; `fields`, the fields
    an edit changed (None: a publish, an unpublish, a delete or a link)."""
    if not _is_record(instance):
        belongs_to = owners(instance)
        if not belongs_to:
            return {VOCABULARY}
        return set().union(*(own_names(record) for record in belongs_to))
    names = own_names(instance, former_slug, fields)
    names |= set(_linked(instance)) | set(_cited(instance))
    if menus:
        names.add(menu_name(instance._meta.model_name))
    if acronyms:
        names.add(ACRONYMS)
    return names


# --------------------------------------------------------------------------- entries


def shows_text(params: Any) -> bool:
    """Whether a list with these parameters shows more than its rows: a text search
    reads prose fields, the "updated" order the update times."""
    return bool(params.get("q")) or "updated" in str(params.get("ordering") or "")


@cache
def list_names(model_name: str, text: bool = False) -> list[str]:
    """What a list of `model_name` shows (its facets, totals and known values too);
    with `text`, its records' prose and update times as well (`shows_text`)."""
    shown = LIST_SHOWS.get(model_name)
    record_type = registry.by_name(model_name)
    if record_type is None:  # citations, classifications, history: every change
        return [ALL]
    if shown is None:  # a type not read yet: every type it links to, and vocabulary
        model = record_type.model
        shown = (
            VOCABULARY,
            *{
                str(field.related_model._meta.model_name)
                for field in model._meta.get_fields()
                if field.is_relation and field.related_model in registry.RECORD_MODELS
            },
        )
    names = {type_name(model_name) if text else rows_name(model_name)}
    names.update(n if n == VOCABULARY else rows_name(n) for n in shown)
    return sorted(names)


def shown_by_lists_of(model: Any) -> list[str]:
    """`list_names` of a record model; a vocabulary's lists show the vocabulary."""
    if model in registry.RECORD_MODELS:
        return list_names(model._meta.model_name)
    return [VOCABULARY]


def record_answer_names(model_name: str, slug: str) -> list[str]:
    return [VOCABULARY, record_name(model_name, slug)]


def record_page_names(model_name: str, slug: str) -> list[str]:
    return [VOCABULARY, ACRONYMS, menu_name(model_name), record_name(model_name, slug)]


def home_names() -> list[str]:
    """The home page: each type's count and its "recently updated" records (sources
    are counted but not listed there)."""
    names = [menu_name("source")]
    for record_type in registry.PAGE_TYPES:
        if record_type.name != "source":
            names.append(type_name(record_type.name))
    return names


# /compare/: its cited rows (with the autolinks in their cells), then the missions and
# cases by conception; each is a fragment of its own (views/compare.py).
COMPARISON_ROWS = [type_name("comparisonrow"), type_name("source"), ACRONYMS]
CLASSIFIED = [rows_name("mission"), rows_name("case")]


def compared_names(model_name: str, ids: str | None) -> list[str]:
    """Records compared side by side: each one's own versions, and the picker (the
    type's menu). Past any sensible number of ids, the whole content."""
    slugs = split_values(ids)
    if len(slugs) > 2 * limits.COMPARE_MAX:
        return [ALL]
    records = [record_name(model_name, slug) for slug in slugs]
    return [VOCABULARY, menu_name(model_name), *records]


def search_names(types: list[str]) -> list[str]:
    """What a search of `types` (every searched type when empty) shows; for a type that
    is not searched, the whole content (the answer is an error anyway)."""
    searched = [t.name for t in registry.RECORD_TYPES if t.search is not None]
    if not set(types) <= set(searched):
        return [ALL]
    return [type_name(name) for name in types or searched]


def _site_page_names(url_name: str, kwargs: dict, query: Any) -> list[str]:
    if url_name == "home":
        return home_names()
    if url_name == "search":  # hits of the chosen types, counts of every type
        return search_names([])
    if url_name == "compare":
        return [*COMPARISON_ROWS, *CLASSIFIED]
    if url_name == "timeline":
        return list_names("mission", shows_text(query))
    if url_name == "compare-records":
        for record_type in registry.PAGE_TYPES:
            if record_type.comparable and record_type.page_path == kwargs["kind"]:
                return compared_names(record_type.name, query.get("ids"))
    return [ALL]


def page_dependencies(match: ResolverMatch, query: Any) -> list[str]:
    """What the page resolved to `match`, with its query parameters `query`, shows
    (pagecache.register_dependencies)."""
    if match.namespace != "knowledge":
        return [ALL]
    model_name, _, kind = (match.url_name or "").rpartition("-")
    if registry.by_name(model_name):
        if kind == "detail":
            return record_page_names(model_name, match.kwargs["slug"])
        if kind == "list":
            return list_names(model_name, shows_text(query))
    return _site_page_names(match.url_name or "", match.kwargs, query)


def answer_dependencies(model: Any, slug: str | None) -> list[str]:
    """What an API answer about `model` shows: one record's (`slug`) or a list's."""
    if model not in registry.RECORD_MODELS:
        return [ALL]
    model_name = model._meta.model_name
    if slug:
        return record_answer_names(model_name, slug)
    return list_names(model_name, text=True)  # its rows show `updated_at`
