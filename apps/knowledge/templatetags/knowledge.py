import html
import json
import re

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.html import format_html
from django.utils.html import format_html_join
from django.utils.html import strip_tags
from django.utils.safestring import SafeString
from django.utils.safestring import mark_safe

from apps.core.markdown import render
from apps.knowledge import addresses
from apps.knowledge import codebook
from apps.knowledge.autolink import link_acronyms
from apps.knowledge.models.choices import Conception

register = template.Library()


@register.filter
def markdown(text):
    """Render curator Markdown as sanitised HTML."""
    return render(text)


@register.filter
def plain_text(text):
    """Curator Markdown as plain, *unescaped* text, for attributes such as the meta
    description: the template's autoescaping then escapes it once (quotes included)."""
    return html.unescape(strip_tags(render(text)))


@register.filter
def link_missions(html, record=None):
    """Rendered Markdown with the acronyms of recorded missions linked to their pages
    (but not `record`'s own)."""
    return mark_safe(link_acronyms(str(html), skip=getattr(record, "acronym", "")))


@register.simple_tag
def site_paths():
    """The addresses the header and footer link to, by name (addresses.SITE_PATHS):
    `{% site_paths as paths %}` then `{{ paths.missions }}`."""
    return addresses.site_paths()


@register.simple_tag(takes_context=True)
def current(context, url):
    """` aria-current="page"` on the navigation link of the section being viewed."""
    path = context["request"].path
    if path == url or (url != "/" and path.startswith(url)):
        return mark_safe(' aria-current="page"')
    return ""


_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data):
    """A dict as JSON that is safe inside <script type="application/ld+json">."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(_JSON_ESCAPES))


@register.filter
def note_markers(notes):
    """The numbered markers pointing at `notes` (footnotes). Python rather than an
    included template: pages print them in loops, once per cell or row."""
    return format_html_join(
        "",
        '<sup class="fn"><a href="#fn-{0}" aria-label="Source note {0}">{0}</a></sup>',
        ((note.number,) for note in notes),
    )


# A footnote's text, on the lines of includes/footnotes.html: what `footnote` prints.
_FOOTNOTE = (
    '<a href="{}">{}</a>, {}.\n      <span class="claims">Supports: {}.</span>{}'
)
_FOOTNOTE_NOTE = '\n      <span class="note">{}</span>'


_WESTPHALIAN = re.compile(r"\bwestphalian\b")


@register.filter
def in_sentence(label: str) -> str:
    """A label lowered to run on in a sentence ("Supports: dates, post-Westphalian
    view"), "Westphalian" keeping its capital as a proper adjective."""
    return _WESTPHALIAN.sub("Westphalian", str(label).lower())


@register.simple_tag
def footnote(note, url=None, label=None):
    """A footnote's text: its source (linked), where in it, the claims it supports
    and the curator's note. The one writing of it, for includes/footnotes.html (its
    numbered and further sources) and the comparison table's footnotes. `url` and
    `label`: the source's address and label where the caller read them
    (views/compare.source_labels), else those of the citation's source."""
    citation = note.citation
    if url is None:
        url, label = citation.source.get_absolute_url(), citation.source
    return format_html(
        _FOOTNOTE,
        url,
        label,
        citation.locator_display,
        # Each label escaped, then set in the sentence's case.
        mark_safe(in_sentence(", ".join(map(conditional_escape, note.claims)))),
        format_html(_FOOTNOTE_NOTE, citation.note) if citation.note else "",
    )


@register.filter
def glossary_url(conception):
    """The glossary entry of a conception's order ("" for mixed)."""
    slug = Conception.GLOSSARY_SLUGS.get(conception)
    return reverse("knowledge:concept-detail", kwargs={"slug": slug}) if slug else ""


@register.filter
def conception_of_glossary_entry(concept):
    """The conception whose order a glossary entry names ("" for other entries)."""
    for value, slug in Conception.GLOSSARY_SLUGS.items():
        if slug == concept.slug:
            return value
    return ""


@register.simple_tag
def conception_badge(value, label):
    """The coloured badge naming a conception (or "Not classified"). A mission's or
    case's conception links to its definition on /compare/, one click away."""
    if value in Conception.values:
        return format_html(
            '<a class="badge c-{0}" href="{1}#conception-{0}"><span class="swatch" '
            'aria-hidden="true"></span>{2}<span class="visually-hidden"> '
            "(definition)</span></a>",
            value,
            reverse("knowledge:compare"),
            label,
        )
    return format_html(
        '<span class="badge c-{}"><span class="swatch" aria-hidden="true"></span>{}'
        "</span>",
        value or "none",
        label or "Not classified",
    )


@register.simple_tag
def classification_basis(classification, citations=None):
    """Whose judgement a classification is, linked to its rule on the codebook page.
    `citations`: the classification's public citations, where a list prefetched them."""
    if not classification:
        return ""
    if citations is None:
        text = classification.basis_display
    else:
        text = classification.basis_text(citations)
    return basis_html(classification.rule, text)


def basis_html(rule: str, text: str, data_url: str | None = None) -> SafeString:
    """The basis phrase, linked to its decision rule on the codebook page (`data_url`,
    that page's address, for a caller that prints many). The phrase names the rule by
    its title (basis_phrase), so no tooltip repeats it."""
    info = codebook.RULES_BY_SLUG.get(rule)
    if info is not None:
        return format_html(
            '<a class="basis" href="{}#{}">{}</a>',
            data_url or reverse("apisite:data"),
            info.anchor,
            text,
        )
    return format_html('<span class="basis">{}</span>', text)


@register.filter
def with_notes(html, notes):
    """Note markers at the end of the last paragraph of rendered Markdown."""
    markers = note_markers(notes)
    html = str(html).rstrip()
    if not markers:
        return mark_safe(html)
    if html.endswith("</p>"):
        return mark_safe(html[: -len("</p>")] + markers + "</p>")
    return mark_safe(html + markers)


class FragmentNode(template.Node):
    def __init__(self, name, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context):
        fragments = context.get("fragments")
        if fragments is None:
            return self.nodelist.render(context)
        return fragments.render(self.name, lambda: self.nodelist.render(context))


@register.tag
def fragment(parser, token):
    """{% fragment "name" %}...{% endfragment %}: a block of a record's page that the
    view may already hold rendered (views/details.py, Fragments); else rendered here,
    and stored for the next reader unless it is a preview."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'":
        raise template.TemplateSyntaxError('usage: {% fragment "name" %}')
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(bits[1][1:-1], nodelist)
