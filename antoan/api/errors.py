"""One error shape for the whole API: ``{"error": {"code", "message", "fields"?}}``.

Messages are translated by the request's Accept-Language (Vietnamese by default).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback


class ApiError(exceptions.APIException):
    """An error with our own code, raised by endpoints for domain refusals."""

    def __init__(self, code: str, message: str, http_status: int = 400, fields=None):
        super().__init__(detail=message, code=code)
        self.status_code = http_status
        self.error_code = code
        self.fields = fields


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    error: dict[str, Any] = {"code": code, "message": str(message)}
    if fields:
        error["fields"] = fields
    return {"error": error}


def error_response(http_status: int, code: str, message: str, fields=None) -> JsonResponse:
    return JsonResponse(error_body(code, message, fields), status=http_status)


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [f"{key}: {msg}" for key, value in detail.items() for msg in _flatten(value)]
    if isinstance(detail, list):
        return [msg for item in detail for msg in _flatten(item)]
    return [str(detail)]


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if not isinstance(detail, dict):
        return {"non_field_errors": _flatten(detail)}
    return {str(key): _flatten(value) for key, value in detail.items()}


def conflict_body(exc: Any) -> dict:
    """409 for a stale version: what changed since the version the client loaded."""
    body = error_body(
        "conflict",
        _(
            "Hồ sơ đã được người khác cập nhật sau khi bạn mở (phiên bản %(loaded)s, hiện là "
            "%(current)s). Hãy tải lại và nhập lại thay đổi của bạn."
        )
        % {"loaded": exc.loaded_version, "current": exc.case.version},
    )
    body["error"]["current_version"] = exc.case.version
    body["error"]["changes"] = [
        {
            "version": event.version,
            "kind": event.kind,
            "at": event.at.isoformat(),
            "by": event.actor.get_full_name() or event.actor.get_username(),
        }
        for event in exc.events
    ]
    return body


def exception_handler(exc: Exception, context: dict) -> Response | None:
    from antoan.cases.services import CaseConflict

    if isinstance(exc, CaseConflict):
        set_rollback()
        return Response(conflict_body(exc), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, RequestDataTooBig):
        set_rollback()
        return Response(
            error_body("payload_too_large", _("Dữ liệu gửi lên quá lớn.")),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: let Django log it and answer 500

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()

    if isinstance(exc, ApiError):
        body = error_body(exc.error_code, str(exc.detail), exc.fields)
    elif isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", _("Dữ liệu không hợp lệ."), _field_errors(exc.detail))
    else:
        body = error_body(_CODES.get(type(exc), "error"), _message(exc))
    return Response(body, status=exc.status_code, headers=headers)


_CODES: dict[type, str] = {
    exceptions.ParseError: "malformed_json",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
}


def _message(exc: exceptions.APIException) -> str:
    # Our own wording, translated, rather than DRF's (which may leak parser internals).
    messages = {
        exceptions.ParseError: _("Nội dung gửi lên không phải JSON hợp lệ."),
        exceptions.AuthenticationFailed: _("Mã truy cập không hợp lệ hoặc đã hết hạn."),
        exceptions.NotAuthenticated: _("Bạn cần đăng nhập (gửi mã truy cập)."),
        exceptions.PermissionDenied: _("Bạn không có quyền thực hiện thao tác này."),
        exceptions.NotFound: _("Không tìm thấy."),
        exceptions.MethodNotAllowed: _("Phương thức không được hỗ trợ."),
        exceptions.UnsupportedMediaType: _("Chỉ chấp nhận nội dung JSON."),
        exceptions.Throttled: _("Quá nhiều yêu cầu; hãy thử lại sau."),
    }
    return str(messages.get(type(exc), exc.detail))
