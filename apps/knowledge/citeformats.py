"""Citations in the formats reference managers read: CSL-JSON, BibTeX, RIS, and two
formatted styles (APA 7 and Chicago author-date) for "cite this page".

Everything goes through one intermediate form, a CSL-JSON item (a plain dict, see
https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html):

    source_csl(source)       a bibliography Source as a CSL item
    record_csl(record, url)  a knowledge-base page itself, as a citable web page
    to_csl_json(items)       a CSL-JSON document (Zotero: Import from Clipboard / File)
    to_bibtex(items)         BibTeX entries (BibTeX, biber, JabRef, Zotero)
    to_ris(items)            RIS records (Zotero, EndNote, Mendeley)
    apa(item), chicago(item) one formatted reference, as text (or HTML with html=True)

The exports only say what the record knows: no field is invented to fill a template.
"""

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models.choices import SourceKind

# Our source kinds as CSL, BibTeX and RIS types.
CSL_TYPES = {
    SourceKind.BOOK: "book",
    SourceKind.CHAPTER: "chapter",
    SourceKind.ARTICLE: "article-journal",
    SourceKind.REPORT: "report",
    SourceKind.WEBPAGE: "webpage",
    SourceKind.OFFICIAL: "document",
    SourceKind.DATASET: "dataset",
}
BIBTEX_TYPES = {
    "book": "book",
    "chapter": "incollection",
    "article-journal": "article",
    "report": "techreport",
}
RIS_TYPES = {
    "book": "BOOK",
    "chapter": "CHAP",
    "article-journal": "JOUR",
    "report": "RPRT",
    "webpage": "ELEC",
    "document": "GOVDOC",
    "dataset": "DATA",
}
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


# --------------------------------------------------------------------------- CSL items


def _date_parts(*parts):
    parts = [int(p) for p in parts if p]
    return {"date-parts": [parts]} if parts else None


def _names(creators):
    names = []
    for creator in creators:
        name = {"family": creator.family}
        if creator.given:
            name["given"] = creator.given
        names.append(name)
    return names


def _compact(item):
    return {k: v for k, v in item.items() if v not in (None, "", [], {})}


def source_csl(source):
    """A Source as a CSL-JSON item; `id` is the source's slug."""
    accessed = source.accessed
    return _compact(
        {
            "id": source.slug,
            "type": CSL_TYPES.get(source.kind, "document"),
            "title": source.full_title,
            "title-short": source.short_title
            or (source.title if source.subtitle else ""),
            "author": _names(source.authors()),
            "editor": _names(source.editors()),
            "container-title": source.container_title,
            "collection-title": source.collection_title,
            "volume": source.volume,
            "issue": source.issue,
            "edition": source.edition,
            "publisher": source.publisher,
            "publisher-place": source.place,
            "issued": _date_parts(source.year, source.year and source.month),
            "page": source.pages.replace("-", "\u2013") if source.pages else "",
            "URL": source.url,
            "accessed": accessed
            and _date_parts(accessed.year, accessed.month, accessed.day),
            "DOI": source.doi,
            "ISBN": source.isbn,
            "note": " ".join(source.attribution_note.split()),
        }
    )


# Our locator types as CSL locator labels.
CSL_LABELS = {
    "pages": "page",
    "section": "section",
    "paragraph": "paragraph",
    "note": "note",
}


def cited_csl(citation):
    """One page-located citation: the cited work's CSL item with the place cited in the
    CSL citation-item keys `locator` and `label` (a processor renders "Flynn and Farrell
    1999, p. 512"; the `id` stays the work's)."""
    item = source_csl(citation.source)
    label = CSL_LABELS.get(citation.locator_type, "page")
    locator = " ".join(str(citation.locator or "").split())
    if label == "page":
        locator = locator.replace("-", "\u2013")
    if locator:
        item["locator"] = locator
        item["label"] = label
    return item


def record_csl(record, url):
    """The knowledge-base page of `record` as a CSL web page, dated by its last change."""
    issued = timezone.localtime(record.updated_at) if record.updated_at else None
    today = timezone.localdate()
    return _compact(
        {
            "id": f"pkb-{record.model_key()}-{record.slug}",
            "type": "webpage",
            "title": str(record),
            "author": [{"literal": settings.SITE_NAME}],
            "container-title": settings.SITE_NAME,
            "publisher": settings.SITE_NAME,
            "genre": f"Knowledge base entry ({record.type_name})",
            "issued": issued and _date_parts(issued.year, issued.month, issued.day),
            "accessed": _date_parts(today.year, today.month, today.day),
            "URL": url,
        }
    )


