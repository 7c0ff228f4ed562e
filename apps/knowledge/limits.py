"""Limits the pages and the API share: one number each, read at call time (so a test
can lower it in one place and see both channels follow)."""

# Records compared side by side at most, on /compare/<kind>/ and /api/v1/compare/records/:
# four columns still read as a table on a laptop; more is better served by the lists.
COMPARE_MAX = 4
COMPARE_MIN = 2  # the page needs two to compare; the API answers with one

# Related records listed on a detail page and nested in an API detail, per relation (and
# per type of citing record on a source's page): above the largest curated list (37
# missions invoke democracy), so only the generated data is ever cut; the rest through
# the list filtered by the record (`<name>_count` and "Showing 50 of N" say how many).
RELATED_LIMIT = 50


def is_page_number(raw: str) -> bool:
    """A list's page number as the pages and the API take it: a whole number from 1 in
    ASCII digits ("007" is page 7), or "last". Not "0", "-1", "1.5", "1e3", "abc" or a
    full-width one (which int() would read). Read without int(), which refuses more
    than 4,300 digits: a long number is a page past the end, not a server error."""
    if raw == "last":
        return True
    return raw.isascii() and raw.isdigit() and raw.strip("0") != ""
