"""Reading the API: every endpoint, its filters, pages, fields, visibility and HTTP caching."""

import datetime

import pytest
from django.urls import reverse

from apps.knowledge import models
from apps.knowledge.models import Country
from apps.knowledge.models import MandateTask
from apps.knowledge.models import Mission
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_cache_cleared")]


def list_url(name, query=""):
    return reverse(f"api:{name}-list") + query


def detail_url(name, slug):
    return reverse(f"api:{name}-detail", kwargs={"slug": slug})


def slugs(response):
    assert response.status_code == 200, response.content
    return {row["slug"] for row in response.json()["results"]}


# --------------------------------------------------------------------------- basics


def test_root_lists_every_resource(api):
    data = api.get("/api/v1/").json()
    for name in [
        "missions",
        "cases",
        "norms",
        "documents",
        "organisations",
        "concepts",
        "sources",
        "comparison-rows",
        "citations",
        "classifications",
    ]:
        assert data[name].endswith(f"/api/v1/{name}/")


@pytest.mark.parametrize("name", list(factories.RECORD_FACTORIES))
def test_list_and_detail(api, name):
    record = factories.RECORD_FACTORIES[name]()
    if name == "source":  # sources carry no citation of their own by default
        factories.CitationFactory(target=record, source=record)
    listing = api.get(list_url(name))
    assert listing.status_code == 200
    body = listing.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["slug"] == record.slug
    assert row["url"] == "http://testserver" + detail_url(name, record.slug)
    assert row["html_url"] == "http://testserver" + record.get_absolute_url()
    detail = api.get(row["url"])
    assert detail.status_code == 200
    data = detail.json()
    assert data["slug"] == record.slug
    assert data["status"] == "published"
    assert "curator_note" not in data
    # Citations come with their source summary and locator.
    (citation,) = data["citations"]
    assert set(citation["source"]) == {"slug", "name", "url"}
    assert citation["locator"] == "512"
    assert citation["locator_display"] == "p. 512"


@pytest.mark.parametrize("name", list(factories.RECORD_FACTORIES))
def test_unknown_slug_is_a_json_404(api, name):
    response = api.get(detail_url(name, "no-such-record"))
    assert response.status_code == 404
    body = response.json()
    assert (body["status"], body["code"]) == (404, "not_found")
    assert body["detail"]
    assert response["Content-Type"].startswith("application/json")


def test_unknown_api_address_is_a_json_404(api):
    response = api.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_mission_detail_embeds_relations_classification_and_citations(api):
    un = factories.OrganisationFactory(slug="un", name="United Nations")
    case = factories.CaseFactory(slug="suez-crisis", name="Suez Crisis")
    document = factories.DocumentFactory(slug="unga-res-1000", title="Resolution")
    norm = factories.NormFactory(slug="consent", name="Consent")
    task = MandateTask.objects.create(
        slug="interposition",
        name="Interposition",
        conception="westphalian",
        description="Standing between the parties.",
    )
    mission = factories.MissionFactory(
        slug="unef-i",
        name="First United Nations Emergency Force",
        acronym="UNEF I",
        **factories.period("1956-11", "1967"),
        host_consent="all_parties",
        authorising_body=un,
    )
    mission.organisations.add(un)
    mission.cases.add(case)
    mission.authorised_by.add(document)
    mission.norms.add(norm)
    mission.mandate_tasks.add(task)
    data = api.get(detail_url("mission", "unef-i")).json()
    assert data["start"] == "1956-11"
    assert data["end"] == "1967"
    assert data["conception"] == "westphalian"
    assert data["organisations"] == [
        {
            "slug": "un",
            "name": "United Nations",
            "url": "http://testserver/api/v1/organisations/un/",
        }
    ]
    assert data["authorising_body"]["slug"] == "un"
    assert data["cases"][0]["name"] == "Suez Crisis"
    assert data["authorised_by"][0]["slug"] == "unga-res-1000"
    assert data["norms"][0]["slug"] == "consent"
    assert data["mandate_tasks"] == ["interposition"]
    (classification,) = data["classifications"]
    assert classification["value"] == "westphalian"
    assert classification["preferred"] is True
    assert classification["citations"][0]["claim"] == "classification"
    assert classification["citations"][0]["source"]["url"].startswith(
        "http://testserver/api/v1/sources/"
    )


