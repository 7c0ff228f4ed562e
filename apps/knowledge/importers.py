"""Bringing records in from outside: a pasted BibTeX, RIS or CSL-JSON entry becomes a
Source's canonical dict (data/README.md), and a CSV file becomes rows of records' dicts.

The readers are small and strict on purpose: they never evaluate anything, read only the
fields we store, and raise ImportProblem saying where the input is wrong.
"""

import csv
import io
import json
import re
import unicodedata

from django.db.models import Q
from django.utils.text import slugify

from .canonical import canonical
from .models import Source

MAX_PASTE = 20_000  # characters: one entry, not a library


class ImportProblem(ValueError):
    """The input cannot be read; the message says where."""


# --------------------------------------------------------------------------- shared


def _page_range(text):
    text = (text or "").replace("\u2013", "-").replace("--", "-").strip()
    return text if re.fullmatch(r"\d{1,5}(-\d{1,5})?", text) else ""


def _small_int(value, low, high):
    """`value` (text or a number) as an int in [low, high], or None. Only ASCII digits,
    at most six: '²' passes str.isdigit() but not int(), and a 5,000-digit number is
    past what Python converts."""
    match = (
        re.fullmatch(r"[0-9]{1,6}", str(value).strip()) if value is not None else None
    )
    number = int(match.group()) if match else None
    return number if number is not None and low <= number <= high else None


def _year(text):
    match = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", str(text or ""))
    return int(match.group(1)) if match else None


def _split_title(title):
    title = " ".join((title or "").split())
    main, sep, sub = title.partition(": ")
    if sep and main and sub and not main.endswith(" "):
        return main, sub
    return title, ""


def _source_dict(fields, authors, editors):
    """The canonical dict of a Source from the fields every reader fills."""
    title, subtitle = _split_title(fields.get("title"))
    data = {
        "kind": fields.get("kind") or "",
        "title": title,
        "subtitle": subtitle,
        "container_title": fields.get("container_title", ""),
        "collection_title": fields.get("collection_title", ""),
        "volume": fields.get("volume", ""),
        "issue": fields.get("issue", ""),
        "edition": fields.get("edition", ""),
        "publisher": fields.get("publisher", ""),
        "place": fields.get("place", ""),
        "year": fields.get("year"),
        "month": fields.get("month"),
        "pages": _page_range(fields.get("pages")),
        "url": fields.get("url", ""),
        "doi": re.sub(r"^https?://(dx\.)?doi\.org/", "", fields.get("doi", "")),
        "isbn": fields.get("isbn", ""),
        "authors": authors,
        "editors": editors,
    }
    data = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
    data = {k: v for k, v in data.items() if v not in (None, "", [])}
    if not data.get("title"):
        raise ImportProblem("The entry has no title.")
    try:
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise ImportProblem(
            "The entry contains a character that is not valid text (a lone "
            "surrogate, as from a broken \\u escape)."
        ) from None
    return data


def suggest_slug(data):
    """family-family-year-first-word, as the dataset names sources; unique in the database."""
    families = [a["family"] for a in data.get("authors", [])[:2]]
    words = [w for w in slugify(data.get("title", "")).split("-") if len(w) > 3]
    parts = [*families, str(data.get("year") or "nd"), *(words[:1])]
    base = slugify(" ".join(parts))[:100] or "source"
    slug, n = base, 2
    while Source.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def find_duplicates(data):
    """Sources that look like the same work: same DOI, same ISBN, or the same title and year."""
    query = Q()
    if data.get("doi"):
        query |= Q(doi__iexact=data["doi"])
    if data.get("isbn"):
        query |= Q(isbn=data["isbn"])
    if data.get("title"):
        query |= Q(title__iexact=data["title"], year=data.get("year"))
    return list(Source.objects.filter(query)[:10]) if query else []


# --------------------------------------------------------------------------- BibTeX

_LATEX_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "c": "\u0327",
}
_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "jan",
            "feb",
            "mar",
            "apr",
            "may",
            "jun",
            "jul",
            "aug",
            "sep",
            "oct",
            "nov",
            "dec",
        ],
        1,
    )
}
BIBTEX_KINDS = {
    "article": "article",
    "book": "book",
    "incollection": "chapter",
    "inbook": "chapter",
    "inproceedings": "chapter",
    "techreport": "report",
    "report": "report",
    "online": "webpage",
    "misc": "webpage",
    "dataset": "dataset",
}


