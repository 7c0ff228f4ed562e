"""A JSON parser that refuses hostile shapes before parsing them.

Python's json module recurses once per nesting level (100,000 `[` raised RecursionError, a
500) and builds every element of a huge array before any serializer can refuse it (10,000
citations tied a worker up for 30 s). Our largest legitimate body, a mission with its
citations and classifications, nests about 6 levels and has a few hundred values.
"""

import io
import re

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 20
MAX_VALUES = 5000  # array elements and object members, counted by their separators

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


def check_json_shape(body: bytes):
    """Raise ParseError if `body` nests deeper than MAX_DEPTH or holds more than
    MAX_VALUES values. Strings are skipped, so brackets and commas inside them count
    for nothing; malformed JSON is left to the parser's own message."""
    structure = _STRING.sub(b'""', body)
    if structure.count(b",") >= MAX_VALUES:
        raise ParseError(f"JSON body: more than {MAX_VALUES} values.")
    depth = 0
    for match in _BRACKETS.finditer(structure):
        if match.group() in b"[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ParseError(
                    f"JSON body: nested more than {MAX_DEPTH} levels deep."
                )
        else:
            depth -= 1


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read() if stream is not None else b""
        check_json_shape(body)
        return super().parse(io.BytesIO(body), media_type, parser_context)
