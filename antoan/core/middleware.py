"""Request id, client IP and security headers."""

from __future__ import annotations

import ipaddress
import logging
import re
import uuid

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

logger = logging.getLogger(__name__)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# No 'unsafe-inline' anywhere: every script and style comes from our own static files.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def client_ip(request) -> str | None:
    """The client's address from the configured headers (REMOTE_ADDR unless behind a proxy)."""
    for header in settings.AXES_IPWARE_META_PRECEDENCE_ORDER:
        raw = request.META.get(header, "")
        # X-Forwarded-For holds a list; the left-most entry is the original client.
        candidate = raw.split(",")[0].strip()
        try:
            return ipaddress.ip_address(candidate).compressed
        except ValueError:
            continue
    return None


class RequestIdMiddleware:
    """Give every request an id (kept from a sane X-Request-ID) that logs and audit share."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.client_ip = client_ip(request)
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class ApiRequiresHttpsMiddleware:
    """Where pages redirect plain HTTP to HTTPS, the API refuses it instead.

    A redirect would let a partner system misconfigured for ``http://`` go on sending its token
    in clear without anyone noticing; a refusal makes the mistake visible on the first call.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SECURE_SSL_REDIRECT and not request.is_secure() and _is_api(request.path):
            from antoan.api.errors import error_response

            return error_response(
                403,
                "https_required",
                translation.gettext(
                    "API chỉ nhận kết nối HTTPS. Hãy sửa địa chỉ thành https:// và thu hồi mã "
                    "truy cập đã gửi qua HTTP."
                ),
            )
        return self.get_response(request)


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class LanguageMiddleware(LocaleMiddleware):
    """Pages are in Vietnamese unless the user switched; the API follows Accept-Language.

    Browsers in Vietnam are often set to English; a case worker should not get an English
    system because of it. Partner systems calling the API choose their language per request.
    """

    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None


class EncryptedDataIntegrityMiddleware:
    """A stored value that does not decrypt, or was sealed for another row, means someone
    wrote to the database behind the application: refuse the page, say so, and audit it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from antoan.core.audit import audit_record
        from antoan.core.crypto import DecryptionError, RowMismatchError
        from antoan.core.models import AuditAction
        from antoan.core.views import integrity_error

        if not isinstance(exception, DecryptionError):
            return None
        extra: dict[str, object] = {"error": type(exception).__name__}
        object_type = object_id = ""
        if isinstance(exception, RowMismatchError):
            object_type, object_id = exception.model, str(exception.row)
            extra["field"] = exception.field
        logger.error("Encrypted data integrity: %s", exception)
        audit_record(
            action=AuditAction.INTEGRITY_FAILED,
            request=request,
            object_type=object_type,
            object_id=object_id,
            extra=extra,
        )
        return integrity_error(request)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every answer the application itself gives.

    Case, referral and call data appear on pages, in API answers, in downloads and even in
    error pages' context; deciding page by page would miss one. Nothing the application
    renders is worth caching in a browser, a shared office computer's disk or a proxy, so
    everything is no-store. Static files are served before this middleware (WhiteNoise,
    runserver) and keep their long cache lifetimes; the path check keeps it so if the order
    ever changes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.STATIC_URL and request.path.startswith(settings.STATIC_URL):
            return response
        if "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"  # HTTP/1.0 caches and old proxies
        return response


def _is_public(match) -> bool:
    func = match.func
    view_class = getattr(func, "view_class", None) or getattr(func, "cls", None)
    return any(getattr(holder, "public", False) is True for holder in (func, view_class))


class RefusalAuditMiddleware:
    """Audit every 403 and 404 a view answered that nothing audited on the way.

    Object lookups answer 404 for missing and forbidden objects alike and record nothing
    themselves; here the refusal becomes a ``permission_denied`` event naming the object the
    URL points at (see ``antoan.core.refusals``). Innermost in the stack, so it sees the
    response of the view (exceptions already turned into responses) for pages and API alike.
    Public views (login, language switch) have their own events.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from antoan.core.refusals import audit_refusal

        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if response.status_code in (403, 404) and match is not None and not _is_public(match):
            audit_refusal(request, status=response.status_code)
        return response