def _delatex(text):
    def accent(match):
        mark, letter = match.group(1), match.group(2)
        return unicodedata.normalize("NFC", letter + _LATEX_ACCENTS[mark])

    text = re.sub(r"\\([`'^\"~c])\s*\{?([A-Za-z])\}?", accent, text)
    text = text.replace("\\&", "&").replace("--", "\u2013").replace("~", " ")
    return " ".join(text.replace("{", "").replace("}", "").split())


def _skip_space(text, pos):
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _braced_value(text, pos):
    """The text between the brace at `pos` and its match, and the position after it."""
    depth, start = 0, pos
    while pos < len(text):
        if text[pos] == "{" and text[pos - 1] != "\\":
            depth += 1
        elif text[pos] == "}" and text[pos - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[start + 1 : pos], pos + 1
        pos += 1
    raise ImportProblem("BibTeX: unbalanced braces in a field value.")


def _quoted_value(text, pos):
    """The text between the quote at `pos` and the next unescaped one."""
    end = pos + 1
    while end < len(text) and (text[end] != '"' or text[end - 1] == "\\"):
        end += 1
    if end >= len(text):
        raise ImportProblem("BibTeX: a quoted value is not closed.")
    return text[pos + 1 : end], end + 1


_BARE_VALUE = re.compile(r"[A-Za-z0-9_.:-]+")


def _bare_value(text, pos):
    """A number, or a macro (a month's name becomes its number)."""
    match = _BARE_VALUE.match(text, pos)
    if not match:
        raise ImportProblem(
            f"BibTeX: unexpected {text[pos]!r} where a value should be."
        )
    word = match.group(0)
    if not word.isdigit():
        word = str(_MONTHS.get(word.lower()[:3], word))
    return word, match.end()


_VALUE_READERS = {"{": _braced_value, '"': _quoted_value}


def _bibtex_value(text, pos):
    """Read one value (braced, quoted, number or macro, joined by #) from `pos`."""
    parts = []
    while True:
        pos = _skip_space(text, pos)
        if pos >= len(text):
            raise ImportProblem("BibTeX: the entry ends inside a field value.")
        read = _VALUE_READERS.get(text[pos], _bare_value)
        part, pos = read(text, pos)
        parts.append(part)
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] == "#":
            pos += 1
            continue
        return "".join(parts), pos


def _bibtex_people(text):
    people = []
    for name in re.split(r"\s+and\s+", text.strip()):
        name = name.strip()
        if not name:
            continue
        if name.startswith("{") and name.endswith("}"):
            people.append({"family": _delatex(name)})
            continue
        name = _delatex(name)
        if "," in name:
            family, given = (p.strip() for p in name.split(",", 1))
        else:
            given, _, family = name.rpartition(" ")
        person = {"family": family}
        if given:
            person["given"] = given
        people.append(person)
    return people


_BIBTEX_FIELD = re.compile(r"([A-Za-z][\w-]*)\s*=")


def _bibtex_entry_start(text):
    """The entry type and the position after its key; one entry only."""
    entries = len(re.findall(r"(?m)^\s*@\s*[A-Za-z]+\s*[{(]", text))
    if entries > 1:
        raise ImportProblem(
            f"BibTeX: {entries} entries were pasted; paste one entry at a time "
            "(nothing was imported)."
        )
    match = re.search(r"@\s*([A-Za-z]+)\s*[{(]\s*([^,\s]*)\s*,", text)
    if not match:
        raise ImportProblem("BibTeX: expected an entry such as @article{key, ...}.")
    return match.group(1).lower(), match.end()


def _bibtex_fields(text, pos):
    """{field name: raw value} from `pos` to the entry's closing brace."""
    raw = {}
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text):
            raise ImportProblem("BibTeX: the entry is not closed with '}'.")
        if text[pos] in "})":
            return raw
        field = _BIBTEX_FIELD.match(text, pos)
        if not field:
            snippet = text[pos : pos + 20].splitlines()[0] if text[pos:] else ""
            line = text.count("\n", 0, pos) + 1
            raise ImportProblem(
                f"BibTeX line {line}: expected field = value, found {snippet!r}."
            )
        value, pos = _bibtex_value(text, field.end())
        raw[field.group(1).lower()] = value


