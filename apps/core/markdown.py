"""Curators write Markdown; the public only ever sees it sanitised."""

import functools
import threading

import markdown as md
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "sup",
    "sub",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


_local = threading.local()


def _converter():
    """One Markdown instance per thread: building one (its parser and extensions) costs
    more than converting a paragraph, and an instance is not safe to share."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = md.Markdown(
            extensions=["tables", "sane_lists"], output_format="html"
        )
        _local.converter = converter
    return converter


def render(text):
    """Markdown to HTML that is safe to put on a page: no scripts, handlers or javascript: links."""
    if not text:
        return mark_safe("")
    return mark_safe(_sanitised_html(text))


# The HTML is a pure function of the text, and the same summaries are rendered on every
# list, detail and glossary page: remembering the latest few thousand per process costs a
# few megabytes and needs no invalidation (an edited text is a different key).
@functools.lru_cache(maxsize=4096)
def _sanitised_html(text):
    html = _converter().reset().convert(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
