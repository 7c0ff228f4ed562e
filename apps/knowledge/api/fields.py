"""Serializer fields shared by every resource: related-record summaries, fuzzy dates and
`?fields=` sparse responses."""

import re
from collections.abc import Mapping
from typing import Any

from django.core.validators import RegexValidator
from django.db.models import Model
from django.urls import reverse
from django.utils.http import urlencode
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.settings import api_settings

from apps.core import fuzzydate

from .. import registry
from ..addresses import slug_url
from ..limits import RELATED_LIMIT
from .querysets import prefetched
from .querysets import related


def _address(kind, obj):
    model_name = obj._meta.model_name
    if kind == "api":
        return slug_url(f"api:{model_name}-detail", obj.slug)
    return obj.get_absolute_url()


def api_url(request, obj):
    """The API address of a record (absolute when there is a request)."""
    url = _address("api", obj)
    return absolute_uri(request, url) if request else url


def html_url(request, obj):
    """The address of a record's page, `obj.get_absolute_url()` (absolute likewise)."""
    url = _address("html", obj)
    return absolute_uri(request, url) if request else url


# A path that build_absolute_uri() appends to the scheme and host as it is: no "//"
# start, no dot segments, and only characters that iri_to_uri() leaves alone.
_PLAIN_PATH = re.compile(r"/(?!/)[-A-Za-z0-9_.~/]*")


def absolute_uri(request, path):
    """`request.build_absolute_uri(path)`, the same string: the scheme and host are
    worked out once per request (a page of 25 rows has about 90 addresses), and a path
    that is not plain takes Django's own road."""
    if not _PLAIN_PATH.fullmatch(path) or "/./" in path or "/../" in path:
        return request.build_absolute_uri(path)
    http = getattr(request, "_request", request)  # DRF's Request wraps Django's
    prefix = http.__dict__.get("_absolute_prefix")
    if prefix is None:
        prefix = http._absolute_prefix = http.build_absolute_uri("/")[:-1]
    return prefix + path


class LoadedManyRelatedField(serializers.ManyRelatedField):
    """Reads the list that `querysets.related()` finds (a prefetch into a list)."""

    def get_attribute(self, instance):
        items = prefetched(instance, self.source)
        return super().get_attribute(instance) if items is None else items


class LoadedListSerializer(serializers.ListSerializer):
    """A nested list of records, read likewise (`Meta.list_serializer_class`)."""

    def get_attribute(self, instance):
        items = prefetched(instance, self.source)
        return super().get_attribute(instance) if items is None else items


class LoadedSlugRelatedField(serializers.SlugRelatedField):
    """A related record by its slug; to-many, read from the list `querysets.related()`
    finds (the views load a detail's lists, querysets.load_lists)."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        # DRF's RelatedField.many_init, with a field that reads prefetched lists.
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return LoadedManyRelatedField(**list_kwargs)


class SummaryRelatedField(LoadedSlugRelatedField):
    """A related record: written as its slug, read as {slug, name, url}.

    Reads show published records only: to-many relations are prefetched from
    `.published()` by the views; a single link to an unpublished record reads as null."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    def use_pk_only_optimization(self):
        return False

    def to_representation(self, obj):
        if not getattr(obj, "is_published", True):
            return None
        return {
            "slug": obj.slug,
            "name": obj.name,
            "url": api_url(self.context.get("request"), obj),
        }


def summary_kwargs(*, many: bool, model: type[Model] | None) -> dict[str, Any]:
    """A SummaryRelatedField's arguments: a to-many relation (`many`) or a link to one
    record (null when there is none), written as the slugs of `model`'s records, or
    read-only without a model."""
    kwargs: dict[str, Any] = {"many": True} if many else {"allow_null": True}
    if model is None:
        return {**kwargs, "read_only": True}
    return {**kwargs, "required": False, "queryset": model._default_manager.all()}


def slug_list(model: type[Model], slug_field: str, help_text: str) -> Any:
    """A to-many relation to a vocabulary (countries, mandate tasks), written and read
    as its terms' `slug_field`."""
    return LoadedSlugRelatedField(
        slug_field=slug_field,
        many=True,
        required=False,
        queryset=model._default_manager.all(),
        help_text=help_text,
    )


class RelatedCountField(serializers.IntegerField):
    """How many published records a relation has: the view's `<relation>_count`
    annotation when it capped the list, else the length of the whole list."""

    def __init__(self, relation, **kwargs):
        self.relation = relation
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        count = getattr(obj, f"{self.relation}_count", None)
        return len(related(obj, self.relation)) if count is None else count


class RelatedListURLField(serializers.URLField):
    """The list endpoint of the related type, filtered to this record's relations."""

    def __init__(self, model, parameter, **kwargs):
        self.model = model
        self.parameter = parameter
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        path = reverse(f"api:{self.model._meta.model_name}-list")
        url = f"{path}?{urlencode({self.parameter: obj.slug})}"
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