def test_each_detail_shows_its_own_citations_classifications_and_lists(api):
    """The detail's queries are compiled once per type and reused for every record
    (api/querysets.compiled_rows, load_lists): each record still gets its own rows."""
    details = {}
    for name in ("First", "Second"):
        mission = factories.MissionFactory(
            name=f"{name} mission", cited=False, classified=False
        )
        source = factories.SourceFactory(title=f"{name} source")
        factories.CitationFactory(target=mission, source=source, locator="7")
        classification = mission.classifications.create(
            value="westphalian", basis="author", preferred=True, rationale="Why."
        )
        author = factories.SourceFactory(title=f"{name} author's book")
        author.creators.create(role="author", family=f"{name}son", given="Ann")
        factories.CitationFactory(
            target=classification, source=author, claim="classification"
        )
        mission.cases.add(factories.CaseFactory(name=f"{name} case"))
        details[name] = api.get(detail_url("mission", mission.slug))
    for name, response in details.items():
        data = response.json()
        assert [c["source"]["name"] for c in data["citations"]] == [f"{name} source"]
        assert [c["name"] for c in data["cases"]] == [f"{name} case"]
        (classification,) = data["classifications"]
        cited = [c["source"]["name"] for c in classification["citations"]]
        assert cited == [f"{name} author's book"]
        assert classification["basis_display"].startswith(f"{name}son's")


# --------------------------------------------------------------------------- visibility


@pytest.mark.parametrize("name", list(factories.RECORD_FACTORIES))
@pytest.mark.parametrize("status", ["draft", "in_review", "archived"])
def test_unpublished_records_never_reach_anonymous_clients(api, reader, name, status):
    hidden = factories.RECORD_FACTORIES[name](status=status)
    shown = factories.RECORD_FACTORIES[name]()
    assert slugs(api.get(list_url(name))) == {shown.slug}
    assert api.get(detail_url(name, hidden.slug)).status_code == 404
    assert api.get(detail_url(name, hidden.slug) + "cite/").status_code == 404
    # Authenticated without editing rights: the same.
    api.force_authenticate(reader)
    assert slugs(api.get(list_url(name))) == {shown.slug}
    assert api.get(detail_url(name, hidden.slug)).status_code == 404


def test_curators_see_drafts_marked_as_such(as_curator):
    draft = factories.NormFactory(draft=True)
    response = as_curator.get(detail_url("norm", draft.slug))
    assert response.status_code == 200
    assert response.json()["status"] == "draft"


def test_draft_relations_and_draft_sources_are_hidden(api):
    mission = factories.MissionFactory(cited=False, classified=False)
    mission.cases.add(factories.CaseFactory(name="Public case"))
    mission.cases.add(factories.CaseFactory(name="Secret case", draft=True))
    mission.authorising_body = factories.OrganisationFactory(draft=True)
    mission.save()
    secret_source = factories.SourceFactory(draft=True, title="Secret source")
    factories.CitationFactory(target=mission, source=secret_source)
    factories.CitationFactory(target=mission)
    content = api.get(detail_url("mission", mission.slug)).content.decode()
    data = api.get(detail_url("mission", mission.slug)).json()
    assert [c["name"] for c in data["cases"]] == ["Public case"]
    assert data["authorising_body"] is None
    assert len(data["citations"]) == 1
    assert "Secret" not in content
    citations = api.get("/api/v1/citations/").json()
    assert secret_source.slug not in str(citations)


