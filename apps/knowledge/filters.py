"""One FilterSet per record type, shared by the public list pages and the API, so that a
list page and its API query take exactly the same parameters.

Every multi-valued parameter takes comma-separated values (`?organisation=un,osce`) and
matches any of them. Unknown values are errors with a message, never silently ignored.
"""

import copy
import dataclasses
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from typing import TypeVar

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField
from django.db.models import Count
from django.db.models import F
from django.db.models import ManyToManyField
from django.db.models import Model
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import TextField
from django.db.models.expressions import Combinable
from django.db.models.functions import Lower
from django.http import QueryDict

from apps.core import pagecache
from apps.core import versions
from apps.core.models import PublishableModel
from apps.core.models import published_q

from .models import Case
from .models import Classification
from .models import Concept
from .models import Country
from .models import Document
from .models import MandateTask
from .models import Mission
from .models import Norm
from .models import Organisation
from .models import Source
from .models.choices import Conception
from .models.choices import ConflictType
from .models.choices import DocumentKind
from .models.choices import HostConsent
from .models.choices import Impartiality
from .models.choices import LegalBasis
from .models.choices import MissionType
from .models.choices import NormConception
from .models.choices import OrganisationKind
from .models.choices import Region
from .models.choices import SourceKind
from .models.choices import UseOfForce


class CSVWidget(django_filters.widgets.BaseCSVWidget):
    """Reads a parameter given once with commas (`?a=x,y`), repeated (`?a=x&a=y`, as
    generated clients send lists) or both; empty items (`?a=x,`) are dropped."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            raw = data.getlist(name)
        else:
            raw = data.get(name)
            raw = [] if raw is None else raw if isinstance(raw, list) else [raw]
        if not raw and name not in data:
            return None
        return split_values(",".join(str(item) for item in raw))


class CSVField(django_filters.fields.BaseCSVField):
    """A list of values, each cleaned by the second base class; a value outside the
    choices (or unknown among `known` records) is a 400 that lists the valid values."""

    base_widget_class = CSVWidget

    def __init__(self, *args, known=None, **kwargs):
        self.known = known
        super().__init__(*args, **kwargs)

    def clean(self, value):
        choices = getattr(self, "choices", None)
        if choices is not None and value:
            valid = [str(key) for key, _ in choices if key not in ("", None)]
            wrong = [v for v in value if v not in valid]
            if wrong:
                raise _invalid(_unknown_message(wrong, valid))
        value = super().clean(value)
        if self.known and value:
            value = KnownValues(value, known_keys(*self.known, value))
        return value


class KnownValues(list):
    """Values that each name a published record, with the records' keys by value: the
    filter matches on the keys without asking the cache for them a second time."""

    def __init__(self, values: Iterable[str], keys: dict[str, object] | None = None):
        # Django rebuilds a lookup's list by its type, from the values alone.
        super().__init__(values)
        self.keys_by_value = keys


def known_keys(model: type[Model], field: str, values: list[str]) -> dict[str, object]:
    """The primary keys of the published records whose `field` is one of `values`, by
    value; a 400 unless every value names one (drafts are unknown to filters: a filter
    must not reveal what links to them). Remembered for the versions of the model's
    lists, so that a page's filters cost no query."""
    digest = hashlib.sha1("\n".join(sorted(values)).encode()).hexdigest()
    from .invalidation import shown_by_lists_of  # invalidation imports the models

    shown = versions.stamp(shown_by_lists_of(model))
    key = f"known-keys:{shown}:{model._meta.label}:{field}:{digest}"
    keys = cache.get(key)
    if keys is not None:
        return keys
    records: QuerySet[Any] = model._default_manager.all()
    if issubclass(model, PublishableModel):
        records = model.objects.published()
    keys = dict(records.filter(**{f"{field}__in": values}).values_list(field, "pk"))
    wrong = [v for v in values if v not in keys]
    if wrong:
        valid = records.order_by(field).values_list(field, flat=True)
        raise _invalid(_unknown_message(wrong, list(valid[: KNOWN_LISTED + 1])))
    cache.set(key, keys, pagecache.TIMEOUT)
    return keys