def add_capped_fields(fields, model):
    """After each capped relation `name` of the type (the first RELATED_LIMIT published
    records), add `<name>_count` (all of them) and `<name>_url` (the list of all of
    them, filtered by this record: `?<model name>=<slug>`)."""
    record_type = registry.of(model)
    parameter = record_type.name
    result = {}
    for name, field in fields.items():
        result[name] = field
        if name not in record_type.capped:
            continue
        related_model = model._meta.get_field(name).related_model
        plural = related_model._meta.verbose_name_plural
        field.help_text = (
            f"The first {RELATED_LIMIT} published {plural}: `{name}_count` says how "
            f"many there are, `{name}_url` lists them all."
        )
        result[f"{name}_count"] = RelatedCountField(
            name, help_text=f"How many published {plural} there are."
        )
        result[f"{name}_url"] = RelatedListURLField(
            related_model,
            parameter,
            help_text=f"The list of all of them: `?{parameter}=<slug>`.",
        )
    return result


class SummarySerializer(serializers.Serializer):
    """The schema of a related-record summary."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.URLField()


SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"

# A web address as RFC 3986 allows it (Django's URLValidator alone lets through
# characters such as a backtick, which URI parsers refuse): http(s), a host name, an
# optional port, and a path and query of URI characters, others %-encoded.
WEB_ADDRESS = (
    r"^https?://([A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
    r"(:[0-9]{1,5})?(/(%[0-9A-Fa-f]{2}|[-A-Za-z0-9._~!$&'()*+,;=:@/?])*)?$"
)


class WebAddressField(serializers.URLField):
    """An http(s) address with only the characters a URI may hold."""

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)  # " https://..." is refused too
        super().__init__(**kwargs)
        self.validators.append(
            RegexValidator(
                WEB_ADDRESS,
                "An http or https address; characters a web address cannot hold "
                "(spaces, backticks, quotes) must be percent-encoded.",
            )
        )


def record_web_address() -> WebAddressField:
    """A record's page elsewhere on the web (its optional `url` column, 500 characters at
    most) under a name of the type's own: the API's `url` is the record's API address."""
    return WebAddressField(
        source="url", required=False, allow_blank=True, max_length=500
    )


class SummaryRelatedFieldExtension(OpenApiSerializerFieldExtension):
    target_class = SummaryRelatedField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {
                **build_basic_type(OpenApiTypes.STR),
                "description": "A slug.",
                "pattern": SLUG_PATTERN,
            }
        component = auto_schema.resolve_serializer(SummarySerializer, direction)
        return component.ref


class FuzzyDateField(serializers.Field):
    """A date known to a year, a month or a day ('1956', '1956-11', '1956-11-05'),
    stored in two model fields: `<prefix>_date` and `<prefix>_precision`."""

    default_error_messages = {
        "invalid": "Use YYYY, YYYY-MM or YYYY-MM-DD.",
    }

    def __init__(self, date_field, precision_field, **kwargs):
        self.date_field = date_field
        self.precision_field = precision_field
        kwargs.update(source="*", required=False, allow_null=True)
        super().__init__(**kwargs)

    def to_representation(self, instance):
        return fuzzydate.to_text(
            getattr(instance, self.date_field), getattr(instance, self.precision_field)
        )

    def to_internal_value(self, data):
        if data in (None, ""):
            return {self.date_field: None, self.precision_field: ""}
        if not isinstance(data, str) or data != data.strip():
            self.fail("invalid")  # exactly as the schema's pattern says
        try:
            date, precision = fuzzydate.parse(str(data))
        except ValueError:
            self.fail("invalid")
        return {self.date_field: date, self.precision_field: precision}

    def validate_empty_values(self, data):
        if data is None:
            return (True, {self.date_field: None, self.precision_field: ""})
        return super().validate_empty_values(data)


class FuzzyDateFieldExtension(OpenApiSerializerFieldExtension):
    target_class = FuzzyDateField

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "string",
            "nullable": True,
            # '' or null: no date. Years from 1, real months and days (a 31st in a
            # short month is still a 400: a pattern cannot know the calendar).
            "pattern": r"^((000[1-9]|00[1-9]\d|0[1-9]\d\d|[1-9]\d{3})"
            r"(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?)?$",
            "description": "Known to a year, a month or a day.",
            "example": "1956-11",
        }


