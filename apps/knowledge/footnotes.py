"""Numbered footnotes: every cited statement on a page points to a numbered source note.

A page hands its citations to `Footnotes.cite()` in reading order and gets back the numbers
to print; identical references (same source and locator) share one number. Only citations
of published sources are ever numbered: the views prefetch nothing else.
"""

from dataclasses import dataclass


@dataclass
class Footnote:
    number: int
    citation: object
    claims: list


def _key(citation):
    return (citation.source_id, citation.locator_type, citation.locator, citation.note)


class Footnotes:
    def __init__(self):
        self.notes = []
        self.further = []  # cited by the record, but by no statement the page prints
        self._by_key = {}

    def cite(self, citations):
        """Number `citations` (an iterable) and return their footnotes, in order, once each.
        Call it only for citations whose numbers the page prints as markers."""
        notes = []
        for citation in citations:
            key = _key(citation)
            note = self._by_key.get(key)
            if note is None:
                note = Footnote(len(self.notes) + 1, citation, [])
                self.notes.append(note)
                self._by_key[key] = note
            label = citation.get_claim_display()
            if label not in note.claims:
                note.claims.append(label)
            if note not in notes:
                notes.append(note)
        return notes

    def cite_dimension(self, dimension, record, citations, items=None):
        """A coded dimension's value and the footnotes of the citations for its claims,
        and whether what is shown (its value, or `items`) has none: a coded value that
        no citation supports says so, rather than pass for sourced beside its cited
        neighbours."""
        value = dimension.value(record)
        notes = self.cite(by_claim(citations, dimension.claims))
        return {
            "value": value,
            "notes": notes,
            "uncited": bool(value or items) and not notes,
        }

    def add_further(self, citations):
        """Keep the citations that no printed statement points to, unnumbered, as
        "further sources": a numbered note must always have a marker in the text."""
        further = {}
        for citation in citations:
            key = _key(citation)
            if key in self._by_key:
                continue
            note = further.setdefault(key, Footnote(None, citation, []))
            label = citation.get_claim_display()
            if label not in note.claims:
                note.claims.append(label)
        self.further.extend(further.values())

    def __iter__(self):
        return iter(self.notes)

    def __len__(self):
        return len(self.notes)


def by_claim(citations, claims):
    """The citations among `citations` that support one of `claims`."""
    return [c for c in citations if c.claim in claims]