def test_list_rows_show_published_relations_in_order_and_the_preferred_verdict(
    api, as_curator
):
    """A list row's organisations (by name), cases (by start date) and verdict, read
    for the whole page at once: draft relations stay hidden, for curators too, and in
    the comparison API's rows."""
    mission = factories.MissionFactory(cited=False, classified="post_westphalian")
    other = factories.MissionFactory(cited=False, classified=False)
    draft = factories.MissionFactory(cited=False, classified="mixed", draft=True)
    osce = factories.OrganisationFactory(name="OSCE")
    mission.organisations.add(
        factories.OrganisationFactory(name="United Nations"),
        osce,
        factories.OrganisationFactory(name="Hidden body", draft=True),
    )
    other.organisations.add(osce)
    draft.organisations.add(osce)
    mission.cases.add(
        factories.CaseFactory(name="Later", start_date=datetime.date(1999, 1, 1)),
        factories.CaseFactory(name="Earlier", start_date=datetime.date(1991, 1, 1)),
        factories.CaseFactory(name="Secret case", draft=True),
    )
    models.Classification.objects.create(
        target=mission,
        value="westphalian",
        basis="curators",
        preferred=False,
        rationale="x",
    )
    for client, expected in ((api, 2), (as_curator, 3)):
        response = client.get(list_url("mission", "?ordering=name"))
        rows = {row["slug"]: row for row in response.json()["results"]}
        assert len(rows) == expected
        row = rows[mission.slug]
        assert [o["name"] for o in row["organisations"]] == ["OSCE", "United Nations"]
        assert [c["name"] for c in row["cases"]] == ["Earlier", "Later"]
        assert row["organisations"][0]["url"].endswith(
            f"/api/v1/organisations/{osce.slug}/"
        )
        assert (row["conception"], row["conception_basis"]) == (
            "post_westphalian",
            "author",
        )
        assert rows[other.slug]["conception"] is None
        assert [o["slug"] for o in rows[other.slug]["organisations"]] == [osce.slug]
        assert "Secret" not in response.content.decode()
        assert "Hidden" not in response.content.decode()
        if client is as_curator:
            assert rows[draft.slug]["conception"] == "mixed"
    # The comparison API shows a mission as its list row does.
    compared = api.get(f"/api/v1/compare/records/?ids={mission.slug}").json()
    record = compared["records"][0]
    assert [o["name"] for o in record["organisations"]] == ["OSCE", "United Nations"]
    assert [c["name"] for c in record["cases"]] == ["Earlier", "Later"]
    assert record["conception"] == "post_westphalian"


@pytest.mark.parametrize("name", list(factories.RECORD_FACTORIES))
@pytest.mark.parametrize(
    "query",
    ["", "?fields=slug,url,status", "?include=classifications", "?format=csv"],
)
def test_list_rows_are_what_the_list_serializer_writes(api, monkeypatch, name, query):
    """A page's rows are written from the loaded values (api/rows.py): the same bytes
    as DRF's serializer writes, for every type, with sparse fields and includes."""
    from django.core.cache import cache
    from rest_framework.generics import GenericAPIView

    from apps.knowledge.api import views

    mission = factories.MissionFactory(classified="post_westphalian")
    mission.organisations.add(factories.OrganisationFactory())
    mission.cases.add(factories.CaseFactory(), factories.CaseFactory(draft=True))
    for make in factories.RECORD_FACTORIES.values():
        make()
    url = list_url(name, query)
    written = api.get(url)
    if written.status_code == 400:  # `include` is offered by missions and cases only
        assert "include" in written.json()["errors"]
        return
    assert written.status_code == 200, written.content
    cache.clear()
    monkeypatch.setattr(
        views.RecordViewSet, "get_serializer", GenericAPIView.get_serializer
    )
    assert api.get(url).content == written.content


def test_citations_and_classifications_of_drafts_are_hidden(api):
    shown = factories.MissionFactory()
    hidden = factories.MissionFactory(draft=True)
    classifications = api.get("/api/v1/classifications/").json()["results"]
    assert [c["record"]["slug"] for c in classifications] == [shown.slug]
    citations = api.get("/api/v1/citations/").json()["results"]
    records = {c["record"]["slug"] for c in citations}
    assert records == {shown.slug}
    assert hidden.slug not in str(citations)
    hidden_classification = hidden.classifications.get()
    assert (
        api.get(f"/api/v1/classifications/{hidden_classification.pk}/").status_code
        == 404
    )