def _first_of(fields, *names):
    """The first of `names` that `fields` has a non-empty value for, else ""."""
    return next((fields[n] for n in names if fields.get(n)), "")


def parse_bibtex(text):
    kind, pos = _bibtex_entry_start(text)
    raw = _bibtex_fields(text, pos)
    fields = {key: _delatex(value) for key, value in raw.items()}
    return _source_dict(
        {
            "kind": BIBTEX_KINDS.get(kind, "report"),
            "title": fields.get("title", ""),
            "container_title": _first_of(
                fields, "journal", "journaltitle", "booktitle"
            ),
            "collection_title": fields.get("series", ""),
            "volume": fields.get("volume", ""),
            "issue": _first_of(fields, "number", "issue"),
            "edition": fields.get("edition", ""),
            "publisher": _first_of(fields, "publisher", "institution"),
            "place": _first_of(fields, "address", "location"),
            "year": _year(_first_of(fields, "year", "date")),
            "month": _small_int(fields.get("month", ""), 1, 12),
            "pages": fields.get("pages", ""),
            "url": fields.get("url", ""),
            "doi": fields.get("doi", ""),
            "isbn": fields.get("isbn", ""),
        },
        _bibtex_people(raw.get("author", "")),
        _bibtex_people(raw.get("editor", "")),
    )


# --------------------------------------------------------------------------- RIS

RIS_KINDS = {
    "JOUR": "article",
    "JFULL": "article",
    "MGZN": "article",
    "BOOK": "book",
    "EBOOK": "book",
    "CHAP": "chapter",
    "ECHAP": "chapter",
    "RPRT": "report",
    "ELEC": "webpage",
    "WEB": "webpage",
    "BLOG": "webpage",
    "DATA": "dataset",
    "GOVDOC": "official",
    "BILL": "official",
    "STAT": "official",
    "LEGAL": "official",
}
_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")


def _ris_person(text):
    family, _, given = text.partition(",")
    person = {"family": family.strip()}
    if given.strip():
        person["given"] = given.strip()
    return person


class _RisReader:
    """The tags of one RIS entry, read line by line: {tag: [values]}."""

    def __init__(self):
        self.tags: dict[str, list[str]] = {}
        self.started = self.ended = False

    def read(self, number, line):
        if self.ended:
            raise ImportProblem(f"RIS line {number}: paste one entry at a time.")
        match = _RIS_LINE.match(line.rstrip())
        if not match:
            self.continue_value(number, line)
            return
        tag, value = match.group(1), (match.group(2) or "").strip()
        self.check_start(number, tag)
        if tag == "ER":
            self.ended = True
            return
        self.tags.setdefault(tag, []).append(value)

    def continue_value(self, number, line):
        """A line that is not a tag continues the previous value."""
        if not (self.started and self.tags):
            raise ImportProblem(
                f"RIS line {number}: expected 'XX  - value', found {line!r}."
            )
        last = list(self.tags)[-1]
        self.tags[last][-1] += " " + line.strip()

    def check_start(self, number, tag):
        if tag == "TY":
            if self.started:
                raise ImportProblem(f"RIS line {number}: paste one entry at a time.")
            self.started = True
        elif not self.started:
            raise ImportProblem(
                f"RIS line {number}: the entry must start with 'TY  - '."
            )


def _ris_tags(text):
    reader = _RisReader()
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            reader.read(number, line)
    if not reader.started:
        raise ImportProblem("RIS: expected an entry starting with 'TY  - '.")
    if not reader.ended:
        raise ImportProblem("RIS: the entry does not end with 'ER  - '.")
    return reader.tags


def _ris_month(date):
    month = re.match(r"\d{4}/(\d{1,2})", date)
    return int(month.group(1)) if month and 1 <= int(month.group(1)) <= 12 else None


def parse_ris(text):
    tags = _ris_tags(text)

    def first(*names):
        return next((tags[n][0] for n in names if tags.get(n)), "")

    start, end = first("SP"), first("EP")
    date = first("PY", "Y1", "DA")
    return _source_dict(
        {
            "kind": RIS_KINDS.get(first("TY").upper(), "report"),
            "title": first("TI", "T1", "CT"),
            "container_title": first("T2", "JO", "JF", "BT", "JA"),
            "collection_title": first("T3"),
            "volume": first("VL"),
            "issue": first("IS"),
            "edition": first("ET"),
            "publisher": first("PB"),
            "place": first("CY", "PP"),
            "year": _year(date),
            "month": _ris_month(date),
            "pages": f"{start}-{end}" if start and end and start != end else start,
            "url": first("UR"),
            "doi": first("DO"),
            "isbn": first("SN"),
        },
        [_ris_person(a) for a in tags.get("AU", []) + tags.get("A1", []) if a],
        [_ris_person(a) for a in tags.get("A2", []) + tags.get("ED", []) if a],
    )


