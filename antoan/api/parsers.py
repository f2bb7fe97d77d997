"""JSON request bodies, with nesting bounded before anything recursive sees them.

Python's ``json`` decoder recurses once per ``[`` or ``{``: a 1 MiB body of brackets raises
``RecursionError``, which is not a ``ValueError`` and would end as a 500. No body of this API
nests deeper than a handful of levels, so anything deeper than ``MAX_DEPTH`` is refused with
400 ``json_too_deep`` by a flat scan (no recursion, linear in the body) before decoding.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json as drf_json

MAX_DEPTH = 64

# A JSON string (escapes included) or a bracket; brackets inside strings do not count.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)


def nesting_depth_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether ``text`` opens more than ``limit`` arrays or objects inside one another."""
    depth = 0
    for match in _TOKENS.finditer(text):
        piece = match.group()
        if piece in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif piece in ("]", "}"):
            depth -= 1
    return False


def too_deep() -> Exception:
    # Imported here: errors imports DRF's views, whose settings import this parser.
    from antoan.api.errors import ApiError

    return ApiError(
        "json_too_deep",
        _("Dữ liệu JSON lồng nhau quá %(limit)d cấp.") % {"limit": MAX_DEPTH},
        400,
    )


def loads(text: str, *, strict: bool = True) -> Any:
    """``json.loads`` for untrusted text: depth bounded first, constants refused if strict."""
    if nesting_depth_exceeds(text):
        raise too_deep()
    parse_constant = drf_json.strict_constant if strict else None
    return json.loads(text, parse_constant=parse_constant)


class BoundedJSONParser(parsers.JSONParser):
    """DRF's JSON parser with the depth check (the API's only parser, see settings)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
            return loads(text, strict=self.strict)
        except ValueError as exc:
            raise ParseError(str(exc)) from exc
