"""Records side by side (/compare/<kind>/?ids=...): what the table and its footnotes
say, built from the narrow rows the page reads (views/compare.py)."""

import re

import pytest
from django.template.loader import render_to_string

from apps.knowledge import services
from apps.knowledge.models import MandateTask
from apps.knowledge.models import SourceCreator
from tests import factories

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


def footnotes_section(content):
    match = re.search(r'<section class="footnotes".*?</section>', content, re.S)
    return match.group(0) if match else ""


def test_compare_records_footnotes_read_as_on_every_other_page(client):
    # The page renders its footnotes in Python: they must stay what the shared
    # include prints, escaping and all.
    source = factories.SourceFactory(title='Peace & order: "keeping" <it>')
    SourceCreator.objects.create(source=source, family="O'Neill", position=0)
    SourceCreator.objects.create(source=source, family="Bellamy", position=1)
    a = factories.MissionFactory(slug="a", acronym="A", host_consent="all_parties")
    b = factories.MissionFactory(slug="b", acronym="B", host_consent="contested")
    factories.CitationFactory(
        target=a,
        source=source,
        claim="host_consent",
        note="Ours: <b>consent</b> & more",
    )
    factories.CitationFactory(target=b, source=source, claim="host_consent")
    factories.CitationFactory(target=b, source=source, claim="use_of_force")
    response = client.get("/compare/missions/?ids=a,b")
    assert response.status_code == 200
    content = text(response)
    section = footnotes_section(content)
    assert section
    shared = render_to_string(
        "includes/footnotes.html", {"footnotes": response.context["footnotes"]}
    )
    assert footnotes_section(shared) == section
    assert "O&#x27;Neill &amp; Bellamy 1999: Peace &amp; order" in section
    assert "&lt;it&gt;" in section
    assert '<span class="note">Ours: &lt;b&gt;consent&lt;/b&gt; &amp; more</span>' in (
        section
    )
    assert "Supports: host consent.</span>" in section


def test_compare_records_names_whose_classification_from_its_cited_authors(client):
    a = factories.MissionFactory(slug="a", acronym="A")
    factories.MissionFactory(slug="b", acronym="B")
    cited = a.classifications.get().citations.get().source
    SourceCreator.objects.create(source=cited, family="Bellamy", position=0)
    SourceCreator.objects.create(source=cited, family="Williams", position=1)
    SourceCreator.objects.create(source=cited, family="Editor", role="editor")
    content = text(client.get("/compare/missions/?ids=a,b"))
    assert "Bellamy and Williams&#x27;s classification, p. 512" in content
    assert "Bellamy &amp; Williams 1999" in content
    assert "Editor" not in content


def test_compare_records_shows_nothing_unpublished(client):
    body = factories.OrganisationFactory(
        slug="council", name="Secret council", draft=True
    )
    hidden = factories.SourceFactory(title="A draft source", draft=True)
    a = factories.MissionFactory(
        slug="a", acronym="A", legal_basis="un_chapter_vii", authorising_body=body
    )
    council = factories.OrganisationFactory(name="Security Council")
    factories.MissionFactory(
        slug="b", acronym="B", legal_basis="un_chapter_vii", authorising_body=council
    )
    factories.MissionFactory(slug="c", acronym="C", draft=True)
    factories.CitationFactory(target=a, source=hidden, claim="legal_basis")
    factories.CitationFactory(
        target=a.classifications.get(), source=hidden, claim="classification"
    )
    response = client.get("/compare/missions/?ids=a,c,b")
    assert response.status_code == 200
    assert [r.slug for r in response.context["records"]] == ["a", "b"]
    content = text(response)
    assert "Not found among published missions: c." in content
    assert "Secret council" not in content
    assert "A draft source" not in content
    # a's body is a draft: its legal basis is named without it, b's with its own.
    # A draft source's citation is no source note: the value says it has none.
    assert (
        "UN Charter, Chapter VII (enforcement)"
        ' <span class="meta uncited">(no source note)</span></td>'
    ) in content
    assert "UN Charter, Chapter VII (enforcement): Security Council" in content


