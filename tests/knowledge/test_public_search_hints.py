"""Search questions that the missions list answers: "UN missions in the 1990s"."""

import datetime
import re

import pytest

from apps.knowledge.models import Country
from tests import factories

pytestmark = pytest.mark.django_db


def hint(client, query):
    """The search page's pointer to the missions list: (link text, address, wording)."""
    content = client.get("/search/", {"q": query}).content.decode()
    found = re.search(
        r'<p class="browse-hint">(On the missions list: )<a href="([^"]+)">([^<]+)</a>'
        r"(.*?)</p>",
        content,
    )
    if not found:
        return None
    return found[3], found[2].replace("&amp;", "&"), found[1] + found[3] + found[4]


@pytest.fixture
def missions():
    un = factories.OrganisationFactory(slug="un", acronym="UN", name="United Nations")
    osce = factories.OrganisationFactory(slug="osce", acronym="OSCE")
    sierra_leone = Country.objects.create(
        code="SL", name="Sierra Leone", region="africa"
    )
    african_case = factories.CaseFactory()
    african_case.countries.add(sierra_leone)
    in_africa = factories.MissionFactory(
        name="An African force",
        legal_basis="un_chapter_vii",
        start_date=datetime.date(1999, 10, 1),
        classified="mixed",
    )
    in_africa.cases.add(african_case)
    in_africa.organisations.add(un)
    factories.MissionFactory(
        start_date=datetime.date(1956, 11, 1), legal_basis="un_general_assembly"
    ).organisations.add(un)
    factories.MissionFactory(
        start_date=datetime.date(1993, 2, 1), classified="post_westphalian"
    ).organisations.add(osce)
    factories.MissionFactory(draft=True, start_date=datetime.date(1995, 1, 1))
    return in_africa


def test_a_question_in_list_terms_leads_to_the_filtered_missions_list(client, missions):
    # Full-text search finds no record with these words; the list answers exactly.
    text, url, wording = hint(client, "missions in Africa under Chapter 7")
    assert text == "1 mission"
    assert url == "/missions/?region=africa&legal_basis=un_chapter_vii"
    assert "region: Africa" in wording and "Chapter VII" in wording
    listed = client.get(url).context["object_list"]
    assert list(listed) == [missions]


def test_acronyms_and_decades_name_the_organisation_and_decade_facets(client, missions):
    text, url, _ = hint(client, "UN missions in the 1990s")
    assert (text, url) == ("1 mission", "/missions/?organisation=un&decade=1990")
    # The OSCE was the CSCE until 1994: one record, found by either name.
    text, url, _ = hint(client, "csce missions")
    assert (text, url) == ("1 mission", "/missions/?organisation=osce")
    text, url, _ = hint(client, "un missions")
    assert text == "2 missions"  # the draft is never counted


def test_post_westphalian_is_not_read_as_westphalian(client, missions):
    assert hint(client, "post-Westphalian missions")[1] == (
        "/missions/?conception=post_westphalian"
    )
    assert hint(client, "Westphalian peacekeeping")[1] == (
        "/missions/?conception=westphalian"
    )


def test_no_pointer_without_a_facet_word_or_without_missions_to_show(client, missions):
    assert hint(client, "sovereignty") is None
    assert hint(client, "what did the us do") is None  # "us" is a word, "US" an acronym
    assert hint(client, "1995") is None  # a year is not a decade
    assert hint(client, "missions in Asia") is None  # none published there


def test_facet_counts_are_read_aloud_in_the_singular_for_one(client, missions):
    content = client.get("/missions/").content.decode()
    assert '<span class="n">1<span class="visually-hidden"> record</span>' in content
    assert '<span class="n">2<span class="visually-hidden"> records</span>' in content


