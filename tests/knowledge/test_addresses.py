"""Record addresses built from a once-reversed pattern must equal what reverse() gives."""

import pytest
from django.urls import NoReverseMatch, reverse

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