def test_citation_resource_names_its_record_and_classification(api):
    mission = factories.MissionFactory(slug="unmik", name="UNMIK")
    citations = api.get("/api/v1/citations/?record_type=mission").json()["results"]
    assert len(citations) == 2
    by_claim = {c["claim"]: c for c in citations}
    assert by_claim["summary"]["classification"] is None
    assert by_claim["classification"]["classification"].startswith(
        "http://testserver/api/v1/classifications/"
    )
    for citation in citations:
        assert citation["record"] == {
            "type": "mission",
            "slug": "unmik",
            "name": "UNMIK",
            "url": "http://testserver/api/v1/missions/unmik/",
        }
    detail = api.get(by_claim["summary"]["url"]).json()
    assert detail["locator"] == "512"
    source = by_claim["summary"]["source"]["slug"]
    assert api.get(f"/api/v1/citations/?source={source}").json()["count"] == 1
    assert api.get("/api/v1/citations/?claim=classification").json()["count"] == 1
    assert mission.slug


def test_classification_filters(api):
    factories.MissionFactory(slug="a", classified="westphalian")
    factories.MissionFactory(slug="b", classified="post_westphalian")
    factories.CaseFactory(slug="c", classified="mixed")
    url = "/api/v1/classifications/"
    assert api.get(url).json()["count"] == 3
    assert api.get(url + "?value=mixed,westphalian").json()["count"] == 2
    assert api.get(url + "?record_type=case").json()["count"] == 1
    assert api.get(url + "?mission=b").json()["results"][0]["value"] == (
        "post_westphalian"
    )
    assert api.get(url + "?value=nonsense").status_code == 400


# --------------------------------------------------------------------------- filters


def test_multi_valued_organisation_and_conception_filters(api):
    un = factories.OrganisationFactory(slug="un")
    osce = factories.OrganisationFactory(slug="osce")
    nato = factories.OrganisationFactory(slug="nato")
    a = factories.MissionFactory(slug="a", classified="post_westphalian")
    a.organisations.add(osce)
    b = factories.MissionFactory(slug="b", classified="westphalian")
    b.organisations.add(un, osce)
    c = factories.MissionFactory(slug="c")
    c.organisations.add(nato)
    assert slugs(api.get(list_url("mission", "?organisation=un,osce"))) == {"a", "b"}
    query = "?organisation=osce&conception=post_westphalian"
    assert slugs(api.get(list_url("mission", query))) == {"a"}
    # A mission run by two matching organisations is listed once.
    assert api.get(list_url("mission", "?organisation=un,osce")).json()["count"] == 2


def test_date_range_decade_text_and_ordering(api):
    for slug, year in [("early", 1956), ("middle", 1992), ("late", 1999)]:
        factories.MissionFactory(
            slug=slug, name=slug.title(), start_date=datetime.date(year, 1, 1)
        )
    query = "?started_after=1990-01-01&started_before=1995-12-31"
    assert slugs(api.get(list_url("mission", query))) == {"middle"}
    assert slugs(api.get(list_url("mission", "?decade=1990"))) == {"middle", "late"}
    assert slugs(api.get(list_url("mission", "?q=lat"))) == {"late"}
    ordered = api.get(list_url("mission", "?ordering=-start")).json()["results"]
    assert [row["slug"] for row in ordered] == ["late", "middle", "early"]


def test_invalid_filter_values_are_400_with_field_errors(api):
    response = api.get(list_url("mission", "?conception=nonsense&decade=abc"))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"conception", "decade"}
    bad_date = api.get(list_url("mission", "?started_after=yesterday"))
    assert bad_date.status_code == 400
    assert "started_after" in bad_date.json()["errors"]


def _filter_value(filterset, name, data):
    """A value that the filter accepts and that matches `data`'s records."""
    values = {
        "q": "Mission",
        "conception": "westphalian",
        "organisation": data["organisation"].slug,
        "mission_type": "traditional_peacekeeping",
        "region": "europe",
        "country": "YU",
        "decade": "1990",
        "consent": "all_parties",
        "use_of_force": "self_defence",
        "impartiality": "impartial",
        "legal_basis": "un_chapter_vi",
        "mandate_task": "elections",
        "case": data["case"].slug,
        "norm": data["norm"].slug,
        "document": data["document"].slug,
        "started_after": "1990-01-01",
        "started_before": "2000-12-31",
        "ordering": "-name",
        "conflict_type": "inter_state",
        "kind": {
            "document": "resolution",
            "organisation": "regional",
            "source": "article",
        },
    }
    value = values[name]
    if isinstance(value, dict):
        value = value[filterset._meta.model._meta.model_name]
    return value


