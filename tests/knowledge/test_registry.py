"""The registry of record types is the one list every layer reads: it covers every
record model, and each layer serves exactly the registered types."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from apps.knowledge import registry
from apps.knowledge import search
from apps.knowledge import sitemaps
from apps.knowledge.api import export
from apps.knowledge.models import KnowledgeRecord
from apps.knowledge.models import Norm
from tests import factories

pytestmark = pytest.mark.django_db


def record_models():
    """Every concrete model of a public record (KnowledgeRecord's subclasses)."""
    return {
        model
        for model in apps.get_app_config("knowledge").get_models()
        if issubclass(model, KnowledgeRecord)
    }


def test_the_registry_covers_every_record_model_once():
    assert set(registry.RECORD_MODELS) == record_models()
    assert len(registry.RECORD_MODELS) == len(set(registry.RECORD_MODELS))


@pytest.mark.parametrize("record_type", registry.RECORD_TYPES, ids=lambda t: t.name)
def test_every_registered_type_has_its_api_admin_and_export(record_type, client):
    assert record_type.viewset.model is record_type.model
    assert record_type.serializer.Meta.model is record_type.model
    assert record_type.list_serializer.Meta.model is record_type.model
    assert admin.site.is_registered(record_type.model)
    assert export.RECORD_VIEWSETS[record_type.api_path] is record_type.viewset
    path = reverse(record_type.url_name(namespace="api"))
    assert path == f"/api/v1/{record_type.api_path}/"
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("record_type", registry.PAGE_TYPES, ids=lambda t: t.name)
def test_every_type_with_pages_has_a_list_a_detail_route_and_a_filterset(
    record_type, client
):
    assert record_type.filterset._meta.model is record_type.model
    assert record_type.list_view.model is record_type.model
    assert record_type.detail_view.model is record_type.model
    path = reverse(record_type.url_name())
    assert path == f"/{record_type.page_path}/"
    assert client.get(path).status_code == 200
    assert reverse(record_type.url_name("detail"), args=["x"]) == f"{path}x/"


def test_search_and_sitemap_read_the_registry():
    searched = [t.name for t in registry.RECORD_TYPES if t.search]
    assert searched == search.SEARCH_TYPES
    assert list(sitemaps.SITEMAPS) == ["pages", *(t.name for t in registry.PAGE_TYPES)]


def test_a_type_is_found_by_model_record_or_name():
    mission_type = registry.RECORD_TYPES[0]
    assert registry.of(mission_type.model) is mission_type
    assert registry.by_name("mission") is mission_type
    assert registry.by_name("nothing") is None


CONVENTIONAL = [
    ("apps.knowledge.filters", "NormFilter"),
    ("apps.knowledge.api.serializers", "NormSerializer"),
    ("apps.knowledge.api.serializers", "NormListSerializer"),
    ("apps.knowledge.api.views", "NormViewSet"),
    ("apps.knowledge.views.lists", "NormListView"),
    ("apps.knowledge.views.details", "NormDetailView"),
]


def test_a_type_with_no_classes_of_its_own_is_served_by_the_defaults(monkeypatch):
    """What docs/architecture.md promises a new record type: with only its model and
    its registry entry, it has a filtered list page, a detail page and an API."""
    for module, name in CONVENTIONAL:
        monkeypatch.delattr(f"{module}.{name}", raising=False)
    bare = registry.RecordType(
        Norm,
        page_path="norms",
        api_path="norms",
        data_folder="norms",
        search=registry.SearchFields(a=("name",)),
    )
    norm = factories.NormFactory(name="Sovereign equality", slug="sovereign-equality")
    factories.NormFactory(name="Hidden norm", draft=True)
    factories.NormFactory(name="Human rights", slug="human-rights")
    rf = RequestFactory()

    def get(view, path, **kwargs):
        request = rf.get(path)
        request.user = AnonymousUser()
        response = view(request, **kwargs)
        return response.render() if hasattr(response, "render") else response

    page = get(bare.list_view.as_view(), "/norms/?q=sovereign")
    assert page.status_code == 200
    assert [n.slug for n in page.context_data["object_list"]] == [norm.slug]
    detail = get(bare.detail_view.as_view(), "/norms/x/", slug=norm.slug)
    assert detail.status_code == 200 and "Sovereign equality" in detail.content.decode()

    api_list = get(bare.viewset.as_view({"get": "list"}), "/api/v1/norms/?q=rights")
    assert [row["slug"] for row in api_list.data["results"]] == ["human-rights"]
    api_detail = get(
        bare.viewset.as_view({"get": "retrieve"}), "/api/v1/norms/x/", slug=norm.slug
    )
    assert api_detail.data["name"] == "Sovereign equality"
    assert {"conception", "summary", "citations"} <= set(api_detail.data)


def test_the_dataset_has_a_yaml_shape_for_every_type_in_its_registry_folder():
    from django.conf import settings

    from apps.knowledge.canonical import DATA_TYPES

    assert {t.model for t in DATA_TYPES} == set(registry.RECORD_MODELS)
    for data_type in DATA_TYPES:
        folder = registry.of(data_type.model).data_folder
        assert data_type.directory == folder
        assert (settings.BASE_DIR / "data" / folder).is_dir()


def test_the_tests_have_a_factory_for_every_record_type_in_its_order():
    """The parametrised admin, page and API tests iterate factories.RECORD_FACTORIES
    and PAGE_FACTORIES: a type added to the registry is tested there too."""
    assert list(factories.RECORD_FACTORIES) == [t.name for t in registry.RECORD_TYPES]
    assert list(factories.PAGE_FACTORIES) == [
        t.name for t in registry.RECORD_TYPES if t.has_pages
    ]
    for name, factory in factories.RECORD_FACTORIES.items():
        assert registry.of(factory._meta.model).name == name


@pytest.mark.parametrize(
    "record_type", [t for t in registry.RECORD_TYPES if t.capped], ids=lambda t: t.name
)
def test_each_capped_relation_has_a_list_filtered_by_the_record(record_type):
    """A cut list's "see all" link (pages) and `<relation>_url` (API) filter the related
    type's list by this type's name: that filter must exist and follow the relation."""
    for name in record_type.capped:
        relation = record_type.model._meta.get_field(name)
        listed = registry.of(relation.related_model)
        found = listed.filterset.base_filters[record_type.name]
        assert found.field_name.split("__")[0] == relation.field.name
