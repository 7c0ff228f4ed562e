"""The API's one door: what a client may see, with related data loaded in a fixed number of
queries. Anonymous clients (and users without editing rights on a type) see published
records only; related records are always the published ones.

To-many relations are prefetched into plain lists (`to_attr`), read back with `related()`:
a prefetch into the related manager builds a filtered queryset per object, which cost more
than the queries themselves on a page of 25 missions."""

import functools
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from operator import itemgetter
from typing import Any
from typing import NamedTuple
from typing import cast

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS
from django.db import connections
from django.db import router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField
from django.db.models import Count
from django.db.models import DateTimeField
from django.db.models import F
from django.db.models import Field
from django.db.models import ForeignObjectRel
from django.db.models import ManyToManyField
from django.db.models import Model
from django.db.models import OrderBy
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Value
from django.db.models import Window
from django.db.models import prefetch_related_objects
from django.db.models.functions import Cast
from django.db.models.functions import RowNumber
from django.db.models.query import get_related_populators

from apps.core.models import PublishableModel
from apps.core.models import Status

from .. import limits
from ..models import Citation
from ..models import Classification
from ..models import Concept
from ..models import Document
from ..models import Source
from ..registry import RECORD_MODELS
from ..visibility import User
from ..visibility import visible

LOADED = "loaded_"

# What a related-record summary reads: {slug, name, url}, whether it is published, and
# its latest change (Last-Modified). Loading only these keeps the wide rows (summaries,
# mandates, notes) out of every prefetched list.
NAME_FIELDS: dict[type[Model], tuple[str, ...]] = {
    Document: ("title", "short_title"),
    Concept: ("term",),
}
NAME_FIELDS[Source] = ("title", "subtitle")


def summary_fields(model: type[Model]) -> tuple[str, ...]:
    # Foreign keys too: a reverse relation's prefetch reads them (`children` their parent).
    keys = [f.name for f in model._meta.concrete_fields if f.many_to_one]
    return ("slug", "status", "updated_at", *NAME_FIELDS.get(model, ("name",)), *keys)


def _visible_targets(user: User) -> Q:
    """Citations or classifications whose record the client may see (published only
    for anonymous clients and pages: `user=None`)."""
    condition = Q(pk__in=[])
    for model in RECORD_MODELS:
        condition |= Q(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=visible(model, user).values("pk"),
        )
    return condition


def classification_queryset(user: User) -> QuerySet[Classification]:
    return (
        Classification.objects.filter(_visible_targets(user))
        .prefetch_related("target", published_citations(creators=True))
        .order_by("pk")
    )


def citation_queryset(user: User) -> QuerySet[Citation]:
    classifications = Classification.objects.filter(_visible_targets(user))
    return (
        Citation.objects.filter(
            _visible_targets(user)
            | Q(
                content_type=ContentType.objects.get_for_model(Classification),
                object_id__in=classifications.values("pk"),
            )
        )
        .published()
        .select_related("source")
        .prefetch_related("target")
        .order_by("pk")
    )


def loaded(name: str, queryset: QuerySet[Any]) -> Prefetch:
    """Prefetch the relation `name` (filtered by `queryset`) into a list for `related()`."""
    return Prefetch(name, queryset=queryset, to_attr=LOADED + name)


def prefetched(obj: object, name: str) -> list[Any] | None:
    """The list a `loaded()` prefetch left for the relation `name`, or None."""
    return getattr(obj, "__dict__", {}).get(LOADED + name)


def related(obj: Model, name: str) -> Iterable[Any]:
    """The records of the relation `name`: the prefetched list, else a query."""
    items = prefetched(obj, name)
    return items if items is not None else getattr(obj, name).all()


def loaded_lists(obj: Model) -> list[Iterable[Any]]:
    """Every list of related records prefetched with `obj`."""
    lists = list(getattr(obj, "_prefetched_objects_cache", {}).values())
    lists += [v for k, v in obj.__dict__.items() if k.startswith(LOADED)]
    return lists


def published(
    model: type[PublishableModel], name: str, limit: int | None = None
) -> Prefetch:
    """Published related records, as summaries (the first `limit` of them if given)."""
    queryset = model.objects.published().only(*summary_fields(model))
    return loaded(name, queryset[:limit] if limit else queryset)