def to_csl_json(items):
    return json.dumps(list(items), ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- helpers


def _year(item):
    parts = (item.get("issued") or {}).get("date-parts") or [[]]
    return parts[0][0] if parts[0] else None


def _date(value):
    parts = (value or {}).get("date-parts") or [[]]
    return parts[0]


def _name_text(name, *, inverted=True):
    if "literal" in name:
        return name["literal"]
    if not name.get("given"):
        return name["family"]
    if inverted:
        return f"{name['family']}, {name['given']}"
    return f"{name['given']} {name['family']}"


def _initials(given):
    parts = re.split(r"([\s-]+)", given.strip())
    out = []
    for part in parts:
        if not part.strip() or part.strip() == "-":
            out.append("-" if "-" in part else " ")
        else:
            out.append(part[0] + ".")
    return "".join(out).replace(" -", "-").strip()


def _pages(item, separator="\u2013"):
    return (item.get("page") or "").replace("\u2013", "-").replace("-", separator)


# --------------------------------------------------------------------------- BibTeX

_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _bibtex_escape(text):
    return "".join(_BIBTEX_ESCAPES.get(ch, ch) for ch in str(text))


def _bibtex_url(text):
    """A URL or DOI in a BibTeX field: braces and backslashes percent-encoded, so the
    value can neither close its field nor start a command, and still resolves."""
    return str(text).replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def _bibtex_key(item):
    key = str(item.get("id") or "item")
    if item.get("locator"):  # one entry per cited place: a key of its own
        key += f"-{item.get('label', 'page')}-{item['locator']}".replace(" ", "-")
    key = unicodedata.normalize("NFKD", key)
    key = re.sub(r"[^A-Za-z0-9_:.\-]", "", key.encode("ascii", "ignore").decode())
    return key or "item"


def _bibtex_names(names):
    out = []
    for name in names:
        if "literal" in name:
            out.append("{" + _bibtex_escape(name["literal"]) + "}")
        else:
            out.append(_bibtex_escape(_name_text(name)))
    return " and ".join(out)


# What BibTeX's standard styles (plain, and pybtex's) require of each entry type; an
# entry that lacks one is offered as @misc, which requires nothing, with a note of
# what is not recorded, rather than as an entry a style refuses or fills with blanks.
BIBTEX_REQUIRED = {
    "article": ("author", "title", "journal", "year"),
    "book": ("author|editor", "title", "publisher", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "techreport": ("author", "title", "institution", "year"),
}
_CONTAINER_FIELDS = {"article": "journal", "incollection": "booktitle"}


class _BibtexFields(dict):
    """An entry's fields: name -> the text between the braces."""

    def add(self, name, value, *, protect=False, raw=False):
        """`raw`: the value is already BibTeX (escaped names, a computed date)."""
        if value in (None, "", []):
            return
        text = str(value) if raw else _bibtex_escape(value)
        self[name] = "{" + text + "}" if protect else text


def _bibtex_month(issued):
    """The month of an issued date as BibTeX's three-letter macro, or None."""
    if len(issued) > 1 and issued[1] in range(1, 13):
        return MONTHS[issued[1] - 1][:3].lower()
    return None


def _bibtex_publication(fields, item, entry_type):
    """Who wrote it, what it is called, where and by whom it was published."""
    fields.add("author", _bibtex_names(item.get("author", [])), raw=True)
    fields.add("editor", _bibtex_names(item.get("editor", [])), raw=True)
    fields.add("title", item.get("title"), protect=True)
    container = _CONTAINER_FIELDS.get(entry_type, "howpublished")
    fields.add(container, item.get("container-title"))
    fields.add("series", item.get("collection-title"))
    fields.add("volume", item.get("volume"))
    fields.add("number", item.get("issue"))
    fields.add("edition", item.get("edition"))
    publisher = "institution" if entry_type == "techreport" else "publisher"
    fields.add(publisher, item.get("publisher"))
    fields.add("address", item.get("publisher-place"))
    issued = _date(item.get("issued"))
    if issued:
        fields.add("year", issued[0])


def _bibtex_pages(fields, item):
    """The pages cited (or the work's range); a note naming a place cited that is not
    a page."""
    locator = item.get("locator")
    if locator and item.get("label", "page") == "page":
        fields.add("pages", locator.replace("\u2013", "-").replace("-", "--"))
        return []
    fields.add("pages", _pages(item, "--"))
    if locator:
        return [f"Cited: {item.get('label', '')} {locator}".replace("  ", " ")]
    return []


def _bibtex_links(fields, item):
    fields.add("doi", item.get("DOI") and _bibtex_url(item["DOI"]), raw=True)
    fields.add("isbn", item.get("ISBN"))
    if item.get("URL"):
        fields.add("url", _bibtex_url(item["URL"]), raw=True)
        accessed = _date(item.get("accessed"))
        if len(accessed) == 3:
            fields.add("urldate", "{:04d}-{:02d}-{:02d}".format(*accessed), raw=True)


def _bibtex_as_misc(fields, entry_type):
    """The entry type a style accepts, and a note of the required fields that are not
    recorded (None when the entry has them all)."""
    missing = [
        need
        for need in BIBTEX_REQUIRED.get(entry_type, ())
        if not any(name in fields for name in need.split("|"))
    ]
    if not missing:
        return entry_type, None
    # Say what is missing instead of leaving a style to print empty punctuation.
    container = _CONTAINER_FIELDS.get(entry_type)
    if container in fields:
        fields["howpublished"] = fields.pop(container)
    if "institution" in fields:
        fields["publisher"] = fields.pop("institution")
    note = "Not recorded: " + ", ".join(m.replace("|", " or ") for m in missing)
    return "misc", note


def _bibtex_entry(item):
    entry_type = BIBTEX_TYPES.get(item.get("type"), "misc")
    fields = _BibtexFields()
    _bibtex_publication(fields, item, entry_type)
    notes = _bibtex_pages(fields, item)
    _bibtex_links(fields, item)
    entry_type, missing = _bibtex_as_misc(fields, entry_type)
    if missing:
        notes.append(missing)
    note = item.get("genre") or item.get("note")
    if note:
        notes.insert(0, note)
    if notes:
        fields["note"] = _bibtex_escape(". ".join(notes))
    lines = [f"@{entry_type}{{{_bibtex_key(item)},"]
    lines += [f"  {name} = {{{value}}}," for name, value in fields.items()]
    month = _bibtex_month(_date(item.get("issued")))
    if month:
        lines.append(f"  month = {month},")
    lines.append("}")
    return "\n".join(lines)


def to_bibtex(items):
    return "\n\n".join(_bibtex_entry(item) for item in items) + "\n"


# --------------------------------------------------------------------------- RIS


def _ris_dates(item):
    """PY (the year) and DA (YYYY/MM/DD/, blanks for what is not known)."""
    issued = _date(item.get("issued"))
    if not issued:
        return []
    padded = [*issued, None, None][:3]
    parts = [f"{padded[0]:04d}"] + [f"{p:02d}" if p else "" for p in padded[1:]]
    return [("PY", str(issued[0])), ("DA", "/".join(parts) + "/")]


def _ris_pages(item):
    """SP/EP: the pages cited (not the work's range) when the locator is a page, and
    a note naming a place cited that is not a page."""
    pages = _pages(item, "-")
    locator = item.get("locator")
    is_page = item.get("label", "page") == "page"
    if locator and is_page:
        pages = locator.replace("\u2013", "-")
    lines = []
    if pages:
        first, _, last = pages.partition("-")
        lines += [("SP", first.strip()), ("EP", last.strip())]
    if locator and not is_page:
        lines.append(("N1", f"Cited: {item.get('label')} {locator}"))
    return lines


def _ris_accessed(item):
    accessed = _date(item.get("accessed"))
    if len(accessed) == 3:
        return [("Y2", "{:04d}/{:02d}/{:02d}".format(*accessed))]
    return []


# RIS tags filled straight from a CSL key, in the order they are written.
_RIS_PUBLICATION = [
    ("T2", "container-title"),
    ("T3", "collection-title"),
    ("VL", "volume"),
    ("IS", "issue"),
    ("ET", "edition"),
    ("PB", "publisher"),
    ("CY", "publisher-place"),
]
_RIS_LINKS = [("DO", "DOI"), ("SN", "ISBN"), ("UR", "URL")]
_RIS_NOTES = [("M3", "genre"), ("N1", "note")]


def _ris_line(tag, value):
    line = f"{tag}  - {' '.join(str(value).split())}"
    return line.rstrip() if tag == "ER" else line


def _ris_record(item):
    ris_type = RIS_TYPES.get(item.get("type"), "GEN")
    key = str(item.get("id") or "")
    if item.get("locator"):
        key += f"-{item.get('label', 'page')}-{item['locator']}"
    lines = [("TY", ris_type), ("ID", key)]
    lines += [("AU", _name_text(name)) for name in item.get("author", [])]
    lines += [("ED", _name_text(name)) for name in item.get("editor", [])]
    lines.append(("TI", item.get("title")))
    if ris_type == "JOUR":
        lines.append(("JO", item.get("container-title")))
    lines += [(tag, item.get(key)) for tag, key in _RIS_PUBLICATION]
    lines += _ris_dates(item) + _ris_pages(item)
    lines += [(tag, item.get(key)) for tag, key in _RIS_LINKS]
    lines += _ris_accessed(item)
    lines += [(tag, item.get(key)) for tag, key in _RIS_NOTES]
    lines.append(("ER", ""))
    return "\r\n".join(
        _ris_line(tag, value)
        for tag, value in lines
        if value not in (None, "") or tag == "ER"
    )


def to_ris(items):
    return "\r\n".join(_ris_record(item) for item in items) + "\r\n"


# --------------------------------------------------------------------------- styles


def _italic(text, html):
    return f"<i>{escape(text)}</i>" if html else text


def _text(text, html):
    return escape(text) if html else text


def _finish(parts, html):
    out = " ".join(p for p in parts if p).strip()
    return mark_safe(out) if html else out


def _url(item):
    if item.get("DOI"):
        return f"https://doi.org/{item['DOI']}"
    return item.get("URL", "")


@dataclass(frozen=True)
class _Style:
    """How a style writes each part of a reference; `_reference` puts them in order."""

    names: Callable[[list], str]  # the authors, as one string
    date: Callable[[dict], str]
    bodies: dict[str, Callable]  # CSL type -> (item, title, container, authors, html)
    other: Callable  # the body of any other type (books, reports...)
    url: Callable[[dict, bool], str]
    # The title in the author's place (a work without author), set as the body sets it.
    lead_title: Callable[[dict, str, bool], str]


def _reference(item, style, html):
    """The authors, the date, the body of the item's type, then its address."""
    authors = style.names(item.get("author", []))
    title = item.get("title", "")
    container = item.get("container-title", "")
    if not authors and title:
        # Both styles move the title to the author position when there is no author,
        # keeping its italics or quotation marks.
        lead, title = style.lead_title(item, title, html), ""
    else:
        lead = _text(_sentence(authors), html) if authors else ""
    parts = [lead, style.date(item)]
    body = style.bodies.get(item.get("type"), style.other)
    parts += body(item, title, container, authors, html)
    parts.append(style.url(item, html))
    return _finish(parts, html)


def _apa_names(names):
    formatted = []
    for name in names:
        if "literal" in name:
            formatted.append(name["literal"])
        elif name.get("given"):
            formatted.append(f"{name['family']}, {_initials(name['given'])}")
        else:
            formatted.append(name["family"])
    if len(formatted) <= 1:
        return "".join(formatted)
    if len(formatted) > 20:
        formatted = [*formatted[:19], "\u2026", formatted[-1]]
        return ", ".join(formatted)
    return ", ".join(formatted[:-1]) + ", & " + formatted[-1]


def _sentence(text):
    text = (text or "").strip()
    return text if not text or text[-1] in ".?!" else text + "."


# A chapter whose book is not recorded says so, rather than printing "In ."
NO_BOOK = "[book not recorded]"


def _apa_date(item):
    issued = _date(item.get("issued"))
    if item.get("type") == "webpage" and len(issued) == 3:
        return f"({issued[0]}, {MONTHS[issued[1] - 1]} {issued[2]})."
    return f"({issued[0]})." if issued else "(n.d.)."


def _apa_article(item, title, container, authors, html):
    volume = item.get("volume", "")
    issue = f"({item['issue']})" if item.get("issue") else ""
    locator = ", ".join(
        p
        for p in [
            _italic(container, html) if container else "",
            (_italic(volume, html) if volume else "") + _text(issue, html),
            _text(_pages(item), html),
        ]
        if p
    )
    return [_text(_sentence(title), html), locator + "." if locator else ""]


def _apa_chapter(item, title, container, authors, html):
    editors = item.get("editor", [])
    names = ", ".join(
        f"{_initials(e['given'])} {e['family']}" if e.get("given") else e["family"]
        for e in editors
    )
    eds = f"{names} ({'Eds.' if len(editors) > 1 else 'Ed.'}), " if names else ""
    pages = f" (pp. {_pages(item)})" if item.get("page") else ""
    book = _italic(container, html) if container else _text(NO_BOOK, html)
    return [
        _text(_sentence(title), html),
        "In " + _text(eds, html) + book + _text(pages, html) + ".",
        _text(_sentence(item.get("publisher", "")), html),
    ]


def _apa_webpage(item, title, container, authors, html):
    parts = [_italic(title, html) + "." if title else ""]
    if container and container != authors:
        parts.append(_text(_sentence(container), html))
    return parts


def _apa_other(item, title, container, authors, html):
    """Books, reports and everything else: the title in italics, the publisher."""
    parts = []
    edition = f" ({item['edition']} ed.)" if item.get("edition") else ""
    if title:
        parts.append(_italic(title, html) + _text(edition, html) + ".")
    publisher = item.get("publisher", "")
    if publisher and publisher != authors:
        parts.append(_text(_sentence(publisher), html))
    return parts


_APA_BODIES = {
    "article-journal": _apa_article,
    "chapter": _apa_chapter,
    "webpage": _apa_webpage,
}


def _apa_url(item, html):
    return _text(_url(item), html)


def _apa_lead_title(item, title, html):
    """APA 7 (9.12): a work that stands alone keeps its italics in the author's
    place; an article or a chapter, part of a greater whole, stays plain."""
    if item.get("type") in ("article-journal", "chapter"):
        return _text(_sentence(title), html)
    return _italic(title, html) + "."


APA = _Style(_apa_names, _apa_date, _APA_BODIES, _apa_other, _apa_url, _apa_lead_title)


def apa(item, *, html=False):
    """One reference in APA 7th edition style."""
    return _reference(item, APA, html)


def _chicago_names(names):
    formatted = []
    for index, name in enumerate(names):
        formatted.append(_name_text(name, inverted=index == 0))
    if len(formatted) <= 1:
        return "".join(formatted)
    if len(formatted) > 10:
        return ", ".join(formatted[:7]) + ", et al"
    if len(formatted) == 2:
        return f"{formatted[0]}, and {formatted[1]}"
    return ", ".join(formatted[:-1]) + ", and " + formatted[-1]


def _quoted_title(title, html):
    return _text(f"\u201c{_sentence(title)}\u201d", html) if title else ""


def _place_publisher(item, html):
    place = item.get("publisher-place", "")
    publisher = item.get("publisher", "")
    return _text(_sentence(": ".join(p for p in [place, publisher] if p)), html)


def _chicago_article(item, title, container, authors, html):
    tail = _italic(container, html) if container else ""
    if item.get("volume"):
        tail += _text(f" {item['volume']}", html)
    if item.get("issue"):
        tail += _text(f" ({item['issue']})", html)
    if item.get("page"):
        tail += _text(f": {_pages(item)}", html)
    return [_quoted_title(title, html), tail + "." if tail else ""]


def _chicago_chapter(item, title, container, authors, html):
    eds = ", ".join(_name_text(e, inverted=False) for e in item.get("editor", []))
    text = "In " + (_italic(container, html) if container else _text(NO_BOOK, html))
    if eds:
        text += _text(f", edited by {eds}", html)
    if item.get("page"):
        text += _text(f", {_pages(item)}", html)
    return [_quoted_title(title, html), text + ".", _place_publisher(item, html)]


def _chicago_webpage(item, title, container, authors, html):
    parts = [_quoted_title(title, html)]
    if container and container != authors:
        parts.append(_text(_sentence(container), html))
    accessed = _date(item.get("accessed"))
    if len(accessed) == 3:
        month = MONTHS[accessed[1] - 1]
        parts.append(_text(f"Accessed {month} {accessed[2]}, {accessed[0]}.", html))
    return parts


def _chicago_other(item, title, container, authors, html):
    """Books, reports and everything else: the title in italics, place: publisher."""
    parts = [_italic(_sentence(title), html) if title else ""]
    publisher = item.get("publisher", "")
    if publisher and publisher != authors:
        parts.append(_place_publisher(item, html))
    return parts


_CHICAGO_BODIES = {
    "article-journal": _chicago_article,
    "chapter": _chicago_chapter,
    "webpage": _chicago_webpage,
}


def _chicago_date(item):
    issued = _date(item.get("issued"))
    return f"{issued[0]}." if issued else "n.d."  # not "n.d.."


def _chicago_url(item, html):
    url = _url(item)
    return _text(_sentence(url), html) if url else ""


def _chicago_lead_title(item, title, html):
    """The title in the author's place, quoted or in italics as its body sets it."""
    if item.get("type") in _CHICAGO_BODIES:  # articles, chapters, web pages
        return _quoted_title(title, html)
    return _italic(_sentence(title), html)


CHICAGO = _Style(
    _chicago_names,
    _chicago_date,
    _CHICAGO_BODIES,
    _chicago_other,
    _chicago_url,
    _chicago_lead_title,
)


def chicago(item, *, html=False):
    """One reference in Chicago author-date style (bibliography entry)."""
    return _reference(item, CHICAGO, html)
