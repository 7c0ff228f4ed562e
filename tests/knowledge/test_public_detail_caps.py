"""Detail pages list at most RELATED_LIMIT related records per relation, and say how
many there are: published ones only, in the list and in the count."""

import datetime
import re

import pytest

from apps.knowledge import limits
from apps.knowledge.models import Mission
from tests import factories

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def small_limit(monkeypatch):
    monkeypatch.setattr(limits, "RELATED_LIMIT", LIMIT)


def _group(response, heading):
    return next(
        g for g in response.context["related_groups"] if g["heading"] == heading
    )


def test_a_long_related_list_is_cut_and_counted_without_drafts(client):
    un = factories.OrganisationFactory(slug="un")
    for n in range(5):
        factories.MissionFactory(name=f"Published mission {n}").organisations.add(un)
    for n in range(2):
        factories.MissionFactory(
            name=f"Draft mission {n}", draft=True
        ).organisations.add(un)
    response = client.get(un.get_absolute_url())
    group = _group(response, "Missions it ran")
    assert len(group["items"]) == LIMIT
    assert group["total"] == 5
    content = response.content.decode()
    assert "Showing 3 of 5" in content
    assert 'href="/missions/?organisation=un"' in content
    assert "Draft mission" not in content
    # The list it links to shows the same five.
    assert client.get("/missions/?organisation=un").context["paginator"].count == 5


def test_a_documents_cut_list_of_missions_links_to_exactly_those_missions(client):
    document = factories.DocumentFactory(slug="resolution-x")
    authorised = [factories.MissionFactory(name=f"Authorised {n}") for n in range(5)]
    for mission in authorised:
        mission.authorised_by.add(document)
    factories.MissionFactory(name="Draft authorised", draft=True).authorised_by.add(
        document
    )
    factories.MissionFactory(name="Not authorised by it")
    content = client.get(document.get_absolute_url()).content.decode()
    assert "Showing 3 of 5" in content
    assert 'href="/missions/?document=resolution-x"' in content
    # The page it links to lists the five, as the API's `authorised_missions_url` does.
    listed = client.get("/missions/?document=resolution-x").context["page_obj"]
    assert sorted(m.name for m in listed) == [m.name for m in authorised]


def test_a_list_at_the_limit_is_not_cut(client):
    norm = factories.NormFactory()
    for _ in range(LIMIT):
        factories.MissionFactory().norms.add(norm)
    factories.MissionFactory(draft=True).norms.add(norm)
    response = client.get(norm.get_absolute_url())
    group = _group(response, "Missions that invoke it")
    assert (len(group["items"]), group["total"]) == (LIMIT, LIMIT)
    assert "Showing" not in response.content.decode()


def test_a_cut_list_without_a_list_filter_says_so_without_a_link(client):
    concept = factories.ConceptFactory()
    for _ in range(4):
        factories.ConceptFactory(parent=concept)
    content = client.get(concept.get_absolute_url()).content.decode()
    assert "Showing 3 of 4</p>" in content
    assert "see all" not in content


def test_a_missions_coded_organisations_stay_published_only(client):
    mission = factories.MissionFactory()
    mission.organisations.add(
        factories.OrganisationFactory(name="Public body"),
        factories.OrganisationFactory(name="Secret body", draft=True),
    )
    content = client.get(mission.get_absolute_url()).content.decode()
    assert "Public body" in content
    assert "Secret body" not in content


def test_a_mission_with_only_draft_organisations_has_no_organisations_row(client):
    mission = factories.MissionFactory()
    mission.organisations.add(factories.OrganisationFactory(draft=True))
    response = client.get(mission.get_absolute_url())
    keys = [row["dimension"].key for row in response.context["coded_rows"]]
    assert "organisations" not in keys