def load_capped(obj: Model, names: Iterable[str]) -> None:
    """For each reverse relation in `names`, load the first RELATED_LIMIT published
    records into the list `related()` reads and their total into `<name>_count`: one
    query each (COUNT(*) OVER () sees every row before the LIMIT), whatever the total."""
    for name in names:
        # A reverse relation (the missions of an organisation), to a publishable model.
        relation = cast(ForeignObjectRel, obj._meta.get_field(name))
        model = cast(type[PublishableModel], relation.related_model)
        rows = list(
            model.objects.published()
            .only(*summary_fields(model))
            .filter(**{relation.field.name: obj})
            .annotate(total=Window(Count("pk")))[: limits.RELATED_LIMIT]
        )
        setattr(obj, LOADED + name, rows)
        setattr(obj, f"{name}_count", rows[0].total if rows else 0)


def load_lists(obj: Model, names: Sequence[str]) -> None:
    """For each to-many relation in `names`, load all its published records (all the
    terms of a vocabulary: mandate tasks), as summaries, into the list `related()` reads: every list in one query, a UNION whose
    rows say which list they belong to and where in it (as the pages read theirs,
    views/querysets.related_lists), rather than one prefetch per list. The UNION is
    composed and compiled once per (type, lists, database) and its SQL reused with the
    record's key: composing it cost more than running it."""
    if not names:
        return
    db = router.db_for_read(type(obj), instance=obj)
    union = _lists_union(type(obj), tuple(names), db)
    params = [obj.pk if param == _KEY else param for param in union.params]
    connection = connections[db]
    with connection.cursor() as cursor:
        cursor.execute(union.sql, params)
        columns = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    found: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for values in _converted(rows, union.selected, connection):
        row = dict(zip(columns, values, strict=True))
        found[row["list"]].append(row)
    for name, items in found.items():
        items.sort(key=itemgetter("list_position"))
        model = union.models[name]
        setattr(obj, LOADED + name, [_summary(model, row, db) for row in items])


# Stands for the record's key in compiled SQL: a value no other parameter of these
# queries takes, within every key column's range (out of range, Django compiles no SQL).
_KEY = 2_147_480_001


class _Union(NamedTuple):
    sql: str
    params: tuple[Any, ...]  # `_KEY` where the record's key goes
    selected: list[Any]  # the selected expressions, for the database's converters
    models: dict[str, type[Model]]  # each list's model


@functools.cache
def _lists_union(model: type[Model], names: tuple[str, ...], db: str) -> _Union:
    """load_lists' UNION for `model`'s lists `names`, compiled for the database `db`."""
    record = model(pk=_KEY)
    lists = {name: _shown(getattr(record, name).all()) for name in names}
    parts = [_summary_rows(name, records) for name, records in lists.items()]
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    compiler = rows.query.get_compiler(using=db)
    sql, params = compiler.as_sql()
    selected = [column[0] for column in compiler.select[: compiler.col_count]]
    models = {name: records.model for name, records in lists.items()}
    return _Union(sql, tuple(params), selected, models)


def _shown(records: QuerySet[Any]) -> QuerySet[Any]:
    """The records of a list that a detail shows: the published ones, or every term of a
    vocabulary (a mission's mandate tasks)."""
    if issubclass(records.model, PublishableModel):
        return cast(Any, records).published()
    return records


def listed(model: type[Model], name: str) -> Prefetch:
    """Prefetch a detail's list `name` whole (the dataset): as load_lists reads it."""
    if issubclass(model, PublishableModel):
        return published(model, name)
    return loaded(name, model._default_manager.all())


def _converted(
    rows: Iterable[Sequence[Any]], selected: list[Any], connection: BaseDatabaseWrapper
) -> Iterable[Sequence[Any]]:
    """`rows` with the values the ORM would give (SQLite's dates are text)."""
    converters = [
        (i, [*connection.ops.get_db_converters(e), *e.get_db_converters(connection)], e)
        for i, e in enumerate(selected)
    ]
    converters = [item for item in converters if item[1]]
    if not converters:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for i, functions, expression in converters:
            for function in functions:
                values[i] = function(values[i], expression, connection)
        converted.append(values)
    return converted


