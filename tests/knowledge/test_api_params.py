"""Query parameters on the API and the list pages: both list forms, clear 400s for what a
list does not take, drafts unknown to filters, and pages that never skip or repeat."""

import datetime

import pytest
from django.urls import reverse

from apps.knowledge.models import Country
from apps.knowledge.models import Organisation
from apps.knowledge.registry import filtersets
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_cache_cleared")]


def list_url(name):
    return reverse(f"api:{name}-list")


def slugs(response):
    assert response.status_code == 200, response.content
    return {row["slug"] for row in response.json()["results"]}


def errors(response):
    assert response.status_code == 400, response.content
    return response.json()["errors"]


@pytest.fixture
def conceived():
    factories.MissionFactory(slug="west", classified="westphalian")
    factories.MissionFactory(slug="post", classified="post_westphalian")
    factories.MissionFactory(slug="mixed", classified="mixed")
    factories.MissionFactory(slug="unclassified", classified=False)
    return {"west", "post"}


def test_repeated_and_comma_separated_parameters_mean_the_same(api, conceived):
    repeated = api.get(
        list_url("mission") + "?conception=westphalian&conception=post_westphalian"
    )
    comma = api.get(list_url("mission") + "?conception=westphalian,post_westphalian")
    both = api.get(
        list_url("mission") + "?conception=westphalian,&conception=post_westphalian"
    )
    assert slugs(repeated) == slugs(comma) == slugs(both) == conceived


def test_repeated_parameters_on_a_list_page_keep_every_value(client, conceived):
    response = client.get(
        reverse("knowledge:mission-list") + "?conception=westphalian"
        "&conception=post_westphalian",
        follow=True,
    )
    assert response.status_code == 200
    shown = {m.slug for m in response.context["page_obj"].paginator.object_list}
    assert shown == conceived


def test_unknown_slug_is_a_400_naming_the_parameter_and_the_valid_values(api):
    factories.OrganisationFactory(slug="un")
    found = errors(api.get(list_url("mission") + "?organisation=UN"))
    message = " ".join(found["organisation"])
    assert "UN" in message and "Valid values: un" in message


def test_unknown_choice_names_the_valid_values(api):
    message = " ".join(
        errors(api.get(list_url("mission") + "?conception=west"))["conception"]
    )
    assert "westphalian" in message and "post_westphalian" in message


def test_one_request_s_wrong_values_do_not_reach_the_next(api, client):
    # The filters and their form fields are built once per process and shared by
    # every request: a 400 leaves nothing behind for the next request to read.
    factories.OrganisationFactory(slug="un")
    mission = factories.MissionFactory()
    mission.organisations.add(Organisation.objects.get(slug="un"))
    assert errors(api.get(list_url("mission") + "?organisation=osce&conception=west"))
    assert slugs(api.get(list_url("mission") + "?organisation=un")) == {mission.slug}
    page = client.get(reverse("knowledge:mission-list") + "?decade=19x0")
    assert page.status_code == 400 and "is not a decade" in page.content.decode()
    page = client.get(reverse("knowledge:mission-list") + "?organisation=un")
    assert page.status_code == 200
    shown = page.context["page_obj"].paginator.object_list
    assert [m.slug for m in shown] == [mission.slug]


def test_misspelt_parameter_is_a_400(api):
    found = errors(api.get(list_url("mission") + "?organisaton=un"))
    assert "organisation" in " ".join(found["organisaton"])
    # What every list takes stays accepted.
    assert (
        api.get(list_url("mission") + "?page=1&page_size=5&fields=slug").status_code
        == 200
    )


def test_bad_boolean_is_a_400(api):
    found = errors(api.get(list_url("classification") + "?preferred=maybe"))
    assert "true, false" in " ".join(found["preferred"])
    assert api.get(list_url("classification") + "?preferred=true").status_code == 200


@pytest.mark.parametrize("query", ["decade=5", "decade=,", "decade=1990,", "decade=1"])
@pytest.mark.parametrize("name", ["mission", "case", "document", "source"])
def test_odd_decades_are_answered_not_500(api, client, query, name):
    factories.MissionFactory(start_date=datetime.date(1995, 1, 1))
    assert api.get(f"{list_url(name)}?{query}").status_code in (200, 400)
    page = client.get(f"{reverse(f'knowledge:{name}-list')}?{query}", follow=True)
    assert page.status_code in (200, 400)


def test_odd_decades_on_the_timeline(client):
    for query in ("decade=5", "decade=,", "decade=1990,"):
        response = client.get(reverse("knowledge:timeline") + "?" + query, follow=True)
        assert response.status_code in (200, 400)


def test_a_draft_slug_is_as_unknown_as_a_made_up_one(api, client):
    draft_case = factories.CaseFactory(slug="secret-case", draft=True)
    mission = factories.MissionFactory()
    mission.cases.add(draft_case)
    for query in ("?case=secret-case", "?case=no-such-case"):
        found = errors(api.get(list_url("mission") + query))
        assert "secret-case" not in " ".join(found["case"]).replace(query[6:], "")
        page = client.get(reverse("knowledge:mission-list") + query)
        assert page.status_code == 400
        assert b"secret-case" not in page.content.replace(query[6:].encode(), b"")


