"""The visibility matrix: drafts, records in review and archived records appear nowhere
public: not as pages, in lists, counts, facets, related lists, search, sitemap or
comparisons."""

import datetime

import pytest
from django.urls import reverse

from apps.knowledge.models import Classification
from apps.knowledge.models import SourceCreator
from tests import factories

pytestmark = pytest.mark.django_db

HIDDEN = ["draft", "in_review", "archived"]


def _named(model_name, status):
    """A record whose every name field says HIDDENRECORD."""
    fields = {
        "mission": {"name": "HIDDENRECORD mission", "acronym": "HIDDENRECORD"},
        "case": {"name": "HIDDENRECORD case"},
        "norm": {"name": "HIDDENRECORD norm"},
        "document": {"title": "HIDDENRECORD document"},
        "organisation": {"name": "HIDDENRECORD org", "acronym": "HIDDENRECORD"},
        "concept": {"term": "HIDDENRECORD concept"},
        "source": {"title": "HIDDENRECORD source"},
    }[model_name]
    return factories.PAGE_FACTORIES[model_name](
        status=status, summary="HIDDENRECORD summary text.", **fields
    )


@pytest.mark.parametrize("model_name", list(factories.PAGE_FACTORIES))
@pytest.mark.parametrize("status", HIDDEN)
def test_unpublished_records_are_404_and_absent_from_lists(client, model_name, status):
    hidden = _named(model_name, status)
    shown = factories.PAGE_FACTORIES[model_name]()
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(shown.get_absolute_url()).status_code == 200
    listing = client.get(reverse(f"knowledge:{model_name}-list"))
    assert shown.get_absolute_url() in listing.content.decode()
    assert "HIDDENRECORD" not in listing.content.decode()
    assert listing.context["paginator"].count == 1
    ext_url = reverse("knowledge:cite", args=[model_name, hidden.slug, "bib"])
    assert client.get(ext_url).status_code == 404


@pytest.mark.parametrize("model_name", list(factories.PAGE_FACTORIES))
@pytest.mark.parametrize("status", HIDDEN)
def test_unpublished_records_absent_from_search_sitemap_and_home(
    client, model_name, status
):
    hidden = _named(model_name, status)
    search = client.get("/search/?q=HIDDENRECORD").content.decode()
    assert hidden.get_absolute_url() not in search
    assert "Nothing found" in search
    assert hidden.get_absolute_url() not in client.get("/sitemap.xml").content.decode()
    home = client.get("/")
    assert "HIDDENRECORD" not in home.content.decode()
    counts = {label: count for label, count, _ in home.context["view"].counts}
    label = "glossary terms" if model_name == "concept" else f"{model_name}s"
    assert counts[label] == 0


@pytest.mark.parametrize("status", HIDDEN)
def test_unpublished_relations_never_show_on_published_pages(client, status):
    mission = factories.MissionFactory(name="Visible mission")
    case = factories.CaseFactory(name="Visible case")
    mission.cases.add(case)
    org = factories.OrganisationFactory(name="Visible org")
    mission.organisations.add(org)
    document = factories.DocumentFactory(title="Visible document", issuer=org)
    norm = factories.NormFactory(name="Visible norm")
    concept = factories.ConceptFactory(term="Visible concept")

    hidden_mission = _named("mission", status)
    hidden_case = _named("case", status)
    hidden_org = _named("organisation", status)
    hidden_document = _named("document", status)
    hidden_norm = _named("norm", status)
    hidden_concept = _named("concept", status)

    mission.cases.add(hidden_case)
    mission.organisations.add(hidden_org)
    mission.authorised_by.add(hidden_document)
    mission.norms.add(hidden_norm)
    mission.lead_state = hidden_org
    mission.authorising_body = hidden_org
    mission.legal_basis = "un_chapter_vi"
    mission.predecessor = hidden_mission
    mission.save()
    case.missions.add(hidden_mission)
    case.norms.add(hidden_norm)
    org.children.add(hidden_org)
    org.missions.add(hidden_mission)
    document.norms.add(hidden_norm)
    document.authorised_missions.add(hidden_mission)
    norm.related.add(hidden_norm)
    norm.missions.add(hidden_mission)
    concept.related_concepts.add(hidden_concept)
    concept.missions.add(hidden_mission)
    hidden_concept.missions.add(mission)

    for record in (mission, case, org, document, norm, concept):
        response = client.get(record.get_absolute_url())
        assert response.status_code == 200
        assert "HIDDENRECORD" not in response.content.decode(), record


