"""OpenAPI descriptions of our authentication schemes."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "antoan.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Token from POST /api/v1/auth/token (expires; can be revoked).",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "antoan.api.authentication.SessionAuthentication"
    name = "sessionAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


# --- Errors every operation may answer, documented once for all ------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "`invalid`, `not_found`, ..."},
                "message": {"type": "string", "description": "In the caller's language."},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "Messages per field; nested names are dotted.",
                },
            },
        }
    },
}

_DESCRIPTIONS = {
    "400": "`invalid` (see `fields`), `malformed_json`, `json_too_deep` or a domain code; "
    "nothing was changed.",
    "401": "`not_authenticated`, `authentication_failed`, `session_expired`.",
    "403": "`permission_denied`, `two_factor_required`: your role may not do this.",
    "404": "`not_found`: missing, or not yours (the same answer, so ids cannot be probed).",
    "413": "`payload_too_large`: the body is over the size limit.",
    "415": "`unsupported_media_type`: the body is not JSON.",
}


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: the error answers every operation can give.

    Whatever the view declares, an operation answers 401/403 when it needs a signed-in caller,
    400 when it takes parameters or a body (bad ones are refused, see ``api.query`` and
    ``api.pagination``), 404 when its path names an object, and 413/415 when it takes a body.
    Each in the one error envelope (``antoan.api.errors``). Error responses a view described
    without a body get the envelope's schema too.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ApiError"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/ApiError"}
    _versioned_patches(result, schemas)
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = []
            if any(requirement for requirement in operation.get("security", [{}])):
                codes += ["401", "403"]
            if operation.get("parameters") or operation.get("requestBody"):
                codes.append("400")
            if "{" in path:
                codes.append("404")
            if operation.get("requestBody"):
                codes += ["413", "415"]
            responses = operation["responses"]
            for code in codes:
                responses.setdefault(code, {"description": _DESCRIPTIONS[code]})
            for code, response in responses.items():
                if code.startswith(("4", "5")) and "content" not in response:
                    response["content"] = {"application/json": {"schema": ref}}
    return result


def _versioned_patches(result, schemas) -> None:
    """A PATCH body is partial, but never without the ``version`` it changes, nor with only
    that: drf-spectacular marks every field of a ``Patched…`` body optional, so say it here."""
    for operations in result.get("paths", {}).values():
        operation = operations.get("patch")
        if not operation or "requestBody" not in operation:
            continue
        for media in operation["requestBody"].get("content", {}).values():
            name = media.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
            component = schemas.get(name)
            if component and "version" in component.get("properties", {}):
                component["required"] = ["version"]
                component["minProperties"] = 2
        operation["requestBody"]["required"] = True


class StrictBodyScheme(OpenApiSerializerExtension):
    """Bodies read by ``StrictSerializer`` refuse unknown keys (400): the schema says so."""

    target_class = "antoan.api.cases.fields.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


class EstimateBodyScheme(StrictBodyScheme):
    """``EstimateIn`` refuses unknown keys itself (``validate``), as strictly."""

    target_class = "antoan.api.indicators.views.EstimateIn"
    match_subclasses = False


class ReplayedCaseScheme(OpenApiSerializerExtension):
    """A replay of a case the caller may no longer open holds ``id`` and ``number`` and nothing
    else: saying so keeps the 201 answer's ``oneOf`` unambiguous."""

    target_class = "antoan.api.cases.outputs.CaseReplayedOut"

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = False
        return schema