class SparseFieldsMixin:
    """`?fields=slug,name` keeps only those fields of the top-level records."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        context = self.context
        request = context.get("request")
        if request is None or context.get("sparse") is False:
            return
        if request.method not in ("GET", "HEAD"):
            return
        if self.parent is not None and not isinstance(
            self.parent, serializers.ListSerializer
        ):
            return
        if self.parent is not None and self.parent.parent is not None:
            return
        wanted = request.query_params.get("fields")
        if not wanted:
            return
        names = [name.strip() for name in wanted.split(",") if name.strip()]
        if not names:  # `?fields=,`: blank items count for nothing, as in `?fields=`
            return
        unknown = sorted(set(names) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {
                    "fields": [
                        f"Unknown field(s): {', '.join(unknown)}. "
                        f"Available: {', '.join(self.fields)}."
                    ]
                }
            )
        for name in set(self.fields) - set(names):
            self.fields.pop(name)


# Each serializer class's fields as ModelSerializer.get_fields() built them, unbound.
_BUILT_FIELDS: dict[type, dict[str, serializers.Field]] = {}


class FieldsBuiltOnceMixin:
    """A ModelSerializer whose fields are built once per class, and copied for each
    serializer instead of being built again.

    DRF builds every serializer's fields anew (a deep copy of the declared fields, which
    constructs each one again, and a field for each model field): 2-3 ms of the API
    mission detail's four serializers. What that builds depends on the class alone
    (Meta, the declared fields), so it is built once (`_BUILT_FIELDS`) and each serializer gets
    unbound copies (`unbound_copy`): field objects of its own, bound to it alone (the
    parent, hence the request in the context) and free to change (the subclasses'
    get_fields() make a field read-only, or add one, for this serializer only). The
    copies share what no request changes: querysets, validators, choices."""

    def get_fields(self):
        built = _BUILT_FIELDS.get(type(self))
        if built is None:
            built = _BUILT_FIELDS[type(self)] = super().get_fields()
        return {name: unbound_copy(field) for name, field in built.items()}


def unbound_copy(field: serializers.Field) -> serializers.Field:
    """A copy of a built, unbound field, as DRF's deep copy would give it, without
    constructing it again: its own error messages and validators list; a nested
    serializer builds its own fields, and a list field's child (bound to the built
    list field) is copied and bound to the copy instead."""
    copied = object.__new__(type(field))
    state = copied.__dict__
    state.update(field.__dict__)
    state.pop("fields", None)  # a nested serializer's own, built when read
    state["error_messages"] = dict(field.error_messages)
    if "_validators" in state:
        state["_validators"] = list(state["_validators"])
    for name in ("child", "child_relation"):  # list serializers, many relations
        inner = state.get(name)
        if isinstance(inner, serializers.Field):
            state[name] = unbound_copy(inner)
            state[name].parent = copied
    return copied


# Characters no text needs: C0 and C1 controls other than tab and line breaks, and lone
# surrogates (no UTF-8 can store them).
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAK = re.compile(r"[\r\n\t]")
# What no value can hold at all: PostgreSQL refuses NUL in any text (a slug looked up
# with one was a 500), and an error message that quoted a lone surrogate could not be
# encoded (a 500 too).
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def unstorable(value) -> bool:
    """Whether a NUL or a lone surrogate is anywhere in `value`: a string, or the
    strings of a list or an object (its keys included)."""
    if isinstance(value, str):
        return bool(_UNSTORABLE.search(value))
    if isinstance(value, Mapping):
        return any(unstorable(key) or unstorable(item) for key, item in value.items())
    if isinstance(value, list):
        return any(unstorable(item) for item in value)
    return False


def input_error(field, value) -> str | None:
    """What is wrong with the characters of `value`, written to `field`, if anything."""
    if isinstance(value, str) and isinstance(field, serializers.CharField):
        if _FORBIDDEN.search(value) or (field.max_length and _LINE_BREAK.search(value)):
            return (
                "Remove the control characters"
                + (" and line breaks" if field.max_length else "")
                + " from this text."
            )
        return None
    if unstorable(value):
        return "Remove the NUL characters and lone surrogates from this value."
    return None


class StrictInputMixin:
    """For writable serializers: a field the resource does not have is an error (a
    misspelt field would otherwise be dropped without a word), and so is a control
    character in text (in a one-line field such as a name, a line break or tab too),
    and a NUL or a lone surrogate in any value."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            if any(unstorable(name) for name in data):
                message = (
                    "Remove the NUL characters and lone surrogates from the names."
                )
                raise serializers.ValidationError(
                    {api_settings.NON_FIELD_ERRORS_KEY: [message]}
                )
            unknown = sorted(str(name) for name in set(data) - set(self.fields))
            if unknown:
                valid = ", ".join(
                    name for name, f in self.fields.items() if not f.read_only
                )
                raise serializers.ValidationError(
                    {
                        name: [f"Unknown field. Fields you can write: {valid}."]
                        for name in unknown
                    }
                )
            errors = {}
            for name, value in data.items():
                error = input_error(self.fields[name], value)
                if error:
                    errors[name] = [error]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
