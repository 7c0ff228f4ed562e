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


def _bibtex_entry(item):
    csl_type = item.get("type")
    entry_type = BIBTEX_TYPES.get(csl_type, "misc")
    fields = {}  # name -> the text between the braces

    def add(name, value, *, protect=False, raw=False):
        """`raw`: the value is already BibTeX (escaped names, a computed date)."""
        if value in (None, "", []):
            return
        text = str(value) if raw else _bibtex_escape(value)
        fields[name] = "{" + text + "}" if protect else text

    add("author", _bibtex_names(item.get("author", [])), raw=True)
    add("editor", _bibtex_names(item.get("editor", [])), raw=True)
    add("title", item.get("title"), protect=True)
    add(_CONTAINER_FIELDS.get(entry_type, "howpublished"), item.get("container-title"))
    add("series", item.get("collection-title"))
    add("volume", item.get("volume"))
    add("number", item.get("issue"))
    add("edition", item.get("edition"))
    add(
        "institution" if entry_type == "techreport" else "publisher",
        item.get("publisher"),
    )
    add("address", item.get("publisher-place"))
    issued = _date(item.get("issued"))
    if issued:
        add("year", issued[0])
    month = None
    if len(issued) > 1 and issued[1] in range(1, 13):
        month = MONTHS[issued[1] - 1][:3].lower()
    notes = []
    locator = item.get("locator")
    if locator and item.get("label", "page") == "page":
        add("pages", locator.replace("\u2013", "-").replace("-", "--"))
    else:
        add("pages", _pages(item, "--"))
        if locator:
            notes.append(f"Cited: {item.get('label', '')} {locator}".replace("  ", " "))
    add("doi", item.get("DOI") and _bibtex_url(item["DOI"]), raw=True)
    add("isbn", item.get("ISBN"))
    if item.get("URL"):
        add("url", _bibtex_url(item["URL"]), raw=True)
        accessed = _date(item.get("accessed"))
        if len(accessed) == 3:
            add("urldate", "{:04d}-{:02d}-{:02d}".format(*accessed), raw=True)
    missing = [
        need
        for need in BIBTEX_REQUIRED.get(entry_type, ())
        if not any(name in fields for name in need.split("|"))
    ]
    if missing:
        # Say what is missing instead of leaving a style to print empty punctuation.
        container = _CONTAINER_FIELDS.get(entry_type)
        if container in fields:
            fields["howpublished"] = fields.pop(container)
        if "institution" in fields:
            fields["publisher"] = fields.pop("institution")
        notes.append(
            "Not recorded: " + ", ".join(m.replace("|", " or ") for m in missing)
        )
        entry_type = "misc"
    note = item.get("genre") or item.get("note")
    if note:
        notes.insert(0, note)
    if notes:
        fields["note"] = _bibtex_escape(". ".join(notes))
    lines = [f"@{entry_type}{{{_bibtex_key(item)},"]
    lines += [f"  {name} = {{{value}}}," for name, value in fields.items()]
    if month:
        lines.append(f"  month = {month},")
    lines.append("}")
    return "\n".join(lines)


def to_bibtex(items):
    return "\n\n".join(_bibtex_entry(item) for item in items) + "\n"


# --------------------------------------------------------------------------- RIS


