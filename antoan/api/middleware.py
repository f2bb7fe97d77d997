"""Every error under ``/api/`` is the JSON envelope, never an HTML page.

Django answers some errors before or around any API view: an unknown URL (``Resolver404``),
a server error, a refused host or CSRF token. Without ``DEBUG`` the handlers in
``antoan.core.views`` already answer JSON under ``/api/``; with ``DEBUG`` on Django shows its
technical HTML pages instead. This middleware, outermost but for the request id, replaces any
error response under ``/api/`` that is not JSON with the envelope for the same status, so the
schema's promise holds in every configuration.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from antoan.api.errors import error_response

API_PREFIX = "/api/"


def _code_and_message(status: int) -> tuple[str, str]:
    known = {
        400: ("bad_request", _("Yêu cầu không hợp lệ.")),
        401: ("not_authenticated", _("Bạn cần đăng nhập (gửi mã truy cập).")),
        403: ("permission_denied", _("Bạn không có quyền thực hiện thao tác này.")),
        404: ("not_found", _("Không tìm thấy.")),
        405: ("method_not_allowed", _("Phương thức không được hỗ trợ.")),
        413: ("payload_too_large", _("Dữ liệu gửi lên quá lớn.")),
        415: ("unsupported_media_type", _("Chỉ chấp nhận nội dung JSON.")),
        429: ("rate_limited", _("Quá nhiều yêu cầu; hãy thử lại sau.")),
    }
    if status in known:
        return known[status]
    if status >= 500:
        return (
            "server_error",
            _("Đã xảy ra lỗi. Dữ liệu bạn đã lưu không bị ảnh hưởng; hãy thử lại sau."),
        )
    return "error", _("Yêu cầu không thành công.")


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = _code_and_message(response.status_code)
            replaced = error_response(response.status_code, code, message)
            for header in ("Allow", "Retry-After", "WWW-Authenticate", "X-Request-ID"):
                if header in response:
                    replaced[header] = response[header]
            return replaced
        return response
