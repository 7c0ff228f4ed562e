"""A small, realistic collection for the browser tests."""

import datetime

from apps.knowledge.models import Classification, Country
from tests import factories


def build_collection():
    source = factories.SourceFactory(
        slug="flynn-farrell-1999",
        title="Piecing Together the Democratic Peace",
        container_title="International Organization",
        volume="53",
        issue="3",
        summary="Argues that the CSCE built norms for a democratic peace in Europe.",
    )
    source.creators.create(family="Flynn", given="Gregory", position=0)
    source.creators.create(family="Farrell", given="Henry", position=1)
    un = factories.OrganisationFactory(
        slug="un", name="United Nations", acronym="UN", kind="universal"
    )
    nato = factories.OrganisationFactory(
        slug="nato", name="North Atlantic Treaty Organization", acronym="NATO"
    )
    kosovo = Country.objects.create(code="XK", name="Kosovo", region="europe")
    egypt = Country.objects.create(code="EG", name="Egypt", region="middle_east")
    suez = factories.CaseFactory(
        slug="suez-crisis",
        name="Suez Crisis",
        start_date=datetime.date(1956, 10, 1),
        start_precision="month",
        summary="The 1956 war over the Suez Canal. It led to the first UN force.",
    )
    suez.countries.add(egypt)
    conflict = factories.CaseFactory(
        slug="kosovo-conflict",
        name="Kosovo conflict",
        classified="post_westphalian",
        start_date=datetime.date(1998, 1, 1),
        start_precision="year",
        summary="The war in Kosovo of 1998 and 1999. It ended in an international administration.",
        # Made-up numbers, so that axe checks the "In other datasets" block.
        ucdp_conflict_id="1234",
        wikidata_qid="Q1",
    )
    conflict.countries.add(kosovo)
    unef = factories.MissionFactory(
        slug="unef-i",
        name="First United Nations Emergency Force",
        acronym="UNEF I",
        start_date=datetime.date(1956, 11, 1),
        start_precision="month",
        end_date=datetime.date(1967, 6, 1),
        end_precision="month",
        host_consent="all_parties",
        use_of_force="self_defence",
        impartiality="impartial",
        legal_basis="un_general_assembly",
        summary="The first armed UN peacekeeping force. It kept Egyptian and Israeli forces apart.",
        cited=False,
    )
    factories.CitationFactory(target=unef, source=source, locator="512")
    factories.CitationFactory(
        target=unef, source=source, claim="host_consent", locator="513"
    )
    unef.organisations.add(un)
    unef.cases.add(suez)
    kfor = factories.MissionFactory(
        slug="kfor",
        name="Kosovo Force",
        acronym="KFOR",
        classified="post_westphalian",
        start_date=datetime.date(1999, 6, 1),
        start_precision="month",
        host_consent="contested",
        use_of_force="enforcement",
        legal_basis="un_chapter_vii",
        summary="The NATO-led force that entered Kosovo in 1999. It keeps a safe environment.",
    )
    kfor.organisations.add(nato)
    kfor.cases.add(conflict)
    unmik = factories.MissionFactory(
        slug="unmik",
        name="United Nations Interim Administration Mission in Kosovo",
        acronym="UNMIK",
        classified="post_westphalian",
        mission_type="transitional_administration",
        start_date=datetime.date(1999, 6, 1),
        start_precision="month",
        summary="The UN administration of Kosovo. It governed the territory from 1999.",
    )
    Classification.objects.create(
        target=unmik,
        value="mixed",
        preferred=False,
        period_start=2008,
        rationale="After 2008 its role shrank to a residual presence.",
    )
    unmik.organisations.add(un)
    unmik.cases.add(conflict)
    factories.NormFactory(
        slug="consent", name="Consent of the parties", summary="The parties agree."
    )
    factories.ConceptFactory(
        slug="liberal-peace", term="Liberal peace", summary="Peace among democracies."
    )
    factories.ComparisonRowFactory(
        slug="consent",
        name="Consent of the host",
        summary="Whether the host must agree.",
        westphalian="Consent is required.",
        post_westphalian="Consent may be overridden.",
    )
    return {"unef": unef, "kfor": kfor, "unmik": unmik, "source": source}