def _page_after(client, commit, change, url="/compare/missions/?ids=a,b"):
    with commit(execute=True):
        change()
    return text(client.get(url))


def test_compare_records_never_cites_a_sources_former_authors_or_an_unpublished_one(
    client, django_capture_on_commit_callbacks
):
    # The sources' labels are cached (views/compare.source_labels) under the version
    # that any change to a source or its authors moves.
    a = factories.MissionFactory(slug="a", acronym="A", host_consent="all_parties")
    factories.MissionFactory(slug="b", acronym="B")
    cited = a.classifications.get().citations.get().source
    author = SourceCreator.objects.create(source=cited, family="Bellamy", position=0)
    other = factories.SourceFactory(title="Keeping the peace", year=2001)
    factories.CitationFactory(target=a, source=other, claim="host_consent")
    url = "/compare/missions/?ids=a,b"
    content = text(client.get(url))
    assert "Bellamy&#x27;s classification" in content
    assert "Bellamy 1999" in footnotes_section(content)
    assert "Keeping the peace (2001)" in footnotes_section(content)

    def rename():
        author.family = "Williams"
        author.save()

    content = _page_after(client, django_capture_on_commit_callbacks, rename)
    assert "Williams&#x27;s classification" in content
    assert "Williams 1999" in footnotes_section(content)
    assert "Bellamy" not in content

    def add_author():
        SourceCreator.objects.create(source=other, family="Doyle", position=0)

    content = _page_after(client, django_capture_on_commit_callbacks, add_author)
    assert "Doyle 2001: Keeping the peace" in footnotes_section(content)

    def unpublish():
        services.record_unpublish(record=other)

    content = _page_after(client, django_capture_on_commit_callbacks, unpublish)
    assert "Keeping the peace" not in content
    assert "Williams 1999" in footnotes_section(content)


def test_compare_records_reads_three_queries_once_shared_data_is_cached(
    client, django_assert_num_queries
):
    a = factories.MissionFactory(slug="a", acronym="A", host_consent="all_parties")
    b = factories.MissionFactory(slug="b", acronym="B")
    tasks = [
        MandateTask.objects.create(
            slug=slug, name=name, conception="westphalian", position=position
        )
        for slug, name, position in [("monitor", "Monitor", 1), ("elect", "Elect", 0)]
    ]
    for mission in (a, b):
        mission.organisations.add(factories.OrganisationFactory())
        mission.mandate_tasks.add(*tasks)
        factories.CitationFactory(target=mission, claim="host_consent")
    a.organisations.add(factories.OrganisationFactory(name="Draft body", draft=True))
    url = "/compare/missions/?ids=a,b"
    first = text(client.get(url))
    # In the tasks' order; no citation supports them.
    assert 'Elect, Monitor <span class="meta uncited">(no source note)</span>' in first
    assert "Draft body" not in first
    # The records, their citations, and their mandate tasks and organisations in one
    # query; the sources' labels, the picker and the content types come from the cache.
    with django_assert_num_queries(3):
        assert text(client.get(url)) == first


def test_cached_source_labels_link_under_each_requests_script_prefix(client):
    """The labels are cached across requests; the footnotes' links are not the first
    request's: a site served under /kb/ links to /kb/sources/..., and back."""
    from django.urls import set_script_prefix

    a = factories.MissionFactory(slug="a", acronym="A")
    factories.MissionFactory(slug="b", acronym="B")
    source = a.classifications.get().citations.get().source
    url = "/compare/missions/?ids=a,b"
    link = f'href="/sources/{source.slug}/"'
    assert link in footnotes_section(text(client.get(url)))
    # The test client does not set the prefix from SCRIPT_NAME as WSGIHandler does.
    set_script_prefix("/kb/")
    try:
        under_kb = footnotes_section(text(client.get(url, SCRIPT_NAME="/kb")))
    finally:
        set_script_prefix("/")
    assert f'href="/kb/sources/{source.slug}/"' in under_kb
    assert link not in under_kb
    assert link in footnotes_section(text(client.get(url)))