def test_a_source_lists_the_first_citing_records_of_each_type_and_counts_them(client):
    source = factories.SourceFactory()
    direct = [
        factories.MissionFactory(name=f"Direct {n}", cited=False) for n in range(3)
    ]
    for mission in direct:
        factories.CitationFactory(target=mission, source=source, locator="11")
    classified = factories.MissionFactory(name="Via classification", cited=False)
    factories.CitationFactory(
        target=classified.classifications.get(), source=source, locator="12"
    )
    factories.CitationFactory(target=direct[0], source=source, locator="13")
    draft = factories.MissionFactory(name="Draft citing", draft=True)
    factories.CitationFactory(target=draft, source=source)
    norm = factories.NormFactory(name="Citing norm")
    factories.CitationFactory(target=norm, source=source, locator="14")

    response = client.get(source.get_absolute_url())
    missions, norms = response.context["citing"]
    assert missions["heading"] == "Missions"
    assert missions["total"] == 4
    assert len(missions["entries"]) == LIMIT
    assert [e["record"].name for e in norms["entries"]] == ["Citing norm"]
    assert norms["total"] == 1
    by_name = {e["record"].name: e for e in missions["entries"]}
    assert [c.locator for c in by_name["Direct 0"]["citations"]] == ["11", "13"]
    content = response.content.decode()
    assert "Showing 3 of 4 missions." in content
    assert "Draft citing" not in content


def test_a_classification_citation_reaches_its_record(client, monkeypatch):
    monkeypatch.setattr(limits, "RELATED_LIMIT", 10)
    source = factories.SourceFactory()
    mission = factories.MissionFactory(name="Via classification", cited=False)
    factories.CitationFactory(target=mission, source=source, locator="1")
    factories.CitationFactory(
        target=mission.classifications.get(), source=source, locator="2"
    )
    (missions,) = client.get(source.get_absolute_url()).context["citing"]
    (entry,) = missions["entries"]
    assert [c.locator for c in entry["citations"]] == ["1", "2"]


@pytest.mark.parametrize(
    ("model_name", "grow"),
    [
        ("organisation", lambda org: factories.MissionFactory().organisations.add(org)),
        ("norm", lambda norm: factories.CaseFactory().norms.add(norm)),
        ("document", lambda doc: factories.MissionFactory().authorised_by.add(doc)),
        ("concept", lambda concept: factories.ConceptFactory(parent=concept)),
        (
            "source",
            lambda source: factories.CitationFactory(
                target=factories.MissionFactory(), source=source
            ),
        ),
    ],
)
def test_detail_query_count_stays_flat_past_the_limit(
    client, django_assert_max_num_queries, model_name, grow
):
    record = {
        "organisation": factories.OrganisationFactory,
        "norm": factories.NormFactory,
        "document": factories.DocumentFactory,
        "concept": factories.ConceptFactory,
        "source": factories.SourceFactory,
    }[model_name]()
    grow(record)
    url = record.get_absolute_url()
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    for _ in range(4 * LIMIT):
        grow(record)
    # One more query for the count of the list that is now cut, no more.
    with django_assert_max_num_queries(len(few.captured_queries) + 1):
        response = client.get(url)
    assert "Showing 3 of 13" in response.content.decode()


def test_cited_sources_creators_are_fetched_once_for_the_whole_page(
    client, django_assert_max_num_queries
):
    mission = factories.MissionFactory()
    classification = mission.classifications.get()
    for n in range(4):
        source = factories.SourceFactory()
        source.creators.create(role="author", family=f"Author{n}", position=0)
        factories.CitationFactory(target=mission, source=source)
        factories.CitationFactory(target=classification, source=source)
    # The mission, its citations, classifications and theirs, one query for every
    # cited source's creators, mandate tasks, six related lists, the compare menu,
    # and (on a cold cache) the acronyms that prose links to.
    with django_assert_max_num_queries(14):
        content = client.get(mission.get_absolute_url()).content.decode()
    assert all(f"Author{n}" in content for n in range(4))