def _ris_record(item):
    csl_type = item.get("type")
    ris_type = RIS_TYPES.get(csl_type, "GEN")
    key = str(item.get("id") or "")
    if item.get("locator"):
        key += f"-{item.get('label', 'page')}-{item['locator']}"
    lines = [("TY", ris_type), ("ID", key)]
    for name in item.get("author", []):
        lines.append(("AU", _name_text(name)))
    for name in item.get("editor", []):
        lines.append(("ED", _name_text(name)))
    lines.append(("TI", item.get("title")))
    container = item.get("container-title")
    if ris_type == "JOUR":
        lines.append(("JO", container))
    lines.append(("T2", container))
    lines.append(("T3", item.get("collection-title")))
    lines.append(("VL", item.get("volume")))
    lines.append(("IS", item.get("issue")))
    lines.append(("ET", item.get("edition")))
    lines.append(("PB", item.get("publisher")))
    lines.append(("CY", item.get("publisher-place")))
    issued = _date(item.get("issued"))
    if issued:
        lines.append(("PY", str(issued[0])))
        padded = [*issued, None, None][:3]
        lines.append(
            (
                "DA",
                "/".join(
                    [f"{padded[0]:04d}"] + [f"{p:02d}" if p else "" for p in padded[1:]]
                )
                + "/",
            )
        )
    pages = _pages(item, "-")
    locator = item.get("locator")
    if locator and item.get("label", "page") == "page":
        pages = locator.replace("\u2013", "-")  # the pages cited, not the work's range
    if pages:
        first, _, last = pages.partition("-")
        lines.append(("SP", first.strip()))
        lines.append(("EP", last.strip()))
    if locator and item.get("label", "page") != "page":
        lines.append(("N1", f"Cited: {item.get('label')} {locator}"))
    lines.append(("DO", item.get("DOI")))
    lines.append(("SN", item.get("ISBN")))
    lines.append(("UR", item.get("URL")))
    accessed = _date(item.get("accessed"))
    if len(accessed) == 3:
        lines.append(("Y2", "{:04d}/{:02d}/{:02d}".format(*accessed)))
    lines.append(("M3", item.get("genre")))
    lines.append(("N1", item.get("note")))
    lines.append(("ER", ""))
    return "\r\n".join(
        f"{tag}  - {' '.join(str(value).split())}".rstrip()
        if tag == "ER"
        else f"{tag}  - {' '.join(str(value).split())}"
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


def apa(item, *, html=False):
    """One reference in APA 7th edition style."""
    csl_type = item.get("type")
    authors = _apa_names(item.get("author", []))
    issued = _date(item.get("issued"))
    if csl_type == "webpage" and len(issued) == 3:
        date = f"({issued[0]}, {MONTHS[issued[1] - 1]} {issued[2]})."
    else:
        date = f"({issued[0]})." if issued else "(n.d.)."
    title = item.get("title", "")
    container = item.get("container-title", "")
    if not authors and title:
        # APA moves the title to the author position when there is no author.
        authors, title = title, ""
    parts = [_text(_sentence(authors), html) if authors else "", date]
    if csl_type == "article-journal":
        parts.append(_text(_sentence(title), html))
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
        parts.append(locator + "." if locator else "")
    elif csl_type == "chapter":
        parts.append(_text(_sentence(title), html))
        editors = item.get("editor", [])
        names = ", ".join(
            f"{_initials(e['given'])} {e['family']}" if e.get("given") else e["family"]
            for e in editors
        )
        eds = f"{names} ({'Eds.' if len(editors) > 1 else 'Ed.'}), " if names else ""
        pages = f" (pp. {_pages(item)})" if item.get("page") else ""
        parts.append(
            "In "
            + _text(eds, html)
            + (_italic(container, html) if container else _text(NO_BOOK, html))
            + _text(pages, html)
            + "."
        )
        parts.append(_text(_sentence(item.get("publisher", "")), html))
    elif csl_type == "webpage":
        parts.append(_italic(title, html) + "." if title else "")
        if container and container != authors:
            parts.append(_text(_sentence(container), html))
    else:
        edition = f" ({item['edition']} ed.)" if item.get("edition") else ""
        if title:
            parts.append(_italic(title, html) + _text(edition, html) + ".")
        publisher = item.get("publisher", "")
        if publisher and publisher != authors:
            parts.append(_text(_sentence(publisher), html))
    parts.append(_text(_url(item), html))
    return _finish(parts, html)


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


def chicago(item, *, html=False):
    """One reference in Chicago author-date style (bibliography entry)."""
    csl_type = item.get("type")
    authors = _chicago_names(item.get("author", []))
    issued = _date(item.get("issued"))
    year = str(issued[0]) if issued else "n.d."
    title = item.get("title", "")
    container = item.get("container-title", "")
    if not authors and title:
        authors, title = title, ""
    parts = [_text(_sentence(authors), html) if authors else "", year + "."]
    if csl_type == "article-journal":
        parts.append(_text(f"\u201c{_sentence(title)}\u201d", html) if title else "")
        tail = _italic(container, html) if container else ""
        if item.get("volume"):
            tail += _text(f" {item['volume']}", html)
        if item.get("issue"):
            tail += _text(f" ({item['issue']})", html)
        if item.get("page"):
            tail += _text(f": {_pages(item)}", html)
        parts.append(tail + "." if tail else "")
    elif csl_type == "chapter":
        parts.append(_text(f"\u201c{_sentence(title)}\u201d", html) if title else "")
        editors = item.get("editor", [])
        eds = ", ".join(_name_text(e, inverted=False) for e in editors)
        text = "In " + (_italic(container, html) if container else _text(NO_BOOK, html))
        if eds:
            text += _text(f", edited by {eds}", html)
        if item.get("page"):
            text += _text(f", {_pages(item)}", html)
        parts.append(text + ".")
        place = item.get("publisher-place", "")
        publisher = item.get("publisher", "")
        parts.append(
            _text(_sentence(": ".join(p for p in [place, publisher] if p)), html)
        )
    elif csl_type == "webpage":
        parts.append(_text(f"\u201c{_sentence(title)}\u201d", html) if title else "")
        if container and container != authors:
            parts.append(_text(_sentence(container), html))
        accessed = _date(item.get("accessed"))
        if len(accessed) == 3:
            parts.append(
                _text(
                    f"Accessed {MONTHS[accessed[1] - 1]} {accessed[2]}, {accessed[0]}.",
                    html,
                )
            )
    else:
        parts.append(_italic(_sentence(title), html) if title else "")
        place = item.get("publisher-place", "")
        publisher = item.get("publisher", "")
        if publisher and publisher != authors:
            parts.append(
                _text(_sentence(": ".join(p for p in [place, publisher] if p)), html)
            )
    url = _url(item)
    parts.append(_text(_sentence(url), html) if url else "")
    return _finish(parts, html)