def test_a_mission_acronym_in_a_question_leads_to_its_page(client):
    untac = factories.MissionFactory(acronym="UNTAC", summary="In Cambodia.")
    factories.MissionFactory(acronym="UNEF II", slug="unef-ii", summary="Sinai.")
    factories.MissionFactory(acronym="UNEF I", slug="unef-i", summary="Suez.")
    factories.MissionFactory(acronym="HIDDEN", draft=True)

    def named(query):
        content = client.get("/search/", {"q": query}).content.decode()
        line = re.search(r"Mission pages? named in your search: (.*?)\.</p>", content)
        return re.findall(r'<a href="([^"]+)">', line[1]) if line else []

    # Full-text search finds nothing for the whole question; the page is one click away.
    assert named("who classified untac") == [untac.get_absolute_url()]
    assert named("unef ii withdrawal") == ["/missions/unef-ii/"]  # not also UNEF I
    assert named("hidden mandate") == []  # drafts are never named
    assert named("UNTAC") == []  # already the first result
    compared = client.get("/search/", {"q": "how did untac differ from unef i"})
    assert 'href="/compare/missions/?ids=unef-i,' in compared.content.decode()


def test_the_hint_counts_follow_publishing_at_once(
    client, missions, django_capture_on_commit_callbacks
):
    # The count is cached; a publish or an unpublish must reach it on the next search
    # (the cached versions move when the change commits).
    assert hint(client, "UN missions in the 1990s")[0] == "1 mission"
    with django_capture_on_commit_callbacks(execute=True):
        another = factories.MissionFactory(start_date=datetime.date(1995, 3, 1))
        another.organisations.add(missions.organisations.get())
    assert hint(client, "UN missions in the 1990s")[0] == "2 missions"
    with django_capture_on_commit_callbacks(execute=True):
        another.status = "draft"
        another.save()
    assert hint(client, "UN missions in the 1990s")[0] == "1 mission"


def named_in(client, query):
    content = client.get("/search/", {"q": query}).content.decode()
    line = re.search(r"Mission pages? named in your search: (.*?)\.</p>", content)
    return re.findall(r'<a href="([^"]+)">', line[1]) if line else []


def test_acronyms_published_or_withdrawn_count_on_the_next_search(
    client, missions, django_capture_on_commit_callbacks
):
    # Both acronym tables are cached together; a change to either reaches the next search.
    assert hint(client, "NATO missions") is None
    assert named_in(client, "unmik mandate") == []
    with django_capture_on_commit_callbacks(execute=True):
        nato = factories.OrganisationFactory(slug="nato", acronym="NATO")
        unmik = factories.MissionFactory(acronym="UNMIK", slug="unmik")
        unmik.organisations.add(nato)
    assert hint(client, "NATO missions")[:2] == (
        "1 mission",
        "/missions/?organisation=nato",
    )
    assert named_in(client, "unmik mandate") == ["/missions/unmik/"]
    with django_capture_on_commit_callbacks(execute=True):
        unmik.status = "draft"
        unmik.save()
    assert named_in(client, "unmik mandate") == []
    assert hint(client, "NATO missions") is None


class CountedCache:
    """The cache, with the name of each call made through it."""

    def __init__(self, real):
        self.real = real
        self.calls = []

    def __getattr__(self, name):
        def call(*args, **kwargs):
            self.calls.append(name)
            return getattr(self.real, name)(*args, **kwargs)

        return call


def test_the_hints_cost_one_round_trip_to_the_cache(missions, monkeypatch):
    # Every search asks for them: the tables and their versions are read together.
    from django.core.cache import cache

    from apps.core import versions
    from apps.knowledge import autolink
    from apps.knowledge.views import search_hints as module

    module.search_hints("kosovo", shown=set())  # cached from now on
    counted = CountedCache(cache)
    for reader in (module, versions, autolink):
        monkeypatch.setattr(reader, "cache", counted)
    assert module.search_hints("kosovo", shown=set()) == ([], None, [])
    assert counted.calls == ["get_many"]