def test_each_related_list_keeps_its_own_order_names_and_periods(client):
    """The lists of a page come in one query: each still shows its records in their
    type's order, by their names, with their periods, and the first LIMIT of each."""
    concept = factories.ConceptFactory()
    for year, name in [(1999, "Later"), (1956, "Earlier"), (1978, "Middle")]:
        factories.MissionFactory(
            name=name,
            acronym=name[:3].upper(),
            start_date=datetime.date(year, 1, 1),
            start_precision="year",
            end_date=None,
            not_established={"end": "No document gives it."},
        ).concepts.add(concept)
    factories.MissionFactory(
        name="Latest", start_date=datetime.date(2004, 1, 1)
    ).concepts.add(concept)
    for name in ["Zeta", "Alpha"]:
        factories.NormFactory(name=name).concepts.add(concept)
    document = factories.DocumentFactory(title="A resolution", short_title="Res.")
    document.concepts.add(concept)
    response = client.get(concept.get_absolute_url())
    missions = _group(response, "Missions")
    assert [str(m) for m in missions["items"]] == [
        "EAR: Earlier",
        "MID: Middle",
        "LAT: Later",
    ]
    assert missions["total"] == 4
    earlier = missions["items"][0]
    assert "end not established" in earlier.dates_display
    assert earlier.dates_display == Mission.objects.get(name="Earlier").dates_display
    assert [str(n) for n in _group(response, "Norms")["items"]] == ["Alpha", "Zeta"]
    assert [str(d) for d in _group(response, "Documents")["items"]] == ["Res."]
    content = response.content.decode()
    assert f'href="{document.get_absolute_url()}">Res.</a>' in content


def test_a_citing_record_names_each_place_once_in_page_order(client):
    # Flynn and Farrell's page listed "p. 521 (mandate tasks)" twice and its pages in
    # the order the citations were entered.
    source = factories.SourceFactory()
    mission = factories.MissionFactory(name="HCNM engagement", cited=False)
    for locator, claim in [
        ("522", "host_consent"),
        ("507", "summary"),
        ("521", "mandate_tasks"),
        ("521", "mandate_tasks"),
        ("507", "organisations"),
    ]:
        factories.CitationFactory(
            target=mission, source=source, locator=locator, claim=claim
        )
    content = re.sub(
        r"<[^>]+>", "", client.get(source.get_absolute_url()).content.decode()
    )
    assert (
        "HCNM engagement: p. 507 (summary, organisations); p. 521 (mandate tasks); "
        "p. 522 (host consent)"
    ) in content


def test_westphalian_keeps_its_capital_where_claims_run_in_a_sentence(client):
    # "Supports: post-westphalian view" lowered a proper adjective.
    source = factories.SourceFactory()
    norm = factories.NormFactory(name="Sovereignty")
    factories.CitationFactory(target=norm, source=source, claim="definition")
    factories.CitationFactory(
        target=norm, source=source, locator="525", claim="post_westphalian"
    )
    factories.CitationFactory(
        target=norm, source=source, locator="527", claim="westphalian"
    )
    page = re.sub(r"<[^>]+>", "", client.get(norm.get_absolute_url()).content.decode())
    assert "Supports: post-Westphalian view." in page
    assert "Supports: Westphalian view." in page
    assert "westphalian view" not in page
    cited = re.sub(
        r"<[^>]+>", "", client.get(source.get_absolute_url()).content.decode()
    )
    assert "p. 525 (post-Westphalian view); p. 527 (Westphalian view)" in cited


def test_a_coded_value_without_a_source_note_says_so(client):
    # UNTAC's mission type printed bare beside cited values, on a page that says
    # "every value carries its source note".
    mission = factories.MissionFactory(
        slug="untac", mission_type="traditional_peacekeeping", host_consent="none"
    )
    factories.CitationFactory(target=mission, claim="host_consent")
    other = factories.MissionFactory(slug="unef-i", host_consent="none")
    factories.CitationFactory(target=other, claim="mission_type")
    factories.CitationFactory(target=other, claim="host_consent")

    def rows(url):
        page = client.get(url).content.decode()
        return {
            th: re.sub(r"<[^>]+>", "", td)
            for th, td in re.findall(
                r'<th scope="row">([^<]*)</th>\s*(.*?)</tr>', page, re.S
            )
        }

    detail = rows("/missions/untac/")
    assert "(no source note)" in detail["Mission type"]
    assert "(no source note)" not in detail["Host consent"]
    compared = rows("/compare/missions/?ids=untac,unef-i")
    assert compared["Mission type"].count("(no source note)") == 1
    # UNTAC's cell, the first: before UNEF I's value.
    first, second = compared["Mission type"].split("Traditional peacekeeping")[1:]
    assert "(no source note)" in first and "(no source note)" not in second
    assert "(no source note)" not in compared["Host consent"]
