"""A small, realistic collection for the browser tests."""

from apps.knowledge.models import Classification
from apps.knowledge.models import Country
from tests import factories


def build_collection():
    source = factories.flynn_farrell_article(
        summary="Argues that the CSCE built norms for a democratic peace in Europe."
    )
    un = factories.united_nations(kind="universal")
    nato = factories.OrganisationFactory(
        slug="nato", name="North Atlantic Treaty Organization", acronym="NATO"
    )
    kosovo = Country.objects.create(code="XK", name="Kosovo", region="europe")
    egypt = Country.objects.create(code="EG", name="Egypt", region="middle_east")
    suez = factories.suez_crisis(
        countries=[egypt],
        **factories.period("1956-10"),
        summary="The 1956 war over the Suez Canal. It led to the first UN force.",
    )
    conflict = factories.CaseFactory(
        slug="kosovo-conflict",
        name="Kosovo conflict",
        countries=[kosovo],
        classified="post_westphalian",
        **factories.period("1998"),
        summary="The war in Kosovo of 1998 and 1999. It ended in an international administration.",
        # Made-up numbers, so that axe checks the "In other datasets" block.
        ucdp_conflict_id="1234",
        wikidata_qid="Q1",
    )
    unef = factories.unef_i(
        organisations=[un],
        cases=[suez],
        traditional_coding=True,
        **factories.period("1956-11", "1967-06"),
        summary="The first armed UN peacekeeping force. It kept Egyptian and Israeli forces apart.",
        cited=False,
    )
    factories.CitationFactory(target=unef, source=source, locator="512")
    factories.CitationFactory(
        target=unef, source=source, claim="host_consent", locator="513"
    )
    unmik = factories.MissionFactory(
        slug="unmik",
        name="United Nations Interim Administration Mission in Kosovo",
        acronym="UNMIK",
        organisations=[un],
        cases=[conflict],
        classified="post_westphalian",
        mission_type="transitional_administration",
        **factories.period("1999-06"),
        summary="The UN administration of Kosovo. It governed the territory from 1999.",
    )
    Classification.objects.create(
        target=unmik,
        value="mixed",
        preferred=False,
        period_start=2008,
        rationale="After 2008 its role shrank to a residual presence.",
    )
    kfor = factories.kfor(
        organisations=[nato],
        cases=[conflict],
        classified="post_westphalian",
        host_consent="contested",
        use_of_force="enforcement",
        legal_basis="un_chapter_vii",
        **factories.period("1999-06"),
        summary="The NATO-led force that entered Kosovo in 1999. It keeps a safe environment.",
    )
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