def _invalid(message):
    # As a parameter: the message quotes what the client sent, which may hold a "%".
    return forms.ValidationError(
        "%(message)s", code="invalid", params={"message": message}
    )


# At most this many valid values are listed in an error message.
KNOWN_LISTED = 60


def _unknown_message(wrong, valid):
    listed = ", ".join(valid[:KNOWN_LISTED])
    more = " and more" if len(valid) > KNOWN_LISTED else ""
    return (
        f"Unknown value(s): {', '.join(wrong)}. Valid values: {listed or 'none'}{more}."
    )


class InFilter(django_filters.BaseInFilter):
    base_field_class = CSVField


class ChoiceInFilter(InFilter, django_filters.ChoiceFilter):
    """Values, each checked against the choices."""


class SlugInFilter(InFilter, django_filters.CharFilter):
    """Slugs or codes; with `known=(Model, "field")` each must name a published record."""


class RelatedInMixin:
    """Matches through a to-many relation with a semi-join (`pk IN (...)`) instead of a
    join: a record matched through two related rows appears once, with no DISTINCT
    over the whole page query. `through` names a publishable relation on the way (as
    "cases__"): only its published records count, as in the facets."""

    def __init__(self, *args, through="", **kwargs):
        self.through = through
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        lookup, values = self.lookup(value)
        first, _, rest = lookup.partition("__")
        field = qs.model._meta.get_field(first)
        if isinstance(field, ManyToManyField):
            # The keys straight from the link table (mission_organisations.mission_id
            # for organisation_id IN (...)), not the records joined back to it: the
            # faceted lists' page query at 100x took half the time.
            target = field.m2m_reverse_field_name()
            conditions = Q(**{f"{target}__{rest}": values})
            if self.through:
                prefix = self.through.removeprefix(f"{first}__")
                conditions &= published_q(f"{target}__{prefix}")
            link = field.remote_field.through._default_manager.filter(conditions)
            return qs.filter(pk__in=link.values(field.m2m_field_name()))
        conditions = Q(**{lookup: values})
        if self.through:
            conditions &= published_q(self.through)
        matching = qs.model._default_manager.filter(conditions)
        return qs.filter(pk__in=matching.values("pk"))

    def lookup(self, value):
        """The lookup on the filtered model and its values."""
        known = self.extra.get("known")
        relation, _, field = self.field_name.rpartition("__")
        if known and field == known[1]:
            # On the related records' keys (the field found them): PostgreSQL estimates
            # how many rows literal keys match from its statistics, where a join on slugs
            # leaves it guessing and sorting every match (the API's filtered list at 100x).
            keys = getattr(value, "keys_by_value", None) or known_keys(*known, value)
            return f"{relation}__in", [keys[v] for v in value]
        return f"{self.field_name}__{self.lookup_expr}", value


class RelatedSlugInFilter(RelatedInMixin, SlugInFilter):
    pass


class RelatedChoiceInFilter(RelatedInMixin, ChoiceInFilter):
    pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    """true/false (also 1/0, yes/no); anything else is a 400, not silently ignored."""

    field_class = forms.CharField
    values = {"true": True, "1": True, "yes": True, "false": False, "0": False}
    values["no"] = False

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        return super().filter(qs, self.values[value.lower()])

    @property
    def field(self):
        field = super().field
        field.validators = [_boolean_value]
        return field


def _boolean_value(value):
    if value and value.lower() not in StrictBooleanFilter.values:
        raise _invalid(f"Unknown value: {value}. Valid values: true, false.")


NOT_CODED = "none"  # the facet value of records that have no year coded