@pytest.fixture
def filterable():
    """One record of each type that matches a sensible value of every filter."""
    country = Country.objects.create(code="YU", name="Yugoslavia", region="europe")
    task = factories.MandateTaskFactory()
    organisation = factories.OrganisationFactory()
    norm = factories.NormFactory()
    case = factories.CaseFactory(
        name="Mission-era war", start_date=datetime.date(1991, 6, 1)
    )
    case.countries.add(country)
    case.norms.add(norm)
    mission = factories.MissionFactory(
        start_date=datetime.date(1992, 2, 1),
        traditional_coding=True,
        legal_basis="un_chapter_vi",
    )
    mission.organisations.add(organisation)
    mission.cases.add(case)
    mission.norms.add(norm)
    mission.mandate_tasks.add(task)
    document = factories.DocumentFactory(
        title="Mission mandate", issuer=organisation, date=datetime.date(1992, 2, 21)
    )
    document.norms.add(norm)
    mission.authorised_by.add(document)
    factories.SourceFactory(title="Mission studies", year=1995)
    factories.ConceptFactory(term="Mission creep")
    factories.NormFactory(name="Mission norm")
    factories.OrganisationFactory(name="Mission organisation")
    # Noise that no filter value above should match.
    factories.MissionFactory(name="Other", mission_type="observation")
    return {
        "organisation": organisation,
        "case": case,
        "norm": norm,
        "document": document,
    }


def _filter_cases():
    from apps.knowledge.registry import filtersets

    for model, filterset in filtersets().items():
        for name in filterset.base_filters:
            yield pytest.param(model, filterset, name, id=f"{model.__name__}-{name}")


@pytest.mark.parametrize(("model", "filterset", "name"), list(_filter_cases()))
def test_every_shared_filter_works_on_the_api_as_on_the_filterset(
    api, filterable, model, filterset, name
):
    """Each parameter of each list page's FilterSet, on the API: same records."""
    value = _filter_value(filterset, name, filterable)
    expected = filterset({name: value}, queryset=model.objects.published())
    assert expected.is_valid(), expected.errors
    expected_slugs = [r.slug for r in expected.qs]
    response = api.get(list_url(model._meta.model_name), {name: value})
    got = [row["slug"] for row in response.json()["results"]]
    if name == "ordering":
        assert got == expected_slugs
    else:
        assert set(got) == set(expected_slugs)
        assert got, f"{name}={value} matched nothing: the test data needs a match"


def test_public_list_pages_and_api_take_the_same_parameters(client, api, filterable):
    """Each list page links to its identical API query, and both show the same records."""
    from apps.knowledge.api.views import RecordViewSet
    from apps.knowledge.registry import filtersets

    viewsets = {cls.model: cls for cls in RecordViewSet.__subclasses__()}
    queries = {model: {"q": "Mission"} for model in filtersets()}
    queries[Mission] = {
        "organisation": filterable["organisation"].slug,
        "decade": "1990",
    }
    for model, filterset in filtersets().items():
        # The page's parameters (the API's missions take one more, `document`).
        assert issubclass(viewsets[model].filterset_class, filterset)
        name = model._meta.model_name
        page = client.get(reverse(f"knowledge:{name}-list"), queries[model])
        assert page.status_code == 200
        assert page.context["filterset"].__class__ is filterset
        api_url = page.context["api_url"]
        assert api_url.startswith(reverse(f"api:{name}-list")), api_url
        separator = "&" if "?" in api_url else "?"
        response = api.get(f"{api_url}{separator}page_size=100")
        page_slugs = {
            record.slug for record in page.context["page_obj"].paginator.object_list
        }
        assert {row["slug"] for row in response.json()["results"]} == page_slugs, name
        assert page_slugs, name


# --------------------------------------------------------------------------- pages, fields


