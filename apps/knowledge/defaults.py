"""What a record type gets when its layers have no class of their own (registry.py):
a FilterSet with text search and sorting, serializers of the model's own fields, an API
viewset, and list and detail pages. A type starts with these and replaces one by
writing the conventional class (`AgreementFilter`, `AgreementSerializer`, ...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from .registry import RecordType

# Fields every record has (KnowledgeRecord and its bases): shown by the shared head and
# tail of a representation, or never (who changed it).
_SHARED = {
    "id",
    "slug",
    "status",
    "summary",
    "caveat",
    "curator_note",
    "wikidata_qid",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "published_at",
    "last_reviewed",
    "search_vector",
}


def own_fields(record_type: RecordType) -> list[str]:
    """The model's own editable fields and relations, in declaration order."""
    opts = record_type.model._meta
    fields = [*opts.concrete_fields, *opts.many_to_many]
    return [f.name for f in fields if f.editable and f.name not in _SHARED]


def _name_fields(record_type: RecordType) -> list[str]:
    return list(record_type.search.a) if record_type.search else ["slug"]


def filterset(record_type: RecordType) -> type:
    from . import filters

    names = _name_fields(record_type)
    return type(
        f"{record_type.model.__name__}Filter",
        (filters.RecordFilterSet,),
        {
            "q": filters.text_filter(*names, "summary"),
            "ordering": filters.sort_filter((names[0], names[0])),
            "Meta": type(
                "Meta", (filters.RecordFilterSet.Meta,), {"model": record_type.model}
            ),
        },
    )


def serializer(record_type: RecordType) -> type:
    from .api.serializers.base import RecordSerializer
    from .api.serializers.base import detail_fields

    meta = {
        "model": record_type.model,
        "fields": detail_fields(*own_fields(record_type)),
    }
    return type(
        f"{record_type.model.__name__}Serializer",
        (RecordSerializer,),
        {"Meta": type("Meta", (RecordSerializer.Meta,), meta)},
    )


def viewset(record_type: RecordType) -> type:
    from .api.views import RecordViewSet

    # RecordViewSet finds the type's FilterSet and serializers in the registry.
    attrs: dict[str, Any] = {"model": record_type.model}
    return type(f"{record_type.model.__name__}ViewSet", (RecordViewSet,), attrs)


def list_view(record_type: RecordType) -> type:
    from .views.lists import RecordListView

    return type(
        f"{record_type.model.__name__}ListView",
        (RecordListView,),
        {"model": record_type.model},
    )


def detail_view(record_type: RecordType) -> type:
    from .views.details import RecordDetailView

    return type(
        f"{record_type.model.__name__}DetailView",
        (RecordDetailView,),
        {"model": record_type.model},
    )