class DecadeField(forms.CharField):
    """One decade: a year such as 1990 (for 1990-1999), or "none" for records that
    have no year coded."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, "") or value == NOT_CODED:
            return value
        try:
            year = int(value)
        except (TypeError, ValueError):
            raise _invalid(
                f'"{value}" is not a decade: give a year such as 1990, or '
                f'"{NOT_CODED}" for records with no year coded.'
            ) from None
        if not 1 <= year <= 9990:
            raise _invalid("A decade is a year from 1 to 9990.")
        return str(year)


class DecadeInFilter(InFilter, django_filters.CharFilter):
    """Comma-separated decades (1990 means 1990-1999), matched on a year; "none"
    matches records with no year coded, so that nothing is dropped silently.

    `field_name` names a year: an integer field, or a date's `__year`."""

    field_class = DecadeField

    def filter(self, qs, value):
        if not value:
            return qs
        condition = Q()
        for decade in value:
            if decade == NOT_CODED:
                base = self.field_name.removesuffix("__year")
                condition |= Q(**{f"{base}__isnull": True})
                continue
            start = int(decade) - int(decade) % 10
            condition |= Q(
                **{
                    # Year 0 is no date: the first decade starts in year 1.
                    f"{self.field_name}__gte": max(start, 1),
                    f"{self.field_name}__lte": start + 9,
                }
            )
        return qs.filter(condition)


class OrderingFilter(django_filters.OrderingFilter):
    """Sorting with a unique tiebreaker (see `stable()`), so that pages never skip or
    repeat records that sort alike (two missions without a start date)."""

    base_field_class = CSVField

    def filter(self, qs, value):
        return reading_order(super().filter(qs, value))


_M = TypeVar("_M", bound=Model)


def reading_order(queryset: QuerySet[_M]) -> QuerySet[_M]:
    """The queryset in its order, text compared regardless of case, then by primary key."""
    ordering = list(queryset.query.order_by) or list(
        queryset.model._meta.ordering or ()
    )
    return stable(queryset.order_by(*case_insensitive(queryset.model, ordering)))


def case_insensitive(
    model: type[Model], ordering: Iterable[str | Combinable]
) -> list[str | Combinable]:
    """`ordering` with its free-text fields compared regardless of case (SQLite compares
    bytes, which put "CSCE emergency mechanism" before "Casualty aversion") and records
    without a value for a nullable field last (a mission without a start date)."""
    result: list[str | Combinable] = []
    for name in ordering:
        bare = name.lstrip("-") if isinstance(name, str) else ""
        try:
            field = model._meta.get_field(bare) if bare else None
        except FieldDoesNotExist:
            field = None
        if isinstance(field, CharField | TextField) and not field.choices:
            assert isinstance(name, str)  # a field was found by its name
            lowered = Lower(bare)
            result.append(lowered.desc() if name.startswith("-") else lowered.asc())
        elif field is not None and field.null:
            # Records without a value last, either way and on every database
            # (PostgreSQL sorts NULL last ascending, SQLite first).
            column = F(bare)
            result.append(
                column.desc(nulls_last=True)
                if str(name).startswith("-")
                else column.asc(nulls_last=True)
            )
        else:
            result.append(name)
    return result


def stable(queryset: QuerySet[_M]) -> QuerySet[_M]:
    """The queryset in its order, then by primary key: a total order that pages can
    walk without skipping or repeating records."""
    ordering = list(queryset.query.order_by) or list(
        queryset.model._meta.ordering or ()
    )
    if any(str(field).lstrip("-") in ("pk", "id") for field in ordering):
        return queryset
    return queryset.order_by(*ordering, "pk")