def test_pagination_with_count_and_page_size(api):
    factories.NormFactory.create_batch(30)
    first = api.get(list_url("norm")).json()
    assert first["count"] == 30
    assert len(first["results"]) == 25
    assert first["next"].endswith("?page=2")
    assert api.get(list_url("norm"))["Link"] == f'<{first["next"]}>; rel="next"'
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 5
    assert second["previous"]
    big = api.get(list_url("norm", "?page_size=100")).json()
    assert len(big["results"]) == 30
    # Past the bound (or not a number) is a 400 naming the parameter, not a quiet default.
    for wrong in ("1000", "0", "", "ten"):
        refused = api.get(list_url("norm", f"?page_size={wrong}"))
        assert refused.status_code == 400, wrong
        assert "page_size" in refused.json()["errors"]
    small = api.get(list_url("norm", "?page_size=7&page=2")).json()
    assert len(small["results"]) == 7
    assert api.get(list_url("norm", "?page=99")).status_code == 404


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "%EF%BC%91"])
def test_a_page_that_is_not_a_whole_number_from_1_is_a_400(api, page):
    """Bad input, named (as page_size and the search's page are), not "Invalid page."
    as a 404; a page past the end stays a 404."""
    factories.MissionFactory()
    response = api.get(list_url("mission", f"?page={page}"))
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["page"]
    assert api.get(list_url("mission", "?page=1")).status_code == 200
    assert api.get(list_url("mission", "?page=2")).status_code == 404


def test_a_page_number_too_long_for_int_is_past_the_end_not_a_server_error(api):
    """Python's int() refuses more than 4,300 digits; a long number is still a page
    number, past the end (404), as the list pages answer it."""
    factories.MissionFactory()
    response = api.get(list_url("mission", "?page=" + "9" * 5000))
    assert response.status_code == 404


def test_sparse_fields(api):
    mission = factories.MissionFactory()
    rows = api.get(list_url("mission", "?fields=slug,name")).json()["results"]
    assert rows == [{"slug": mission.slug, "name": mission.name}]
    detail = api.get(detail_url("mission", mission.slug) + "?fields=slug,citations")
    assert set(detail.json()) == {"slug", "citations"}
    bad = api.get(list_url("mission", "?fields=slug,nonsense"))
    assert bad.status_code == 400
    assert "nonsense" in bad.json()["errors"]["fields"][0]


@pytest.mark.parametrize("fields", [",", "%20,%20,", "%2C%2C"])
def test_blank_field_names_ask_for_every_field(api, fields):
    """Blank items count for nothing (as the schema's pattern says): `?fields=,` is
    `?fields=`, not rows with no fields (an empty CSV without a Content-Type: a 500)."""
    factories.MissionFactory()
    whole = api.get(list_url("mission")).json()["results"]
    assert api.get(list_url("mission", f"?fields={fields}")).json()["results"] == whole
    empty = api.get(list_url("norm", f"?fields={fields}&format=csv"))
    assert empty.status_code == 200
    assert empty["Content-Type"].startswith("text/csv")
    assert empty.content.startswith(b"url,")  # the header row, with no record


# --------------------------------------------------------------------------- query counts


LIST_QUERY_LIMIT = 12
DETAIL_QUERY_LIMIT = 16


@pytest.mark.parametrize("name", list(factories.RECORD_FACTORIES))
def test_list_queries_do_not_grow_with_rows(api, django_assert_max_num_queries, name):
    factories.RECORD_FACTORIES[name].create_batch(2)
    with django_assert_max_num_queries(LIST_QUERY_LIMIT) as few:
        api.get(list_url(name))
    factories.RECORD_FACTORIES[name].create_batch(20)
    with django_assert_max_num_queries(LIST_QUERY_LIMIT) as many:
        assert api.get(list_url(name)).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize("name", list(factories.RECORD_FACTORIES))
def test_detail_queries_are_bounded(api, django_assert_max_num_queries, name):
    record = factories.RECORD_FACTORIES[name]()
    for _ in range(10):
        factories.CitationFactory(target=record)
    with django_assert_max_num_queries(DETAIL_QUERY_LIMIT):
        assert api.get(detail_url(name, record.slug)).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/citations/", "/api/v1/classifications/"])
