"""The record types: the one list every layer reads.

Pages, URLs, the API router, its filters and exports, search, the sitemap, the data
folders and the curators' workplace all loop over `RECORD_TYPES`; adding a type is one
entry here (see docs/architecture.md).

Each layer's class for a type (FilterSet, serializers, viewset, page views) lives in that
layer's module under a conventional name (`MissionFilter`, `MissionSerializer`,
`MissionListSerializer`, `MissionViewSet`, `MissionListView`, `MissionDetailView`) and is
looked up when first read, so that this module imports only the models: no cycles.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from functools import cached_property
from importlib import import_module
from typing import Any

from . import defaults
from .models import Case
from .models import ComparisonRow
from .models import Concept
from .models import Document
from .models import KnowledgeRecord
from .models import Mission
from .models import Norm
from .models import Organisation
from .models import Source


@dataclass(frozen=True)
class SearchFields:
    """How a type is searched: weighted fields (A highest) and what a hit prefetches.

    `a` is also what an exact query matches (UNEF, HCNM). PostgreSQL stores the weighted
    document in each table's `search_vector` column (migrations 0007 and later)."""

    a: tuple[str, ...]
    b: tuple[str, ...] = ("summary",)
    c: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class RecordType:
    """One type of public record, as every layer names and serves it."""

    model: type[KnowledgeRecord]
    # The site's URL segment (/missions/, /glossary/); "" for a type shown only inside
    # another page (comparison rows, on /compare/), which has no list or detail page.
    page_path: str
    search: SearchFields | None = None  # None: not in the site's search
    # Only the first types' records can be compared side by side (/compare/missions/).
    comparable: bool = field(default=False)
    api_path: str = ""  # /api/v1/<api_path>/; "": the page path
    data_folder: str = ""  # data/<data_folder>/*.yaml; "": the API path
    # Relations that grow with the data (an organisation's missions): a detail page and
    # an API detail show the first RELATED_LIMIT and link to the related type's list
    # filtered by this record, `?<this type's name>=<slug>` (e.g. /missions/?norm=...).
    capped: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Most types use one plural in the site's URLs, the API's and the data folder.
        api_path = self.api_path or self.page_path
        object.__setattr__(self, "api_path", api_path)
        object.__setattr__(self, "data_folder", self.data_folder or api_path)

    @property
    def name(self) -> str:
        """The model name: "mission", "comparisonrow" (API `record_type`, URL names)."""
        return str(self.model._meta.model_name)

    @property
    def has_pages(self) -> bool:
        return bool(self.page_path)

    def url_name(self, view: str = "list", namespace: str = "knowledge") -> str:
        """A route's name: "knowledge:mission-list", `url_name("detail")` for the
        detail page, `namespace="api"` for the API's ("api:mission-list")."""
        return f"{namespace}:{self.name}-{view}"

    @property
    def label(self) -> str:
        """The singular noun: "mission", "comparison row"."""
        return str(self.model._meta.verbose_name)

    @property
    def plural(self) -> str:
        """The plural noun: "missions", "organisations"."""
        return str(self.model._meta.verbose_name_plural)

    # Each layer's class, by the naming convention above.

    def _class(self, module: str, suffix: str, default: Any = None) -> Any:
        """The layer's `<Model><suffix>` class, else `default(self)` (defaults.py)."""
        found = getattr(import_module(module), f"{self.model.__name__}{suffix}", None)
        return found if found is not None or default is None else default(self)

    @cached_property
    def filterset(self) -> Any:
        """The FilterSet shared by the list page and the API list (None for a type
        without pages nor a FilterSet of its own: its API list takes no filters)."""
        default = defaults.filterset if self.has_pages else None
        return self._class("apps.knowledge.filters", "Filter", default)

    @cached_property
    def serializer(self) -> Any:
        return self._class(
            "apps.knowledge.api.serializers", "Serializer", defaults.serializer
        )

    @cached_property
    def list_serializer(self) -> Any:
        """What an API list row shows (the detail serializer when a type has no other)."""
        return self._class(
            "apps.knowledge.api.serializers",
            "ListSerializer",
            lambda record_type: record_type.serializer,
        )

    @cached_property
    def viewset(self) -> Any:
        return self._class("apps.knowledge.api.views", "ViewSet", defaults.viewset)

    @cached_property
    def list_view(self) -> Any:
        return self._class("apps.knowledge.views.lists", "ListView", defaults.list_view)

    @cached_property
    def detail_view(self) -> Any:
        return self._class(
            "apps.knowledge.views.details", "DetailView", defaults.detail_view
        )


# In the order the site presents them (navigation, counts, search, sitemap, exports):
# each with its model, page path and search fields.
RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType(
        Mission,
        "missions",
        SearchFields(a=("acronym", "name"), c=("mandate_summary",)),
        comparable=True,
    ),
    RecordType(
        Case, "cases", SearchFields(a=("name",)), comparable=True, capped=("missions",)
    ),
    RecordType(
        Norm,
        "norms",
        SearchFields(a=("name",)),
        capped=("documents", "missions", "cases"),
    ),
    RecordType(
        Document,
        "documents",
        SearchFields(a=("short_title", "title", "symbol")),
        capped=("authorised_missions",),
    ),
    RecordType(
        Organisation,
        "organisations",
        SearchFields(a=("acronym", "name")),
        capped=("missions", "documents"),
    ),
    RecordType(Concept, "glossary", SearchFields(a=("term",)), api_path="concepts"),
    RecordType(
        Source,
        "sources",
        SearchFields(
            a=("title", "subtitle"),
            c=("container_title", "publisher"),
            prefetch=("creators",),
        ),
    ),
    RecordType(ComparisonRow, "", api_path="comparison-rows", data_folder="comparison"),
)

# The types with a list and detail page of their own, in the site's order.
PAGE_TYPES: tuple[RecordType, ...] = tuple(t for t in RECORD_TYPES if t.has_pages)
# Their models: what the site lists, counts and links to.
PAGE_MODELS: tuple[type[KnowledgeRecord], ...] = tuple(t.model for t in PAGE_TYPES)
RECORD_MODELS: tuple[type[KnowledgeRecord], ...] = tuple(t.model for t in RECORD_TYPES)

_BY_NAME = {t.name: t for t in RECORD_TYPES}
_BY_MODEL = {t.model: t for t in RECORD_TYPES}


def by_name(name: str) -> RecordType | None:
    """The type of model name `name` ("mission"), or None."""
    return _BY_NAME.get(name)


def of(model_or_record: type | object) -> RecordType:
    """The type of a model or of one of its records (KeyError for a non-record)."""
    model = (
        model_or_record if isinstance(model_or_record, type) else type(model_or_record)
    )
    return _BY_MODEL[model]


def filtersets() -> dict[type[KnowledgeRecord], Any]:
    """Each filtered type's model and its FilterSet (the pages' and the API's)."""
    return {t.model: t.filterset for t in RECORD_TYPES if t.filterset is not None}
