"""Limits on JSON request bodies: none is deep or large enough to exhaust a parser.

Python's json module recurses once per nesting level, so 5,000 nested `[` raise RecursionError (a 500).
Nothing the portal accepts nests more than a few levels, so every JSON body is checked before anything parses
it: by portal.bodylimits' middleware for every view (allauth's headless endpoints parse JSON themselves), and
by the API's parser for DRF. Too deep or too large is a 400 in the API's problem format.
"""

from __future__ import annotations

import io
import re
from array import array
from itertools import accumulate

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(rb"[^\[\]{}]")
_DEPTH_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 / -1 as signed bytes


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (brackets inside strings do not count)."""
    brackets = _NOT_BRACKETS.sub(b"", _STRINGS.sub(b"", raw)).translate(_DEPTH_STEP)
    return max(accumulate(array("b", brackets)), default=0)


class JSONParser(parsers.JSONParser):
    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise ParseError(_("The request body is too large."))
        if json_depth(raw) > self.max_depth:
            raise ParseError(_("The request body is nested too deeply."))
        return super().parse(io.BytesIO(raw), media_type, parser_context)
