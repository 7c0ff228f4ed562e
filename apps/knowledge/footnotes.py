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


class Footnotes:
    def __init__(self):
        self.notes = []
        self._by_key = {}

    def cite(self, citations):
        """Number `citations` (an iterable) and return their footnotes, in order, once each."""
        notes = []
        for citation in citations:
            key = (
                citation.source_id,
                citation.locator_type,
                citation.locator,
                citation.note,
            )
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

    def __iter__(self):
        return iter(self.notes)

    def __len__(self):
        return len(self.notes)


def by_claim(citations, claims):
    """The citations among `citations` that support one of `claims`."""
    return [c for c in citations if c.claim in claims]