def test_link_resources_queries_do_not_grow(api, django_assert_max_num_queries, path):
    factories.MissionFactory.create_batch(2)
    factories.CaseFactory()
    with django_assert_max_num_queries(LIST_QUERY_LIMIT) as few:
        api.get(path)
    factories.MissionFactory.create_batch(10)
    factories.CaseFactory.create_batch(5)
    with django_assert_max_num_queries(LIST_QUERY_LIMIT) as many:
        assert api.get(path).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_mission_detail_queries_do_not_grow_with_relations(
    api, django_assert_max_num_queries
):
    mission = factories.MissionFactory()
    for _ in range(8):
        mission.cases.add(factories.CaseFactory())
        mission.organisations.add(factories.OrganisationFactory())
        factories.CitationFactory(target=mission)
    with django_assert_max_num_queries(DETAIL_QUERY_LIMIT):
        assert api.get(detail_url("mission", mission.slug)).status_code == 200


def _related_records(kind, record, count):
    """`count` published records linked to `record` in every way its detail shows."""
    for _ in range(count):
        if kind == "organisation":
            factories.OrganisationFactory(parent=record)
            factories.MissionFactory().organisations.add(record)
            factories.DocumentFactory(issuer=record)
        elif kind == "mission":
            factories.MissionFactory(predecessor=record)
            record.norms.add(factories.NormFactory())
            record.authorised_by.add(factories.DocumentFactory())
        else:
            factories.ConceptFactory(parent=record)
            record.related_concepts.add(factories.ConceptFactory())


@pytest.mark.parametrize("kind", ["organisation", "mission", "concept"])
def test_detail_queries_do_not_grow_with_related_summaries(
    api, django_assert_max_num_queries, kind
):
    """Summaries load a few columns: none may be fetched again row by row."""
    record = factories.RECORD_FACTORIES[kind]()
    _related_records(kind, record, 1)
    with django_assert_max_num_queries(DETAIL_QUERY_LIMIT) as few:
        assert api.get(detail_url(kind, record.slug)).status_code == 200
    _related_records(kind, record, 5)
    with django_assert_max_num_queries(DETAIL_QUERY_LIMIT) as many:
        response = api.get(detail_url(kind, record.slug))
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


# --------------------------------------------------------------------------- HTTP


def test_conditional_get_with_etag_and_last_modified(api):
    norm = factories.NormFactory()
    url = detail_url("norm", norm.slug)
    first = api.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and etag.endswith('"')
    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    not_modified = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified["ETag"] == etag
    assert not_modified.content == b""
    # A change to the record changes both.
    norm.name = "Renamed"
    norm.save()
    changed = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    # Lists too.
    listing = api.get(list_url("norm"))
    assert api.get(
        list_url("norm"), HTTP_IF_NONE_MATCH=listing["ETag"]
    ).status_code == (304)


def test_etag_names_the_representation_whatever_its_indent(api):
    """The tag of an indented answer is the compact one's (If-Match takes either);
    another format of the same rows has a tag of its own."""
    norm = factories.NormFactory()
    url = detail_url("norm", norm.slug)
    compact = api.get(url)
    indented = api.get(url, HTTP_ACCEPT="application/json; indent=4")
    assert indented.content != compact.content
    assert indented["ETag"] == compact["ETag"]
    revalidated = api.get(
        url,
        HTTP_ACCEPT="application/json; indent=4",
        HTTP_IF_NONE_MATCH=compact["ETag"],
    )
    assert revalidated.status_code == 304
    listing = api.get(list_url("norm"))
    as_csv = api.get(list_url("norm", "?format=csv"))
    assert as_csv.status_code == 200
    assert as_csv["ETag"] != listing["ETag"]
    assert api.get(
        list_url("norm", "?format=csv"), HTTP_IF_NONE_MATCH=as_csv["ETag"]
    ).status_code == (304)


def test_list_last_modified_is_the_latest_change_to_the_type(api):
    """A list's Last-Modified is the latest change to any record of its type, drafts
    too (unpublishing changes a list), or to what its rows show."""
    from django.utils.http import http_date

    moment = datetime.datetime(2031, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)
    factories.MissionFactory()
    draft = factories.MissionFactory(draft=True)
    Mission.objects.filter(pk=draft.pk).update(updated_at=moment)
    listing = api.get(list_url("mission"))
    assert listing.status_code == 200
    assert listing["Last-Modified"] == http_date(moment.timestamp())


