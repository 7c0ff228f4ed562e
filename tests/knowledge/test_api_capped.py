"""Details nest at most RELATED_LIMIT records of a relation that grows with the data, with
the total and the address of the full list beside them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.knowledge.api import export
from apps.knowledge.limits import RELATED_LIMIT
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_cache_cleared")]


def detail(api, name, slug):
    response = api.get(reverse(f"api:{name}-detail", kwargs={"slug": slug}))
    assert response.status_code == 200, response.content
    return response.json()


def missions(n, **kwargs):
    return factories.MissionFactory.create_batch(
        n, cited=False, classified=False, **kwargs
    )


def test_a_long_list_is_capped_with_its_total_and_full_list(api):
    osce = factories.OrganisationFactory(slug="osce")
    published = missions(RELATED_LIMIT + 3)
    drafts = missions(2, draft=True)
    osce.missions.set(published + drafts)

    data = detail(api, "organisation", "osce")

    assert len(data["missions"]) == RELATED_LIMIT
    assert data["missions_count"] == RELATED_LIMIT + 3
    draft_slugs = {m.slug for m in drafts}
    assert not draft_slugs & {row["slug"] for row in data["missions"]}
    assert (
        data["missions_url"] == "http://testserver/api/v1/missions/?organisation=osce"
    )
    everything = api.get(data["missions_url"], {"page_size": 100}).json()
    assert everything["count"] == RELATED_LIMIT + 3
    listed = {row["slug"] for row in everything["results"]}
    assert {row["slug"] for row in data["missions"]} <= listed
    assert not draft_slugs & listed


def test_a_short_list_is_whole(api):
    osce = factories.OrganisationFactory(slug="osce")
    osce.missions.set(missions(3) + missions(1, draft=True))

    data = detail(api, "organisation", "osce")

    assert len(data["missions"]) == data["missions_count"] == 3
    assert data["documents"] == [] and data["documents_count"] == 0


@pytest.mark.parametrize(
    "name, factory, relation, link",
    [
        ("organisation", factories.OrganisationFactory, "missions", "organisations"),
        ("organisation", factories.OrganisationFactory, "documents", "issuer"),
        ("norm", factories.NormFactory, "missions", "norms"),
        ("norm", factories.NormFactory, "cases", "norms"),
        ("norm", factories.NormFactory, "documents", "norms"),
        ("case", factories.CaseFactory, "missions", "cases"),
        ("document", factories.DocumentFactory, "authorised_missions", "authorised_by"),
    ],
)
def test_every_capped_relation_counts_what_its_list_lists(
    api, name, factory, relation, link
):
    record = factory()
    related_factory = {
        "missions": factories.MissionFactory,
        "authorised_missions": factories.MissionFactory,
        "cases": factories.CaseFactory,
        "documents": factories.DocumentFactory,
    }[relation]
    draft = related_factory(draft=True, cited=False)
    rows = [*related_factory.create_batch(3, cited=False), draft]
    for row in rows:
        field = getattr(row, link)
        if hasattr(field, "add"):
            field.add(record)
        else:
            setattr(row, link, record)
            row.save()

    data = detail(api, name, record.slug)

    assert data[f"{relation}_count"] == len(data[relation]) == 3
    assert api.get(data[f"{relation}_url"]).json()["count"] == 3


def test_queries_do_not_grow_with_the_related_records(api):
    def queries_for(slug, n):
        organisation = factories.OrganisationFactory(slug=slug)
        organisation.missions.set(missions(n))
        factories.DocumentFactory.create_batch(n, issuer=organisation, cited=False)
        with CaptureQueriesContext(connection) as context:
            detail(api, "organisation", slug)
        return len(context)

    few = queries_for("few", 2)
    many = queries_for("many", RELATED_LIMIT + 10)
    assert few == many


def test_capped_detail_query_count(api, django_assert_max_num_queries):
    osce = factories.OrganisationFactory(slug="osce")
    osce.missions.set(missions(RELATED_LIMIT + 5))
    with django_assert_max_num_queries(6):
        detail(api, "organisation", "osce")


def test_the_dataset_export_keeps_whole_lists(api):
    osce = factories.OrganisationFactory(slug="osce")
    osce.missions.set(missions(RELATED_LIMIT + 2))

    export.store_current_version()  # the file is cut from the stored version
    rows = api.get("/api/v1/export/organisations.json").json()
    rows = rows["records"]
    (row,) = [row for row in rows if row["slug"] == "osce"]
    assert len(row["missions"]) == RELATED_LIMIT + 2
    assert "missions_count" not in row
