"""Addresses of records by slug, without a full reverse() for each one.

reverse() costs tens of microseconds, and a list page or API page prints hundreds of
record addresses: each named address is reversed once (per URLconf and script prefix),
with a placeholder where the slug goes, and the slug is put in its place after that.
"""

import functools
import re

from django.conf import settings
from django.urls import get_script_prefix
from django.urls import get_urlconf
from django.urls import reverse

_PLACEHOLDER = "slug0placeholder0"
# Slugs that need no quoting in a path; anything else takes the slow, exact road.
_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@functools.cache
def _parts(viewname, script_prefix, urlconf):
    path = reverse(viewname, urlconf=urlconf, kwargs={"slug": _PLACEHOLDER})
    return tuple(path.split(_PLACEHOLDER)) if path.count(_PLACEHOLDER) == 1 else None


def slug_url(viewname, slug):
    """reverse(viewname, kwargs={"slug": slug}), the same string, mostly without reversing."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    parts = _parts(viewname, get_script_prefix(), urlconf)
    if parts is None or not _PLAIN_SLUG.fullmatch(slug or ""):
        return reverse(viewname, urlconf=urlconf, kwargs={"slug": slug})
    return slug.join(parts)


# The addresses every page's header and footer link to (templates/includes/).
SITE_PATHS = {
    "home": "knowledge:home",
    "search": "knowledge:search",
    "compare": "knowledge:compare",
    "missions": "knowledge:mission-list",
    "cases": "knowledge:case-list",
    "timeline": "knowledge:timeline",
    "norms": "knowledge:norm-list",
    "documents": "knowledge:document-list",
    "organisations": "knowledge:organisation-list",
    "glossary": "knowledge:concept-list",
    "sources": "knowledge:source-list",
    "about": "knowledge:about",
    "data": "apisite:data",
    "sitemap": "knowledge:sitemap",
}


@functools.cache
def _site_paths(script_prefix, urlconf):
    return {name: reverse(view, urlconf=urlconf) for name, view in SITE_PATHS.items()}


def site_paths():
    """{name: address} of SITE_PATHS, reversed once per URLconf and script prefix
    instead of some twenty times on every page."""
    return _site_paths(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
