"""Cursor pagination for every list (docs/api.md).

``limit`` and ``cursor`` are checked, not guessed at: a ``limit`` that is not a whole number
from 1 to ``max_page_size`` and a ``cursor`` this server did not hand out are refused with
400 ``invalid`` naming the parameter, as the schema says, rather than silently replaced by the
default page size or answered with a 404.
"""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import parse_qsl

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
_WHOLE_NUMBER = re.compile(r"[0-9]{1,6}")


def limit_error() -> exceptions.ValidationError:
    return exceptions.ValidationError(
        {"limit": [_("Số dòng mỗi trang phải là số nguyên từ 1 đến %d.") % MAX_PAGE_SIZE]}
    )


def cursor_error() -> exceptions.ValidationError:
    return exceptions.ValidationError(
        {"cursor": [_("Con trỏ trang không hợp lệ: hãy dùng đúng giá trị trang trước trả về.")]}
    )


def parse_limit(raw: Any) -> int:
    """A page size from a query string or a JSON body; anything else is a 400."""
    if raw is None:
        return PAGE_SIZE
    if isinstance(raw, bool):
        raise limit_error()
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _WHOLE_NUMBER.fullmatch(raw):
        value = int(raw)
    else:
        raise limit_error()
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise limit_error()
    return value


def _well_formed(raw: str) -> bool:
    """Strict base64 of the ``o``/``r``/``p`` query DRF encodes (its decoder skips junk)."""
    try:
        decoded = base64.b64decode(raw.encode("ascii"), validate=True).decode("ascii")
    except (ValueError, UnicodeError):
        return False
    keys = {key for key, _value in parse_qsl(decoded, keep_blank_values=True)}
    return bool(keys) and keys <= {"o", "r", "p"}


LIMIT_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}
CURSOR_PARAMETER = OpenApiParameter(
    "cursor",
    str,
    description="From the previous page's `next`; any other value is refused (400).",
)
LIMIT_PARAMETER = OpenApiParameter(
    "limit",
    {**LIMIT_SCHEMA},
    description=f"Page size (default {PAGE_SIZE}, 1 to {MAX_PAGE_SIZE}; else 400).",
)


class Cursor(CursorPagination):
    """Lists as ``{"results": [...], "next": url|null}`` (docs/api.md)."""

    page_size = PAGE_SIZE
    page_size_query_param = "limit"
    max_page_size = MAX_PAGE_SIZE
    ordering = "pk"

    def get_page_size(self, request):
        return parse_limit(request.query_params.get(self.page_size_query_param))

    def decode_cursor(self, request):
        raw = request.query_params.get(self.cursor_query_param)
        if raw == "":
            return None  # "?cursor=" as forms send it: the first page
        if raw is not None and not _well_formed(raw):
            raise cursor_error()
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as exc:
            raise cursor_error() from exc

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view=view)
        except (DjangoValidationError, ValueError, OverflowError) as exc:
            # A well-encoded cursor whose position is not a value of the ordering field.
            raise cursor_error() from exc

    def get_paginated_response(self, data):
        return Response({"results": data, "next": self.get_next_link()})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results", "next"],
            "properties": {
                "results": schema,
                "next": {"type": "string", "format": "uri", "nullable": True},
            },
        }

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {**LIMIT_SCHEMA}
                parameter["description"] = LIMIT_PARAMETER.description
            elif parameter["name"] == self.cursor_query_param:
                parameter["description"] = CURSOR_PARAMETER.description
        return parameters