def _name_columns(model: type[Model]) -> tuple[str, str | None]:
    names = NAME_FIELDS.get(model, ("name",))
    return names[0], names[1] if len(names) > 1 else None


# A summary's columns in load_lists' UNION (aliases: a field's own name is taken).
SUMMARY_COLUMNS = {
    "id": "record_pk",
    "slug": "record_slug",
    "status": "record_status",
    "updated_at": "record_updated",
}


def _summary_rows(name: str, records: QuerySet[Any]) -> QuerySet[Any]:
    """The summary columns of `records`, numbered in the model's order (a vocabulary's
    terms, such as mandate tasks, have no status nor date: null)."""
    model = records.model
    first, second = _name_columns(model)
    text = CharField()
    columns: dict[str, Any] = {
        alias: F(field) for field, alias in SUMMARY_COLUMNS.items()
    }
    if not issubclass(model, PublishableModel):
        columns["record_status"] = Cast(Value(None), text)
        columns["record_updated"] = Cast(Value(None), DateTimeField())
    return records.order_by().values(
        list=Cast(Value(name), text),
        list_position=Window(RowNumber(), order_by=list(model._meta.ordering)),
        **columns,
        text_1=F(first),
        text_2=F(second) if second else Cast(Value(""), text),
    )


def _summary(model: type[Model], row: dict[str, Any], db: str) -> Model:
    """A record with only what a summary shows (and its latest change)."""
    values = {field: row[alias] for field, alias in SUMMARY_COLUMNS.items()}
    first, second = _name_columns(model)
    values[first] = row["text_1"]
    if second:
        values[second] = row["text_2"]
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(db, names, [values[n] for n in names])


# Stand for a record's content type and for that of classifications in compiled SQL.
_TYPE = _KEY + 1
_CLASSIFICATION_TYPE = _KEY + 2

RowsOf = Callable[[type[Model], int], "QuerySet[Any]"]


class _Compiled(NamedTuple):
    sql: str
    params: tuple[Any, ...]  # with the stand-ins above
    select: list[Any]  # the compiler's select and klass_info, as ModelIterable reads
    klass_info: dict[str, Any]


@functools.cache
def _compiled(rows: RowsOf, model: type[Model], db: str) -> _Compiled:
    """The query `rows(model, key)`, composed and compiled once for the database `db`
    with stand-ins for the key and the content types."""
    compiler = rows(model, _KEY).query.get_compiler(using=db)
    sql, params = compiler.as_sql()
    assert compiler.klass_info is not None  # a query of model instances
    return _Compiled(sql, tuple(params), compiler.select, compiler.klass_info)


