"""Record addresses built from a once-reversed pattern must equal what reverse() gives."""

import pytest
from django.urls import NoReverseMatch
from django.urls import reverse

from apps.knowledge.addresses import slug_url


@pytest.mark.parametrize(
    "viewname",
    ["knowledge:mission-detail", "knowledge:source-detail", "api:mission-detail"],
)
@pytest.mark.parametrize("slug", ["unprofor", "a_b-9", "kosovo-1999"])
def test_slug_url_is_what_reverse_gives(viewname, slug):
    assert slug_url(viewname, slug) == reverse(viewname, kwargs={"slug": slug})


def test_a_slug_the_pattern_refuses_is_refused_as_reverse_would():
    with pytest.raises(NoReverseMatch):
        slug_url("knowledge:mission-detail", "no/slash")


def test_the_script_prefix_is_respected():
    from django.urls import set_script_prefix

    set_script_prefix("/kb/")
    try:
        assert slug_url("knowledge:norm-detail", "consent") == "/kb/norms/consent/"
    finally:
        set_script_prefix("/")


def test_the_site_paths_are_what_reverse_gives_under_any_script_prefix():
    from django.urls import set_script_prefix

    from apps.knowledge.addresses import SITE_PATHS
    from apps.knowledge.addresses import site_paths

    assert site_paths() == {name: reverse(view) for name, view in SITE_PATHS.items()}
    set_script_prefix("/kb/")
    try:
        assert site_paths()["missions"] == "/kb/missions/"
        assert site_paths() == {
            name: reverse(view) for name, view in SITE_PATHS.items()
        }
    finally:
        set_script_prefix("/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/", ['class="brand" href="/" aria-current="page"']),
        ("/missions/", ['href="/missions/" aria-current="page">Missions<']),
        ("/compare/missions/", ['href="/compare/" aria-current="page">Compare<']),
        ("/about/", ['href="/about/" aria-current="page">About &amp; method<']),
    ],
)
def test_the_header_marks_the_section_being_read_and_no_other(client, path, current):
    html = client.get(path).content.decode()
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    for marked in current:
        assert marked in header
    assert header.count('aria-current="page"') == len(current)
    # The footer's links are the same addresses, never marked.
    footer = html[html.index('<footer class="site-footer">') :]
    assert 'href="/timeline/"' in footer
    assert 'href="/sitemap.xml"' in footer
    assert "aria-current" not in footer