def text_search(fields):
    def method(queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": value})
        if any("__" in field for field in fields):  # a to-many field: semi-join
            matching = queryset.model._default_manager.filter(condition)
            return queryset.filter(pk__in=matching.values("pk"))
        return queryset.filter(condition)

    return method


def _conception(queryset, name, value):
    """Records whose preferred classification has one of the given values: their keys
    read from the classifications alone, not joined back to the records."""
    if not value:
        return queryset
    matching = Classification.objects.filter(
        content_type=ContentType.objects.get_for_model(queryset.model),
        preferred=True,
        value__in=value,
    )
    return queryset.filter(pk__in=matching.values("object_id"))


def text_filter(*fields: str) -> django_filters.CharFilter:
    """`?q=`: records with the words in any of `fields`."""
    return django_filters.CharFilter(method=text_search(list(fields)), label="Text")


def sort_filter(*fields: tuple[str, str]) -> OrderingFilter:
    """`?ordering=`: by each (field, parameter value), or by the latest update."""
    return OrderingFilter(fields=[*fields, ("updated_at", "updated")], label="Sort by")


class SharedFields(dict):
    """A filter form's fields, shared by every form of the class instead of deep-copied
    for each (as Django forms do, so that a form may change its own). A filter form is
    only cleaned, never rendered or changed, and cleaning keeps no state on a field."""

    def __deepcopy__(self, memo):
        return dict(self)


def _needs_its_filterset(filter_: django_filters.Filter) -> bool:
    """A filter whose method is named on its FilterSet (`method="filter_x"`), or whose
    choices depend on the request, reads the FilterSet it belongs to."""
    return isinstance(filter_.method, str) or isinstance(
        filter_, django_filters.filters.QuerySetRequestMixin
    )


class RecordFilterSet(django_filters.FilterSet):
    """Filters on to-many relations are semi-joins, so rows never repeat.

    The filters, their form class and its fields are built once per FilterSet class (and
    model) instead of on every request: django-filter deep-copies every filter for each
    FilterSet and Django every form field for each form, about a tenth of a faceted
    list page's time. They hold no state of a request: a filter reads its value and the
    queryset as arguments. A filter that reads its FilterSet still gets its own copy."""

    class Meta:
        # Only the declared filters; each type's Meta adds its model.
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django_filters.FilterSet.__init__, without the deep copy of the filters.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = dict(self._shared_filters(queryset.model))
        for name, filter_ in self.filters.items():
            if _needs_its_filterset(filter_):
                self.filters[name] = own = copy.deepcopy(filter_)
                own.parent = self

    @classmethod
    def _shared_filters(cls, model: type[Model]) -> dict[str, Any]:
        shared = cls.__dict__.get("_shared")
        if shared is None:
            shared = {}
            cls._shared = shared
        filters = shared.get(model)
        if filters is None:
            filters = copy.deepcopy(cls.base_filters)
            for filter_ in filters.values():
                filter_.model = model
            shared[model] = filters
        return filters

    def get_form_class(self):
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            form_class.base_fields = SharedFields(form_class.base_fields)
            type(self)._form_class = form_class
        return form_class


# The pages show country names; the URL and the API take codes. help_text is what the
# OpenAPI schema describes the parameter with (the label is the facet's heading).
COUNTRY_CODES = (
    "ISO 3166-1 alpha-2 country codes, as FR (historical codes such as YU too). "
    "Multiple values may be separated by commas."
)


class MissionFilter(RecordFilterSet):
    q = text_filter("name", "acronym", "summary")
    conception = ChoiceInFilter(
        choices=Conception.choices, method=_conception, label="Conception"
    )
    organisation = RelatedSlugInFilter(
        field_name="organisations__slug",
        known=(Organisation, "slug"),
        label="Organisation",
    )
    mission_type = ChoiceInFilter(choices=MissionType.choices, label="Mission type")
    region = RelatedChoiceInFilter(
        field_name="cases__countries__region",
        through="cases__",
        choices=Region.choices,
        label="Region",
    )
    country = RelatedSlugInFilter(
        field_name="cases__countries__code",
        through="cases__",
        known=(Country, "code"),
        label="Country",
        help_text=COUNTRY_CODES,
    )
    decade = DecadeInFilter(field_name="start_date__year", label="Decade of start")
    consent = ChoiceInFilter(
        field_name="host_consent", choices=HostConsent.choices, label="Host consent"
    )
    use_of_force = ChoiceInFilter(choices=UseOfForce.choices, label="Use of force")
    impartiality = ChoiceInFilter(choices=Impartiality.choices, label="Impartiality")
    legal_basis = ChoiceInFilter(choices=LegalBasis.choices, label="Legal basis")
    mandate_task = RelatedSlugInFilter(
        field_name="mandate_tasks__slug",
        known=(MandateTask, "slug"),
        label="Mandate task",
    )
    case = RelatedSlugInFilter(
        field_name="cases__slug", known=(Case, "slug"), label="Case"
    )
    norm = RelatedSlugInFilter(
        field_name="norms__slug", known=(Norm, "slug"), label="Norm"
    )
    # The full list behind a document's capped `authorised_missions`.
    document = RelatedSlugInFilter(
        field_name="authorised_by__slug",
        known=(Document, "slug"),
        label="Authorised by (document)",
    )
    started_after = django_filters.DateFilter(
        field_name="start_date", lookup_expr="gte", label="Started on or after"
    )
    started_before = django_filters.DateFilter(
        field_name="start_date", lookup_expr="lte", label="Started on or before"
    )
    ordering = sort_filter(("name", "name"), ("start_date", "start"))

    class Meta(RecordFilterSet.Meta):
        model = Mission


class CaseFilter(RecordFilterSet):
    q = text_filter("name", "summary")
    conception = ChoiceInFilter(
        choices=Conception.choices, method=_conception, label="Conception"
    )
    region = RelatedChoiceInFilter(
        field_name="countries__region", choices=Region.choices, label="Region"
    )
    country = RelatedSlugInFilter(
        field_name="countries__code",
        known=(Country, "code"),
        label="Country",
        help_text=COUNTRY_CODES,
    )
    decade = DecadeInFilter(field_name="start_date__year", label="Decade of start")
    conflict_type = ChoiceInFilter(choices=ConflictType.choices, label="Conflict type")
    norm = RelatedSlugInFilter(
        field_name="norms__slug", known=(Norm, "slug"), label="Norm"
    )
    ordering = sort_filter(("name", "name"), ("start_date", "start"))

    class Meta(RecordFilterSet.Meta):
        model = Case


class NormFilter(RecordFilterSet):
    q = text_filter("name", "summary")
    conception = ChoiceInFilter(choices=NormConception.choices, label="Conception")
    ordering = sort_filter(("name", "name"))

    class Meta(RecordFilterSet.Meta):
        model = Norm


class DocumentFilter(RecordFilterSet):
    q = text_filter("title", "short_title", "symbol", "summary")
    kind = ChoiceInFilter(choices=DocumentKind.choices, label="Document kind")
    organisation = SlugInFilter(
        field_name="issuer__slug", known=(Organisation, "slug"), label="Issued by"
    )
    norm = RelatedSlugInFilter(
        field_name="norms__slug", known=(Norm, "slug"), label="Norm"
    )
    decade = DecadeInFilter(field_name="date__year", label="Decade")
    ordering = sort_filter(("title", "name"), ("date", "date"))

    class Meta(RecordFilterSet.Meta):
        model = Document


class OrganisationFilter(RecordFilterSet):
    q = text_filter("name", "acronym", "summary")
    kind = ChoiceInFilter(choices=OrganisationKind.choices, label="Kind")
    ordering = sort_filter(("name", "name"))

    class Meta(RecordFilterSet.Meta):
        model = Organisation


class ConceptFilter(RecordFilterSet):
    q = text_filter("term", "summary")
    ordering = sort_filter(("term", "name"))

    class Meta(RecordFilterSet.Meta):
        model = Concept


class SourceFilter(RecordFilterSet):
    q = text_filter("title", "container_title", "creators__family")
    kind = ChoiceInFilter(choices=SourceKind.choices, label="Source type")
    decade = DecadeInFilter(field_name="year", label="Decade")
    ordering = sort_filter(("title", "name"), ("year", "year"))

    class Meta(RecordFilterSet.Meta):
        model = Source


# Facet counts ---------------------------------------------------------------------------
#
# A facet counts, for each value of one parameter, how many published records the page
# would show if that value were chosen, given every *other* active parameter. The filters
# on to-many relations are semi-joins, so the filtered queryset has no join for the
# grouping to reuse: it groups the filtered rows directly (a mission in two regions counts
# once in each).


@dataclass(frozen=True)
class Facet:
    """How to count one FilterSet parameter.

    `path` is what to group by, `label` an optional field path naming the value (slug
    facets), `through` the publishable relation the value hangs off (its drafts are never
    counted), `where` extra conditions on the grouping rows, and `decade` buckets years.
    `distinct` is for paths that cross two to-many relations, where one record can
    reach the same value twice (a mission with two cases in one region); elsewhere a
    record reaches each value once and a plain count is cheaper.
    """

    param: str
    path: str
    label: str = ""
    through: str = ""
    where: tuple = ()
    decade: bool = False
    distinct: bool = False


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class FacetGroup:
    param: str
    label: str
    values: list = dataclasses.field(default_factory=list)

    @property
    def selected(self):
        return [value for value in self.values if value.selected]


_PREFERRED = (("classifications__preferred", True),)

FACETS = {
    MissionFilter: [
        Facet("conception", "classifications__value", where=_PREFERRED),
        Facet(
            "organisation",
            "organisations__slug",
            "organisations__name",
            "organisations__",
        ),
        Facet("mission_type", "mission_type"),
        Facet("region", "cases__countries__region", through="cases__", distinct=True),
        Facet(
            "country",
            "cases__countries__code",
            "cases__countries__name",
            "cases__",
            distinct=True,
        ),
        Facet("decade", "start_date__year", decade=True),
        Facet("consent", "host_consent"),
        Facet("use_of_force", "use_of_force"),
        Facet("impartiality", "impartiality"),
        Facet("legal_basis", "legal_basis"),
        Facet("mandate_task", "mandate_tasks__slug", "mandate_tasks__name"),
        Facet("norm", "norms__slug", "norms__name", "norms__"),
    ],
    CaseFilter: [
        Facet("conception", "classifications__value", where=_PREFERRED),
        Facet("conflict_type", "conflict_type"),
        Facet("region", "countries__region", distinct=True),
        Facet("country", "countries__code", "countries__name"),
        Facet("decade", "start_date__year", decade=True),
        Facet("norm", "norms__slug", "norms__name", "norms__"),
    ],
    NormFilter: [Facet("conception", "conception")],
    DocumentFilter: [
        Facet("kind", "kind"),
        Facet("organisation", "issuer__slug", "issuer__name", "issuer__"),
        Facet("norm", "norms__slug", "norms__name", "norms__"),
        Facet("decade", "date__year", decade=True),
    ],
    OrganisationFilter: [Facet("kind", "kind")],
    ConceptFilter: [],
    SourceFilter: [Facet("kind", "kind"), Facet("decade", "year", decade=True)],
}


def split_values(raw: str | None) -> list[str]:
    """'un, osce' -> ['un', 'osce'], as the In filters read a parameter."""
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def facet_counts(filterset_class, data, queryset, *, page_filtered=None):
    """Counts per value of every facet of `filterset_class`, each respecting the others."""
    return facets_and_total(
        filterset_class, data, queryset, page_filtered=page_filtered
    )[0]


def _on_the_row(model, facet):
    """Whether a facet groups by a column of the record itself (mission_type, a start
    year), so that each record has exactly one value of it."""
    if facet.through or facet.where or facet.distinct or facet.label:
        return False
    field = model._meta.get_field(facet.path.split("__")[0])
    return field.concrete and not field.is_relation


def _row_facet_counts(together, page_filtered):
    """({param: rows}, total) for the facets on the record's own columns, counted
    together from one GROUP BY over their combinations, whose sum is the total."""
    paths = sorted({facet.path for facet in together})
    combinations = list(page_filtered.values(*paths).annotate(n=Count("pk")).order_by())
    rows_by_param = {}
    for facet in together:
        counts = Counter()
        for row in combinations:
            counts[row[facet.path]] += row["n"]
        rows_by_param[facet.param] = [
            {facet.path: value, "n": n} for value, n in counts.items()
        ]
    return rows_by_param, sum(row["n"] for row in combinations)


def _facet_rows(facet, filterset_class, data, queryset, page_filtered, in_use):
    """One facet's counts in a query of its own. A facet in use counts under the other
    filters only; one not in use, under the page's own. One filter() call, so that the
    grouping reuses the join these conditions made (a second call would join the
    relation again); rows without a value (a mission with no case) are dropped in
    _facet_values."""
    if in_use:
        others = {k: v for k, v in data.items() if k != facet.param}
        filtered = filterset_class(others, queryset=queryset).qs
    else:
        filtered = page_filtered
    conditions = Q(*facet.where)
    if facet.through:
        conditions &= published_q(facet.through)
    return (
        filtered.filter(conditions)
        .values(facet.path, *([facet.label] if facet.label else []))
        .annotate(n=Count("pk", distinct=facet.distinct))
        .order_by()
    )


def facets_and_total(filterset_class, data, queryset, *, page_filtered=None):
    """The facet groups of `filterset_class` under `data`, each respecting the others, and
    how many records `data` matches.

    `queryset` must already be the public one (`.published()`). The facets on the
    record's own columns that are not in use are counted together, in one GROUP BY over
    their combinations (whose sum is also the total); every other facet takes one query.
    So the number of queries is fixed, however many records there are. `page_filtered`
    is the page's own filtered queryset, if built.
    """
    model = filterset_class._meta.model
    if page_filtered is None:
        page_filtered = filterset_class(data, queryset=queryset).qs
    facets = FACETS.get(filterset_class, ())
    selected = {facet.param: split_values(data.get(facet.param)) for facet in facets}
    together = [f for f in facets if not selected[f.param] and _on_the_row(model, f)]
    rows_by_param, total = {}, None
    if together:
        rows_by_param, total = _row_facet_counts(together, page_filtered)
    groups = []
    for facet in facets:
        rows = rows_by_param.get(facet.param)
        if rows is None:
            in_use = bool(selected[facet.param])
            rows = _facet_rows(
                facet, filterset_class, data, queryset, page_filtered, in_use
            )
        filter_ = filterset_class.base_filters[facet.param]
        values = _facet_values(facet, filter_, rows, set(selected[facet.param]))
        groups.append(FacetGroup(param=facet.param, label=filter_.label, values=values))
    if total is None:
        total = page_filtered.count()
    return groups, total


def _facet_values(facet, filter_, rows, selected):
    if facet.decade:
        # Records with no year are a value of their own ("Not coded"), never dropped.
        decades = Counter()
        for row in rows:
            year = row[facet.path]
            key = NOT_CODED if year in (None, "") else year - year % 10
            decades[key] += row["n"]
        uncoded = decades.pop(NOT_CODED, 0)
        values = [
            FacetValue(str(d), f"{d}s", n, str(d) in selected)
            for d, n in sorted(decades.items())
        ]
        if uncoded:
            values.append(
                FacetValue(NOT_CODED, "Not coded", uncoded, NOT_CODED in selected)
            )
        labels = {v: "Not coded" if v == NOT_CODED else f"{v}s" for v in selected}
        return values + _selected_without_matches(values, selected, labels)
    rows = [row for row in rows if row[facet.path] not in (None, "")]
    choices = dict(getattr(filter_, "extra", {}).get("choices") or [])
    values = []
    for row in rows:
        value = str(row[facet.path])
        label = row.get(facet.label) if facet.label else choices.get(value, value)
        values.append(FacetValue(value, str(label), row["n"], value in selected))
    if choices:  # the coding scheme's own order
        order = {value: i for i, value in enumerate(choices)}
        values.sort(key=lambda v: order.get(v.value, len(order)))
    else:
        values.sort(key=lambda v: (-v.count, v.label.lower()))
    return values + _selected_without_matches(values, selected, choices)


def _selected_without_matches(values, selected, choices):
    """A chosen value that matches nothing under the other filters stays listed, with 0,
    so that the reader sees what is selected and can remove it alone."""
    shown = {value.value for value in values}
    return [
        FacetValue(value, str(choices.get(value, value)), 0, True)
        for value in sorted(selected - shown)
    ]