# --------------------------------------------------------------------------- CSL-JSON

CSL_KINDS = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "article": "article",
    "book": "book",
    "chapter": "chapter",
    "paper-conference": "chapter",
    "report": "report",
    "webpage": "webpage",
    "post-weblog": "webpage",
    "dataset": "dataset",
    "legislation": "official",
    "treaty": "official",
    "legal_case": "official",
}


def _csl_people(value, key):
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ImportProblem(f"CSL-JSON: '{key}' must be a list of names.")
    people = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise ImportProblem(f"CSL-JSON: '{key}[{index}]' must be an object.")
        family = item.get("family") or item.get("literal")
        if not isinstance(family, str) or not family.strip():
            raise ImportProblem(f"CSL-JSON: '{key}[{index}]' has no family name.")
        person = {"family": family.strip()}
        if isinstance(item.get("given"), str) and item["given"].strip():
            person["given"] = item["given"].strip()
        people.append(person)
    return people


def _csl_text(item, key):
    value = item.get(key, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ImportProblem(f"CSL-JSON: '{key}' must be text.")
    return value


def parse_csl_json(text):
    try:
        item = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportProblem(
            f"CSL-JSON line {exc.lineno}, column {exc.colno}: {exc.msg}."
        ) from None
    except ValueError:  # a number too long for Python to convert
        raise ImportProblem("CSL-JSON: a number has too many digits.") from None
    except RecursionError:
        raise ImportProblem("CSL-JSON: nested too deeply to be one entry.") from None
    if isinstance(item, list):
        if len(item) != 1:
            raise ImportProblem("CSL-JSON: paste one entry at a time.")
        item = item[0]
    if not isinstance(item, dict):
        raise ImportProblem("CSL-JSON: expected an object with a 'type' and a 'title'.")
    parts = (
        (item.get("issued") or {}).get("date-parts")
        if isinstance(item.get("issued"), dict)
        else None
    )
    year = month = None
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        year = _year(parts[0][0])
        if len(parts[0]) > 1:
            month = _small_int(parts[0][1], 1, 12)
    return _source_dict(
        {
            "kind": CSL_KINDS.get(_csl_text(item, "type"), "report"),
            "title": _csl_text(item, "title"),
            "container_title": _csl_text(item, "container-title"),
            "collection_title": _csl_text(item, "collection-title"),
            "volume": _csl_text(item, "volume"),
            "issue": _csl_text(item, "issue"),
            "edition": _csl_text(item, "edition"),
            "publisher": _csl_text(item, "publisher"),
            "place": _csl_text(item, "publisher-place"),
            "year": year,
            "month": month,
            "pages": _csl_text(item, "page"),
            "url": _csl_text(item, "URL"),
            "doi": _csl_text(item, "DOI"),
            "isbn": _csl_text(item, "ISBN"),
        },
        _csl_people(item.get("author"), "author"),
        _csl_people(item.get("editor"), "editor"),
    )


def parse_reference(text):
    """A Source's canonical dict from one pasted BibTeX, RIS or CSL-JSON entry, without
    a slug (see suggest_slug). Reads nothing from the database."""
    text = (text or "").strip()
    if not text:
        raise ImportProblem("Paste a BibTeX, RIS or CSL-JSON entry.")
    if len(text) > MAX_PASTE:
        raise ImportProblem(
            f"That is more than {MAX_PASTE} characters: paste one entry."
        )
    if text.startswith("@"):
        return parse_bibtex(text)
    if text[0] in "[{":
        return parse_csl_json(text)
    if re.match(r"^TY  -", text):
        return parse_ris(text)
    raise ImportProblem(
        "Not recognised: BibTeX starts with @, RIS with 'TY  - ', CSL-JSON with { or [."
    )


# --------------------------------------------------------------------------- CSV

MAX_CSV_BYTES = 1_000_000
MAX_CSV_ROWS = 2_000
LIST_SEPARATOR = ";"


def csv_columns(record_type):
    """The flat columns of a record type: everything but citations and classifications,
    which stay as they are when a CSV row updates a record."""
    columns = [
        "slug",
        *record_type.scalars,
        *record_type.dates,
        *record_type.foreign_keys,
        *record_type.many,
    ]
    if record_type.model is Source:
        columns += ["pages", "authors", "editors"]
    return [*columns, "summary", "caveat", "curator_note", "wikidata"]


def _person_text(person):
    return ", ".join(filter(None, [person.get("family"), person.get("given")]))


# A spreadsheet runs a cell that starts with one of these as a formula: exported text
# gets a leading apostrophe (which spreadsheets hide), and the import takes it off.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defuse(text):
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _undefuse(text):
    return (
        text[1:]
        if text.startswith("'") and text[1:].startswith(FORMULA_START)
        else text
    )


def csv_row(record_type, data):
    """One CSV row (a dict by column) from a canonical dict."""
    row = {}
    for column in csv_columns(record_type):
        value = data.get(column)
        if column in ("authors", "editors"):
            value = f"{LIST_SEPARATOR} ".join(_person_text(p) for p in value or [])
        elif isinstance(value, list):
            value = f"{LIST_SEPARATOR} ".join(map(str, value))
        row[column] = "" if value is None else _defuse(str(value))
    return row


def write_csv(record_type, dicts):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=csv_columns(record_type))
    writer.writeheader()
    for data in dicts:
        writer.writerow(csv_row(record_type, data))
    return out.getvalue()