@pytest.mark.parametrize("status", HIDDEN)
def test_unpublished_sources_are_never_cited_or_counted(client, status):
    hidden_source = _named("source", status)
    mission = factories.MissionFactory()
    factories.CitationFactory(target=mission, source=hidden_source, locator="530")
    content = client.get(mission.get_absolute_url()).content.decode()
    assert "HIDDENRECORD" not in content
    about = client.get(reverse("knowledge:about"))
    assert about.context["totals"]["citations"] == 2  # summary + classification


@pytest.mark.parametrize("status", HIDDEN)
def test_unpublished_records_absent_from_comparisons_timeline_and_facets(
    client, status
):
    un = factories.OrganisationFactory(slug="un")
    shown = factories.MissionFactory(slug="shown", start_date=datetime.date(1990, 1, 1))
    shown.organisations.add(un)
    other = factories.MissionFactory(slug="other")
    hidden = _named("mission", status)
    hidden.start_date = datetime.date(1960, 1, 1)
    hidden.host_consent = "none"
    hidden.save()
    hidden.organisations.add(un)
    row = factories.ComparisonRowFactory(name="HIDDENRECORD row", status=status)
    assert row.pk

    compare = client.get(f"/compare/missions/?ids=shown,{hidden.slug},other")
    assert compare.context["records"] == [shown, other]
    assert compare.context["missing"] == [hidden.slug]
    assert "HIDDENRECORD mission" not in compare.content.decode()

    page = client.get(reverse("knowledge:compare")).content.decode()
    assert "HIDDENRECORD" not in page

    timeline = client.get(reverse("knowledge:timeline")).content.decode()
    assert "HIDDENRECORD" not in timeline

    listing = client.get("/missions/")
    facets = {group.param: group for group in listing.context["facets"]}
    assert {v.value: v.count for v in facets["organisation"].values} == {"un": 1}
    assert "1960" not in {v.value for v in facets["decade"].values}
    assert "consent" not in facets  # only the hidden mission was coded

    about = client.get(reverse("knowledge:about")).content.decode()
    assert "?consent=none" not in about


@pytest.mark.parametrize("status", HIDDEN)
def test_list_rows_never_name_unpublished_relations(client, status):
    """A list row names only published organisations and issuers, and an author's
    classification whose cited source is hidden names neither the source nor its
    authors."""
    mission = factories.MissionFactory(name="Visible mission", classified=False)
    mission.organisations.add(
        factories.OrganisationFactory(name="Visible org"),
        _named("organisation", status),
    )
    hidden_source = _named("source", status)
    SourceCreator.objects.create(
        source=hidden_source, role="author", family="HIDDENRECORD", position=0
    )
    classification = Classification.objects.create(
        target=mission, value="westphalian", basis="author", preferred=True
    )
    factories.CitationFactory(
        target=classification, source=hidden_source, claim="classification"
    )
    factories.DocumentFactory(
        title="Visible document", issuer=_named("organisation", status)
    )

    missions = client.get("/missions/").content.decode()
    assert "Visible mission" in missions and "Visible org" in missions
    assert "The cited author&#x27;s classification" in missions
    documents = client.get("/documents/").content.decode()
    assert "Visible document" in documents
    for page in (missions, documents):
        assert "HIDDENRECORD" not in page
