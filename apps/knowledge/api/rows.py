"""A list page's rows, written from the values already loaded.

The rows keep the list serializer's fields (so `?fields=`, `?include=` and the schema are
the serializer's own), but each row's dict is written by getters chosen once per page
for each field, instead of DRF's per-field dispatch for every row: a plain column is
read as it is, a method field calls its method, a related list reads the list that
`querysets.load_row_summaries` loaded. Any other field is read exactly as DRF's
`Serializer.to_representation` reads it.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Manager
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

from .fields import FuzzyDateField
from .fields import LoadedManyRelatedField
from .querysets import prefetched

Getter = Callable[[Any], Any]

# Fields whose representation of a non-null value is `str(value)`.
_TEXT = (serializers.CharField, serializers.SlugField)


class RowListSerializer(serializers.ListSerializer):
    """`many=True` for the rows of a list page (RecordViewSet.get_serializer)."""

    def to_representation(self, data):
        rows = data.all() if isinstance(data, Manager) else data
        write = row_writer(self.child)
        return [write(row) for row in rows]


def row_writer(serializer: serializers.Serializer) -> Callable[[Any], dict[str, Any]]:
    """A function that writes `serializer.to_representation(obj)` for a row `obj`."""
    getters = [
        (field.field_name, _getter(serializer, field))
        for field in serializer._readable_fields
    ]

    def write(obj):
        row = {}
        for name, get in getters:
            try:
                row[name] = get(obj)
            except SkipField:
                continue
        return row

    return write


def _column(field: serializers.Field) -> str | None:
    """The model attribute a field reads, if it reads one attribute of a model column
    (not a method, a relation or a dotted path)."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or len(field.source_attrs) != 1:
        return None
    try:
        column = model._meta.get_field(field.source_attrs[0])
    except FieldDoesNotExist:
        return None
    return column.attname if column.concrete and not column.is_relation else None


def _getter(serializer: serializers.Serializer, field: Any) -> Getter:
    kind = type(field)
    column = _column(field)
    if kind in _TEXT and column:

        def text(obj, column=column):
            value = getattr(obj, column)
            return value if value is None or type(value) is str else str(value)

        return text
    if kind is serializers.ChoiceField and column:
        choices = field.choice_strings_to_values
        represent = field.to_representation

        def choice(obj, column=column):
            value = getattr(obj, column)
            if value is None:
                return None
            if type(value) is str:
                return value if value == "" else choices.get(value, value)
            return represent(value)

        return choice
    if kind is serializers.SerializerMethodField:
        return getattr(serializer, field.method_name)
    if kind is FuzzyDateField:
        return field.to_representation
    if kind is LoadedManyRelatedField:
        return _related_list(field)
    return _as_drf(field)


def _related_list(field: LoadedManyRelatedField) -> Getter:
    """A to-many relation: the list loaded for the page, each item as the field's child
    shows it; without a loaded list, as DRF reads it."""
    represent = field.child_relation.to_representation
    source = field.source
    fallback = _as_drf(field)

    def items(obj):
        loaded = prefetched(obj, source)
        if loaded is None:
            return fallback(obj)
        return [represent(item) for item in loaded]

    return items


def _as_drf(field: serializers.Field) -> Getter:
    """The field read as Serializer.to_representation reads it."""

    def value(obj):
        attribute = field.get_attribute(obj)  # may raise SkipField
        check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check is None else field.to_representation(attribute)

    return value