def _check_header(header: list[str], known: list[str]) -> None:
    """ImportProblem unless the header names known columns, each once, slug among them."""
    for index, name in enumerate(header, 1):
        if name not in known:
            raise ImportProblem(
                f"Row 1, column {index}: unknown column {name!r} (known: {', '.join(known)})."
            )
    if "slug" not in header:
        raise ImportProblem("Row 1: the file needs a 'slug' column.")
    if len(set(header)) != len(header):
        raise ImportProblem("Row 1: a column appears twice.")


def read_csv(record_type, raw: bytes):
    """[(row number, {column: value})] from an uploaded CSV; ImportProblem naming the row
    and column for anything that is not a well-formed table of known columns."""
    if len(raw) > MAX_CSV_BYTES:
        raise ImportProblem(f"The file is larger than {MAX_CSV_BYTES // 1000} kB.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportProblem(f"The file is not UTF-8 text (byte {exc.start}).") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportProblem("The file is empty.") from None
    except csv.Error as exc:
        raise ImportProblem(f"Row 1: {exc}.") from None
    _check_header(header, csv_columns(record_type))
    rows = []
    try:
        for values in reader:
            number = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise ImportProblem(
                    f"Row {number}: {len(values)} cells where the header has {len(header)}."
                )
            rows.append((number, dict(zip(header, values, strict=True))))
            if len(rows) > MAX_CSV_ROWS:
                raise ImportProblem(f"More than {MAX_CSV_ROWS} rows: split the file.")
    except csv.Error as exc:
        raise ImportProblem(f"Row {reader.line_num}: {exc}.") from None
    return rows


def _is_integer(record_type, column):
    """Whether `column` is one of the record's plain whole-number fields (year, order).
    Columns that are not model fields (start, founded, pages, wikidata) are text."""
    if column not in record_type.scalars:
        return False
    field = record_type.model._meta.get_field(column)
    return field.get_internal_type().endswith("IntegerField")


def apply_csv_row(record_type, base, row):
    """A record's canonical dict: `base` (the current one, or {}) with the row's cells.
    An empty cell removes the key, as the canonical dict omits what is empty, so an
    unchanged row gives back exactly `base`."""
    data = dict(base)
    for column, raw in row.items():
        value = _undefuse(raw.strip())
        if column in ("authors", "editors"):
            value = [
                _ris_person(p.strip()) for p in value.split(LIST_SEPARATOR) if p.strip()
            ]
        elif column in record_type.many:
            value = [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip()]
        elif value and _is_integer(record_type, column):
            number = _small_int(value, 0, 999_999)
            if number is None:
                shown = value if len(value) <= 20 else value[:20] + "..."
                raise ImportProblem(f"column {column}: {shown!r} is not a whole number")
            value = number
        data[column] = value
    return canonical(data)