def test_a_hint_count_reads_the_versions_once(missions, monkeypatch):
    """A query that names facets: the tables and their versions in one round trip,
    then the count under those versions (`versions.stamp` of what was read)."""
    from django.core.cache import cache

    from apps.core import versions
    from apps.knowledge import autolink
    from apps.knowledge.views import search_hints as module

    first = module.search_hints("African missions in the 1990s", shown=set())
    assert first[1] is not None
    counted = CountedCache(cache)
    for reader in (module, versions, autolink):
        monkeypatch.setattr(reader, "cache", counted)
    assert module.search_hints("African missions in the 1990s", shown=set()) == first
    assert counted.calls == ["get_many", "get"]


def test_a_stamp_of_versions_already_read_fetches_nothing(monkeypatch):
    from django.core.cache import cache

    from apps.core import versions

    names = ["rows:mission", "vocabulary", "rows:case"]
    read = versions.read(names)
    counted = CountedCache(cache)
    monkeypatch.setattr(versions, "cache", counted)
    assert versions.stamp(names, read) == ".".join(str(read[n]) for n in names)
    assert versions.stamp([*names, "vocabulary"], read) == versions.stamp(names, read)
    assert counted.calls == []
    assert versions.stamp(names) == versions.stamp(names, read)
    assert counted.calls == ["get_many"]


@pytest.mark.parametrize("query", ["missions in Europe", "European missions"])
def test_europe_and_european_name_the_region(client, query):
    estonia = Country.objects.create(code="EE", name="Estonia", region="europe")
    case = factories.CaseFactory()
    case.countries.add(estonia)
    factories.MissionFactory().cases.add(case)
    text, url, wording = hint(client, query)
    assert (text, url) == ("1 mission", "/missions/?region=europe")
    assert "region: Europe" in wording


def test_a_mission_without_consent_or_running_elections_names_those_facets(client):
    # "Which missions were deployed without host consent?", "missions in Africa that
    # ran elections": the host consent and mandate task facets answer them.
    elections = factories.MandateTaskFactory(name="Organising or supervising elections")
    sierra_leone = Country.objects.create(
        code="SL", name="Sierra Leone", region="africa"
    )
    african_case = factories.CaseFactory()
    african_case.countries.add(sierra_leone)
    invasion = factories.MissionFactory(host_consent="none")
    polls = factories.MissionFactory(host_consent="all_parties")
    polls.mandate_tasks.add(elections)
    polls.cases.add(african_case)
    factories.MissionFactory(host_consent="none", draft=True)

    for question in (
        "which missions were deployed without host consent",
        "without the host government\u2019s consent",
        "non-consensual interventions",
    ):
        text, url, wording = hint(client, question)
        assert (text, url) == ("1 mission", "/missions/?consent=none")
        assert "host consent: No consent" in wording
    assert list(client.get("/missions/?consent=none").context["object_list"]) == [
        invasion
    ]
    assert hint(client, "deployed without full consent") is None  # partial consent

    text, url, wording = hint(client, "missions in Africa that ran elections")
    assert (text, url) == (
        "1 mission",
        "/missions/?region=africa&mandate_task=elections",
    )
    assert "mandate task: Organising or supervising elections" in wording


def test_an_organisation_named_by_acronym_or_former_acronym_leads_to_its_page(client):
    # "CSCE" matched a hundred records that mention it before the OSCE's own record,
    # which holds both names.
    factories.OrganisationFactory(
        slug="osce",
        acronym="OSCE",
        name="Organization for Security and Co-operation in Europe",
    )
    factories.OrganisationFactory(slug="hidden", acronym="HID", draft=True)

    def named(query):
        content = client.get("/search/", {"q": query}).content.decode()
        found = re.search(
            r"Organisation pages? named in your search: (.*?)\.</p>", content
        )
        return re.findall(r'<a href="([^"]+)">([^<]+)</a>', found[1]) if found else []

    expected = [("/organisations/osce/", "OSCE")]
    assert named("what do Flynn and Farrell say about the CSCE") == expected
    assert named("osce field missions") == expected
    assert named("HID") == []  # drafts are never named
    assert named("Organization for Security and Co-operation in Europe") == []
