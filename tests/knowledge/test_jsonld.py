"""schema.org JSON-LD: each record type says what it is, with the dates it knows to the
precision it knows them, and the same thing in other datasets."""

import datetime

import pytest

from apps.knowledge import jsonld
from apps.knowledge.models import SourceCreator
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_mission_is_an_event_dated_to_the_precision_known():
    mission = factories.MissionFactory(
        name="First UN Emergency Force",
        acronym="UNEF I",
        **factories.period("1956-11", "1967-06-17"),
        wikidata_qid="Q1065",
    )
    item = jsonld.for_record(mission, "https://kb.example.org/m/")["mainEntity"]
    assert item["@type"] == "Event"
    assert (item["startDate"], item["endDate"]) == ("1956-11", "1967-06-17")
    assert item["alternateName"] == "UNEF I"
    assert item["sameAs"] == "https://www.wikidata.org/wiki/Q1065"


def test_a_document_a_norm_and_an_organisation():
    document = factories.DocumentFactory(
        symbol="S/RES/146 (1960)",
        date=datetime.date(1960, 8, 9),
        date_precision="year",
    )
    item = jsonld.for_record(document, "https://kb.example.org/d/")["mainEntity"]
    assert item["@type"] == "Legislation"
    assert (item["legislationIdentifier"], item["legislationDate"]) == (
        "S/RES/146 (1960)",
        "1960",
    )
    norm = jsonld.for_record(factories.NormFactory(), "u")["mainEntity"]
    assert norm["@type"] == "DefinedTerm"
    assert "inDefinedTermSet" in norm
    organisation = factories.OrganisationFactory(acronym="OSCE")
    item = jsonld.for_record(organisation, "u")["mainEntity"]
    assert (item["@type"], item["alternateName"]) == ("Organization", "OSCE")
    assert "startDate" not in item


def test_a_source_names_its_authors_and_lists_its_doi_first():
    source = factories.SourceFactory(
        kind="article",
        container_title="International Organization",
        year=1999,
        doi="10.1162/002081899550977",
        wikidata_qid="Q42",
    )
    SourceCreator.objects.create(source=source, family="Flynn", given="Gregory")
    page = jsonld.for_record(source, "https://kb.example.org/s/")
    item = page["mainEntity"]
    assert item["@type"] == "ScholarlyArticle"
    assert item["author"] == [
        {"@type": "Person", "familyName": "Flynn", "givenName": "Gregory"}
    ]
    assert item["datePublished"] == "1999"
    assert item["isPartOf"]["name"] == "International Organization"
    assert item["sameAs"] == [
        "https://doi.org/10.1162/002081899550977",
        "https://www.wikidata.org/wiki/Q42",
    ]
    assert page["url"] == "https://kb.example.org/s/"
