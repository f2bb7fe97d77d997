"""Query-string filters, read the way the schema describes them.

An empty parameter (``?q=``) is no filter only for free text, which forms and generated
clients send empty. For a typed parameter (a date, a number, a boolean, a choice) an empty
value is not a value of that type: it is refused with 400 like any other bad value, so the
schema's types are exactly what the server accepts (docs/api.md).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


def _free_text(field: serializers.Field) -> bool:
    return isinstance(field, serializers.CharField)


def given_params(request: Any, serializer_class: type[serializers.Serializer]) -> dict[str, str]:
    """The known parameters of ``serializer_class`` in the request's query string."""
    fields = serializer_class().fields
    given: dict[str, str] = {}
    for key, value in request.query_params.items():
        field = fields.get(key)
        if field is None or (value == "" and _free_text(field)):
            continue
        given[key] = value
    return given


# Schemas of typed query parameters, with the bounds their serializers enforce.
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2_147_483_647}
YEAR_SCHEMA = {"type": "integer", "minimum": 1900, "maximum": 2999}
