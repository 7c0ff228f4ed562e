"""Tiny, strict readers for the export formats, so tests can parse what we write back.

They follow the grammar reference managers accept (BibTeX: balanced braces, `key = {value}`
or a bare month macro; RIS: `TY  - ` ... `ER  - `, two-letter tags) and fail loudly on
anything else.
"""

import re

_ENTRY = re.compile(r"@(\w+)\{([^,\s{}]+),")
_FIELD = re.compile(r"\s*(\w+)\s*=\s*")


def _braced(text, start):
    assert text[start] == "{", f"expected '{{' at {start}: {text[start : start + 20]!r}"
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char == "\\":
            continue
        if char == "{" and text[index - 1] != "\\":
            depth += 1
        elif char == "}" and text[index - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[start + 1 : index], index + 1
    raise AssertionError("unbalanced braces")


def parse_bibtex(text):
    """[{'type', 'key', fields...}] from BibTeX text; raises AssertionError if malformed."""
    entries = []
    position = 0
    while True:
        match = _ENTRY.search(text, position)
        if not match:
            assert not text[position:].strip(), f"junk: {text[position:]!r}"
            return entries
        assert not text[position : match.start()].strip(), "junk between entries"
        entry = {"type": match.group(1).lower(), "key": match.group(2)}
        position = match.end()
        while True:
            rest = text[position:]
            if rest.lstrip().startswith("}"):
                position += rest.index("}") + 1
                break
            field = _FIELD.match(text, position)
            assert field, f"expected a field at {text[position : position + 30]!r}"
            position = field.end()
            if text[position] == "{":
                value, position = _braced(text, position)
            else:
                bare = re.match(r"[A-Za-z0-9]+", text[position:])
                assert bare, "expected a value"
                value = bare.group(0)
                position += bare.end()
            entry[field.group(1).lower()] = value
            comma = re.match(r"\s*,?", text[position:])
            position += comma.end()
        entries.append(entry)


def parse_ris(text):
    """[{tag: [values]}] from RIS text; raises AssertionError if malformed."""
    records, current = [], None
    for line in text.splitlines():
        if not line.strip():
            continue
        match = re.match(r"^([A-Z][A-Z0-9])  - ?(.*)$", line)
        assert match, f"not a RIS line: {line!r}"
        tag, value = match.groups()
        if tag == "TY":
            assert current is None, "TY inside a record"
            current = {"TY": [value]}
        elif tag == "ER":
            assert current is not None, "ER outside a record"
            records.append(current)
            current = None
        else:
            assert current is not None, f"{tag} outside a record"
            current.setdefault(tag, []).append(value)
    assert current is None, "record without ER"
    return records