def test_list_changes_when_a_record_is_unpublished(api):
    from apps.knowledge import services

    norm = factories.NormFactory()
    factories.NormFactory()
    listing = api.get(list_url("norm"))
    services.record_unpublish(record=norm)
    again = api.get(
        list_url("norm"),
        HTTP_IF_NONE_MATCH=listing["ETag"],
        HTTP_IF_MODIFIED_SINCE=listing["Last-Modified"],
    )
    assert again.status_code == 200
    assert again.json()["count"] == 1


def test_cors_is_open_for_reading(api):
    factories.NormFactory()
    response = api.get(list_url("norm"), HTTP_ORIGIN="https://course.example.edu")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = api.options(
        list_url("norm"),
        HTTP_ORIGIN="https://course.example.edu",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert "POST" not in preflight.get("Access-Control-Allow-Methods", "")
    site = api.get("/", HTTP_ORIGIN="https://course.example.edu")
    assert "Access-Control-Allow-Origin" not in site


def test_anonymous_clients_are_throttled_with_retry_after(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "1000/minute"},
    }
    url = list_url("norm")
    for _ in range(3):
        assert api.get(url).status_code == 200
    response = api.get(url)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["code"] == "throttled"
    assert body["retry_after"] == int(response["Retry-After"])


# --------------------------------------------------------------------------- compare, search


def test_compare_returns_conceptions_and_rows_by_section(api):
    factories.ComparisonRowFactory(slug="consent", name="Consent", order=2)
    factories.ComparisonRowFactory(slug="force", name="Force", order=1)
    factories.ComparisonRowFactory(slug="hidden", draft=True)
    data = api.get("/api/v1/compare/").json()
    assert [c["value"] for c in data["conceptions"]] == [
        "westphalian",
        "post_westphalian",
        "mixed",
    ]
    assert all(c["definition"] for c in data["conceptions"])
    dimension = next(s for s in data["sections"] if s["value"] == "dimension")
    assert [row["slug"] for row in dimension["rows"]] == ["force", "consent"]
    assert dimension["rows"][0]["westphalian"] == "Between states."
    assert dimension["rows"][0]["citations"][0]["locator"] == "512"


def test_compare_records(api):
    factories.MissionFactory(slug="unef-i", host_consent="all_parties")
    factories.MissionFactory(slug="unmik", classified="post_westphalian")
    factories.CaseFactory(slug="suez-crisis")
    factories.MissionFactory(slug="secret", draft=True)
    response = api.get("/api/v1/compare/records/?ids=unef-i,unmik,case:suez-crisis")
    assert response.status_code == 200
    records = response.json()["records"]
    assert [(r["type"], r["slug"]) for r in records] == [
        ("mission", "unef-i"),
        ("mission", "unmik"),
        ("case", "suez-crisis"),
    ]
    assert records[0]["host_consent"] == "all_parties"
    assert records[1]["conception"] == "post_westphalian"
    missing = api.get("/api/v1/compare/records/?ids=unef-i,secret")
    assert missing.status_code == 404
    assert "secret" in missing.json()["detail"]
    assert api.get("/api/v1/compare/records/").status_code == 400
    too_many = ",".join(["unef-i"] * 11)
    assert api.get(f"/api/v1/compare/records/?ids={too_many}").status_code == 400


def test_search(api):
    factories.MissionFactory(slug="unef-i", name="Emergency Force", acronym="UNEF")
    factories.MissionFactory(slug="secret", name="Emergency draft", draft=True)
    factories.NormFactory(slug="consent", name="Consent")
    page = api.get("/api/v1/search/?q=emergency").json()
    assert page["count"] == 1
    hits = page["results"]
    assert [hit["slug"] for hit in hits] == ["unef-i"]
    hit = hits[0]
    assert hit["type"] == "mission"
    assert hit["url"] == "http://testserver/api/v1/missions/unef-i/"
    assert set(hit) >= {"rank", "snippet", "html_url", "name"}
    assert api.get("/api/v1/search/?q=consent&type=mission").json()["results"] == []
    assert api.get("/api/v1/search/?q=").status_code == 400
    assert api.get("/api/v1/search/?q=x&type=nonsense").status_code == 400
    assert api.get("/api/v1/search/?q=x&limit=many").status_code == 400


def test_a_throttle_scope_can_be_switched_off(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "off", "user": "1000/minute"},
    }
    url = list_url("norm")
    assert all(api.get(url).status_code == 200 for _ in range(5))