def test_country_filter_counts_only_published_cases(api, client):
    country = Country.objects.create(code="AF", name="Afghanistan", region="asia")
    public = factories.CaseFactory()
    public.countries.add(country)
    hidden = factories.CaseFactory(draft=True)
    hidden.countries.add(country)
    shown = factories.MissionFactory(slug="shown")
    shown.cases.add(public)
    factories.MissionFactory(slug="linked-to-draft").cases.add(hidden)
    assert slugs(api.get(list_url("mission") + "?country=AF")) == {"shown"}
    assert slugs(api.get(list_url("mission") + "?region=asia")) == {"shown"}
    page = client.get(reverse("knowledge:mission-list") + "?country=AF")
    assert [m.slug for m in page.context["page_obj"]] == ["shown"]


@pytest.mark.parametrize(
    "query",
    [
        "classification-list?preferred=true&record_type=mission",
        "citation-list?record_type=mission,case",
    ],
)
def test_citation_and_classification_lists_give_their_cached_total(
    api, conceived, settings, query
):
    """Their rows belong to records of every type; the total an anonymous reader gets
    is cached with the facets, as in production, and still counts the published rows."""
    settings.FACET_CACHE = True
    name, _, filters = query.partition("?")
    for _ in range(2):  # once counted, once from the cache
        response = api.get(f"{reverse('api:' + name)}?{filters}")
        assert response.status_code == 200, response.content
    if name == "classification-list":
        assert response.json()["count"] == 3  # west, post and mixed


# --------------------------------------------------------------------------- paging


def _orderings():
    for model, filterset in filtersets().items():
        ordering = filterset.base_filters.get("ordering")
        values = [None]
        if ordering:
            values += [value for value, _ in ordering.extra["choices"]]
        for value in values:
            yield pytest.param(model, value, id=f"{model.__name__}-{value}")


@pytest.fixture
def alike():
    """Records of every type that sort alike on every field."""
    date = datetime.date(1990, 1, 1)
    for i in range(7):
        factories.MissionFactory(name="Same", start_date=None if i % 2 else date)
        factories.CaseFactory(name="Same", start_date=None if i % 2 else date)
        factories.NormFactory(name="Same")
        factories.DocumentFactory(title="Same", date=date)
        factories.OrganisationFactory(name="Same")
        factories.ConceptFactory(term="Same")
        factories.SourceFactory(title="Same", year=1999)
    # Records created in one test share their update times to the microsecond often
    # enough; make them equal to be sure.
    for model in filtersets():
        model.objects.update(
            updated_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
        )


@pytest.mark.parametrize(("model", "ordering"), list(_orderings()))
def test_every_ordering_pages_through_every_record_once(
    api, client, alike, model, ordering
):
    name = model._meta.model_name
    total = model.objects.published().count()
    query = {"page_size": 3}
    if ordering:
        query["ordering"] = ordering
    seen, page = [], 1
    while True:
        body = api.get(list_url(name), {**query, "page": page}).json()
        seen += [row["slug"] for row in body["results"]]
        if not body["next"]:
            break
        page += 1
    assert len(seen) == len(set(seen)) == total
    # The list pages likewise (30 a page: compare the order with the API's).
    params = {"ordering": ordering} if ordering else {}
    response = client.get(reverse(f"knowledge:{name}-list"), params)
    listed = [r.slug for r in response.context["page_obj"].paginator.object_list]
    assert listed == seen


def test_about_counts_only_citations_of_published_records(client, api):
    factories.MissionFactory()  # one citation, and one of its classification
    factories.MissionFactory(draft=True)  # two more that no reader can see
    response = client.get(reverse("knowledge:about"))
    assert response.context["totals"]["citations"] == 2
    assert api.get(list_url("citation")).json()["count"] == 2


def test_a_percent_sign_in_an_unknown_value_is_a_400(api):
    for query in ("?organisation=%25s", "?conception=%25d", "?organisation=%25(x)s"):
        assert api.get(list_url("mission") + query).status_code == 400
        assert api.get(list_url("document") + query).status_code == 400
    assert api.get(list_url("classification") + "?preferred=%25s").status_code == 400


def test_a_list_page_says_which_parameters_it_did_not_apply(client):
    factories.MissionFactory()
    response = client.get(reverse("knowledge:mission-list") + "?organisaton=un")
    assert response.status_code == 200
    assert response.context["ignored"] == ["organisaton"]
    assert b"Not a filter of this list" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "since", ["0017-10-11T05:30:38+19:48", "0001-01-01T00:00:00+05:00", "2026-13-45"]
)
def test_updated_since_with_an_impossible_moment_is_a_400_not_a_500(client, since):
    response = client.get("/api/v1/cases/", {"updated_since": since})
    assert response.status_code in (200, 400)
    assert response.status_code != 500