def compiled_rows(rows: RowsOf, obj: Model) -> list[Any]:
    """The model instances of `rows(type(obj), obj.pk)` (with what it select_related),
    as the queryset gives them, from SQL composed and compiled once (`_compiled`): for
    the few rows of one record, that cost more than running the query."""
    model = type(obj)
    db = router.db_for_read(model, instance=obj)
    query = _compiled(rows, model, db)
    types = ContentType.objects.db_manager(db)
    values = {
        _KEY: obj.pk,
        _TYPE: types.get_for_model(model).pk,
        _CLASSIFICATION_TYPE: types.get_for_model(Classification).pk,
    }
    params = [values.get(p, p) if isinstance(p, int) else p for p in query.params]
    connection = connections[db]
    with connection.cursor() as cursor:
        cursor.execute(query.sql, params)
        fetched = cursor.fetchall()
    select, klass_info = query.select, query.klass_info
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    names = [column[0].target.attname for column in select[start:end]]
    # Django 5.2's signature (the stubs already have a later one's).
    populators = get_related_populators(klass_info, select, db)  # type: ignore[call-arg]
    instances = []
    for row in _converted(fetched, [column[0] for column in select], connection):
        instance = klass_info["model"].from_db(db, names, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        instances.append(instance)
    return instances


def _citations(content_type: int) -> QuerySet[Citation]:
    """Published citations, as `published_citations()` prefetches them."""
    return (
        Citation.objects.published()
        .select_related("source")
        .filter(content_type_id=content_type)
        .order_by("position", "id")
    )


def record_citations(model: type[Model], key: int) -> QuerySet[Citation]:
    """A record's published citations."""
    return _citations(_TYPE).filter(object_id=key)


def record_classifications(model: type[Model], key: int) -> QuerySet[Classification]:
    """A record's classifications, in their order."""
    return Classification.objects.filter(content_type_id=_TYPE, object_id=key)


def classification_citations(model: type[Model], key: int) -> QuerySet[Citation]:
    """The published citations of a record's classifications, in one query."""
    classifications = record_classifications(model, key).values("pk")
    return _citations(_CLASSIFICATION_TYPE).filter(object_id__in=classifications)


def load_citations(obj: Model) -> None:
    """A record's published citations, into the list `related()` reads (as the
    `published_citations()` prefetch)."""
    setattr(obj, LOADED + "citations", compiled_rows(record_citations, obj))


def load_classifications(obj: Model) -> None:
    """A record's classifications with their published citations, and the cited
    sources' creators (as `classifications_with_citations()` prefetches them)."""
    classifications = compiled_rows(record_classifications, obj)
    citations = compiled_rows(classification_citations, obj) if classifications else []
    by_classification: dict[int, list[Citation]] = {}
    for citation in citations:
        by_classification.setdefault(citation.object_id, []).append(citation)
    for classification in classifications:
        setattr(
            classification,
            LOADED + "citations",
            by_classification.get(classification.pk, []),
        )
    prefetch_related_objects([c.source for c in citations], "creators")
    setattr(obj, LOADED + "classifications", classifications)


def published_citations(name: str = "citations", *, creators: bool = False) -> Prefetch:
    """`creators` for a classification's citations: the sources' authors name an
    author's classification ("Flynn and Farrell's classification, p. 520")."""
    queryset = (
        Citation.objects.published().select_related("source").order_by("position", "id")
    )
    if creators:
        queryset = queryset.prefetch_related("source__creators")
    return loaded(name, queryset)


def classifications_with_citations() -> Prefetch:
    return loaded(
        "classifications",
        Classification.objects.prefetch_related(published_citations(creators=True)),
    )


def classifications() -> Prefetch:
    """Without their citations: what a list shows (the preferred one's value)."""
    return loaded("classifications", Classification.objects.all())


def load_row_summaries(
    objects: Sequence[Model], names: Sequence[str], *, preferred: bool
) -> None:
    """What a page of list rows shows besides its own columns, in one query: for each
    many-to-many relation in `names`, its published records as summaries (slug, name,
    status and latest change; one instance per record, shared by the rows), and with
    `preferred` each row's preferred classification (the verdict a row shows), into
    the lists `related()` reads. One plain SQL UNION, composed once per type: the three
    prefetches it replaces cost the missions list about two thirds of its ORM time."""
    if not objects or not (names or preferred):
        return
    model = type(objects[0])
    db = objects[0]._state.db or DEFAULT_DB_ALIAS
    connection = connections[db]
    sql, targets = _row_summaries_sql(connection.vendor, model, tuple(names), preferred)
    ids = [obj.pk for obj in objects]
    params: list[Any] = []
    for _ in names:
        params += [*ids, Status.PUBLISHED]
    if preferred:
        params += [ContentType.objects.get_for_model(model).pk, *ids]
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{ids}", ", ".join(["%s"] * len(ids))), params)
        rows = cursor.fetchall()
    found: dict[tuple[int, Any], list[Model]] = {}
    made: dict[tuple[int, Any], Model] = {}
    for part, owner, pk, *values in rows:
        instance = made.get((part, pk))
        if instance is None:
            instance = made[(part, pk)] = _row_summary(
                targets, part, pk, owner, values, connection
            )
        found.setdefault((part, owner), []).append(instance)
    attributes = [LOADED + name for name in names]
    if preferred:
        attributes.append(LOADED + "classifications")
    for obj in objects:
        for part, attribute in enumerate(attributes):
            setattr(obj, attribute, found.get((part, obj.pk), []))


def _row_summary(targets, part, pk, owner, values, connection) -> Model:
    db = connection.alias
    if part == len(targets):  # the preferred classification: value, basis, rule
        value, basis, rule, _, _ = values
        return _from_db(
            Classification,
            db,
            id=pk,
            object_id=owner,
            value=value,
            basis=basis,
            rule=rule,
            preferred=True,
        )
    target = targets[part]
    slug, name, status, updated_at, _ = values
    field = target._meta.get_field("updated_at")
    column = field.get_col(target._meta.db_table)
    for converter in connection.ops.get_db_converters(column):
        updated_at = converter(updated_at, column, connection)
    values = {"id": pk, "slug": slug, _name_columns(target)[0]: name}
    return _from_db(target, db, **values, status=status, updated_at=updated_at)


def latest_update(model: type[Model]) -> Any:
    """The latest `updated_at` of every record of `model` (drafts too): MAX() in one plain
    query written once per type and database, with the value the ORM would give;
    `aggregate()` took longer to compose than the database took to answer."""
    db = router.db_for_read(model)
    connection = connections[db]
    with connection.cursor() as cursor:
        cursor.execute(_latest_update_sql(db, model))
        (value,) = cursor.fetchone()
    column = _updated_at(model).get_col(model._meta.db_table)
    for converter in connection.ops.get_db_converters(column):
        value = converter(value, column, connection)
    return value


def _updated_at(model: type[Model]) -> "Field[Any, Any]":
    return cast("Field[Any, Any]", model._meta.get_field("updated_at"))


@functools.cache
def _latest_update_sql(db: str, model: type[Model]) -> str:
    quote = connections[db].ops.quote_name
    column = quote(cast(str, _updated_at(model).column))
    return f"SELECT MAX({column}) FROM {quote(model._meta.db_table)}"


def _from_db(model: type[Model], db: str, **values: Any) -> Model:
    """A record with only these fields loaded (`from_db` takes them in field order)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(db, names, [values[name] for name in names])


def _order_sql(column: Callable[[str], Any], quote: Callable[[str], str]):
    """One term of a model's order in SQL (`r.` its table), an expression's
    "undated last" written as PostgreSQL and SQLite both read it."""

    def term(key: Any) -> str:
        if isinstance(key, OrderBy):
            sql = f"r.{quote(column(cast(Any, key.expression).name).column)}"
            nulls = f"{sql} IS NULL, " if key.nulls_last else ""
            return nulls + sql + (" DESC" if key.descending else "")
        sql = f"r.{quote(column(key.lstrip('-')).column)}"
        return sql + (" DESC" if key.startswith("-") else "")

    return term


@functools.cache
def _row_summaries_sql(
    vendor: str, model: type[Model], names: tuple[str, ...], preferred: bool
) -> tuple[str, list[type[Model]]]:
    """The UNION of load_row_summaries (with `{ids}` where the rows' ids go), and the
    model of each relation. Each part is numbered in its model's order, as a prefetch
    of it would sort (`position`)."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    parts, targets = [], []
    for number, name in enumerate(names):
        field = cast(ManyToManyField, model._meta.get_field(name))
        target: Any = field.related_model
        targets.append(target)
        through: Any = cast(Any, field.remote_field).through._meta
        owner = through.get_field(field.m2m_field_name()).column
        link = through.get_field(field.m2m_reverse_field_name()).column
        column = target._meta.get_field
        title = column(_name_columns(target)[0]).column
        order = ", ".join(map(_order_sql(column, quote), target._meta.ordering))
        parts.append(
            f"SELECT {number} AS part, l.{quote(owner)} AS owner, r.id AS pk,"
            f" r.slug AS text_1, r.{quote(title)} AS text_2, r.status AS text_3,"
            f" r.updated_at AS updated_at, ROW_NUMBER() OVER (ORDER BY {order})"
            f" AS position FROM {quote(through.db_table)} l"
            f" INNER JOIN {quote(target._meta.db_table)} r ON r.id = l.{quote(link)}"
            f" WHERE l.{quote(owner)} IN ({{ids}}) AND r.status = %s"
        )
    if preferred:
        parts.append(
            f"SELECT {len(names)} AS part, c.object_id AS owner, c.id AS pk,"
            " c.value AS text_1, c.basis AS text_2, c.rule AS text_3,"
            " NULL AS updated_at, 1 AS position"
            f" FROM {quote(Classification._meta.db_table)} c"
            " WHERE c.content_type_id = %s AND c.object_id IN ({ids}) AND c.preferred"
        )
    sql = " UNION ALL ".join(parts) + " ORDER BY part, position"
    return sql, targets
