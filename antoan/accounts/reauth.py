"""Step-up re-authentication: the password or a current code again, before a sensitive act.

Exports of rows (not aggregates), role changes, consent overrides, two-factor resets and data
subject access packages run only when the user proved, within ``ANTOAN_REAUTH_MINUTES``
(default 5), that they are the person at the keyboard, not someone who found an unlocked
screen or a copied cookie. Apply it with:

- :class:`RecentAuthRequiredMixin` on a class-based view (after the permission mixin, so a
  user without the permission gets the 403, not a password prompt);
- :func:`require_recent_auth` on a function view (after ``permission_required``);
- :func:`has_recent_auth` + :func:`reauth_required_response` inside a view that needs it only
  for some inputs (e.g. a referral with the emergency consent override);
- :func:`reauth_confirm` to check a secret typed into a form of one's own (the same rules,
  limits and audit as the confirmation page).

Web pages send the user to ``accounts:reauth`` ("Xác nhận lại mật khẩu hoặc mã OTP") and back.
The API answers ``403 reauth_required``: a bearer token counts as fresh for the same minutes
after it was issued (``POST /api/v1/auth/token`` asks for the password and code), so an API
client steps up by taking a new token. See docs/security.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import user_has_device

from antoan.accounts import services
from antoan.accounts.models import ApiToken, User
from antoan.core.audit import audit_record
from antoan.core.models import AuditAction

# Unix seconds of the last confirmation, and wrong answers since (the session is JSON).
SESSION_REAUTH_AT = "antoan_reauth_at"
SESSION_REAUTH_FAILURES = "antoan_reauth_failures"
# Wrong answers in a row before the session is ended: whoever keeps guessing on a signed-in
# screen is probably not its owner.
MAX_REAUTH_FAILURES = 5
# A password is at least 12 characters (AUTH_PASSWORD_VALIDATORS), so 6 to 8 digits can only
# be an authenticator code.
_CODE_LENGTHS = range(6, 9)


def _http(request: Any) -> HttpRequest:
    return getattr(request, "_request", request)


def reauth_window_seconds(minutes: int | None = None) -> int:
    return (minutes or settings.ANTOAN_REAUTH_MINUTES) * 60


def has_recent_auth(request: Any, minutes: int | None = None) -> bool:
    """Did this user give their password or a code within the window?

    A session counts its login and its last confirmation; a bearer token counts its issue
    (which took the password and the code).
    """
    window = reauth_window_seconds(minutes)
    moment = services.now()
    token = getattr(request, "auth", None) if hasattr(request, "_request") else None
    if isinstance(token, ApiToken):
        return (moment - token.created_at).total_seconds() < window
    session = getattr(_http(request), "session", None)
    if session is None:
        return False
    times = [
        value
        for value in (session.get(SESSION_REAUTH_AT), session.get(services.SESSION_LOGIN_AT))
        if isinstance(value, int | float)
    ]
    return bool(times) and moment.timestamp() - max(times) < window


def reauth_url(request: HttpRequest, *, download: bool = False) -> str:
    """The confirmation page, coming back to this request's page (a GET) afterwards."""
    params = {"next": request.get_full_path() if request.method == "GET" else request.path}
    if download:
        params["download"] = "1"
    return f"{reverse('accounts:reauth')}?{urlencode(params)}"


def reauth_required_message() -> str:
    minutes = settings.ANTOAN_REAUTH_MINUTES
    return ngettext(
        "Thao tác này cần bạn xác nhận lại mật khẩu hoặc mã OTP (trong %(minutes)d phút gần nhất).",
        "Thao tác này cần bạn xác nhận lại mật khẩu hoặc mã OTP (trong %(minutes)d phút gần nhất).",
        minutes,
    ) % {"minutes": minutes}


def reauth_required_response(request: Any, *, download: bool = False) -> HttpResponse:
    """Where a request without a recent confirmation goes: the page, or the API's 403."""
    http = _http(request)
    if http.path.startswith("/api/"):
        from antoan.api.errors import error_response

        return error_response(
            403,
            "reauth_required",
            _(
                "Thao tác này cần xác thực gần đây: hãy lấy mã truy cập mới "
                "(POST /api/v1/auth/token) rồi gửi lại yêu cầu."
            ),
        )
    url = reauth_url(http, download=download)
    if http.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def require_recent_auth(
    view: Callable | None = None, *, minutes: int | None = None, download: bool = False
) -> Callable:
    """Decorator for function views: ask for the password or a code unless given recently."""

    def decorator(func: Callable) -> Callable:
        @wraps(func)
        def wrapped(request, *args, **kwargs):
            if not has_recent_auth(request, minutes):
                return reauth_required_response(request, download=download)
            return func(request, *args, **kwargs)

        wrapped.requires_recent_auth = True  # type: ignore[attr-defined]
        return wrapped

    return decorator(view) if view is not None else decorator


class RecentAuthRequiredMixin:
    """Class-based views: put after the permission mixin (``class V(PermMixin, this, View)``)."""

    reauth_minutes: int | None = None
    # A file download: the confirmation page offers a link rather than redirecting to a file.
    reauth_download = False
    requires_recent_auth = True

    def needs_recent_auth(self, request) -> bool:
        """Override when only some requests are sensitive (e.g. names, not counts)."""
        return True

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and self.needs_recent_auth(request)
            and not has_recent_auth(request, self.reauth_minutes)
        ):
            return reauth_required_response(request, download=self.reauth_download)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class SensitiveExportMixin(RecentAuthRequiredMixin):
    """An export of rows (not aggregates): step-up, then the per-user export volume check.

    Put after the permission mixin. The view still records its own ``export`` audit event,
    which is what the volume check counts (``antoan.core.export_limits``).
    """

    reauth_download = True

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and self.needs_recent_auth(request)
            and not has_recent_auth(request, self.reauth_minutes)
        ):
            return reauth_required_response(request, download=self.reauth_download)
        from antoan.core.export_limits import export_volume_check

        refused = export_volume_check(request)
        if refused is not None:
            return refused
        return super(RecentAuthRequiredMixin, self).dispatch(  # type: ignore[misc]
            request, *args, **kwargs
        )


@dataclass(frozen=True)
class ReauthResult:
    ok: bool
    # Seconds to wait when the authenticator refuses to check codes after failures.
    wait_seconds: int = 0
    # True when the wrong answers ended the session.
    logged_out: bool = False
    # "password" or "otp": what was checked.
    method: str = ""
    # True when the username + address is locked out (axes): no password is checked now.
    locked: bool = False


def _as_code(secret: str) -> str:
    code = secret.replace(" ", "").replace("-", "")
    return code if code.isdigit() and len(code) in _CODE_LENGTHS else ""


@transaction.atomic
def reauth_confirm(*, request: HttpRequest, secret: str) -> ReauthResult:
    """Check the signed-in user's password or current code; on success start the window.

    Audited as ``reauth`` (``extra.method``) or, for a wrong password, ``reauth_failed``; a
    wrong code is ``otp_failed`` with ``extra.stage = "reauth"``. Wrong passwords count towards
    the login lockout of the username and address (axes). After ``MAX_REAUTH_FAILURES`` wrong
    answers in a row the session ends.
    """
    user = cast(User, request.user)  # the views that call this require a signed-in user
    code = _as_code(secret)
    if code and user_has_device(user, confirmed=True):
        method = "otp"
        check = services.otp_device_verify(request=request, user=user, token=code, stage="reauth")
        if check.wait_seconds:
            return ReauthResult(ok=False, wait_seconds=check.wait_seconds, method=method)
        ok = check.device is not None
    else:
        method = "password"
        found = authenticate(request=request, username=user.get_username(), password=secret)
        ok = found is not None and found.pk == user.pk
        locked = bool(getattr(request, "axes_locked_out", False))
        if not ok:
            audit_record(
                action=AuditAction.REAUTH_FAILED,
                request=request,
                extra={"method": method, "locked": locked},
            )
            if locked:
                # Guessing here locks the login as well; the session ends with it.
                services.user_logout(request=request, reason="reauth_failed")
                return ReauthResult(ok=False, logged_out=True, method=method, locked=True)

    session = request.session
    if ok:
        session[SESSION_REAUTH_AT] = int(services.now().timestamp())
        session.pop(SESSION_REAUTH_FAILURES, None)
        audit_record(action=AuditAction.REAUTH, request=request, extra={"method": method})
        return ReauthResult(ok=True, method=method)

    failures = int(session.get(SESSION_REAUTH_FAILURES, 0)) + 1
    if failures >= MAX_REAUTH_FAILURES:
        services.user_logout(request=request, reason="reauth_failed")
        return ReauthResult(ok=False, logged_out=True, method=method)
    session[SESSION_REAUTH_FAILURES] = failures
    return ReauthResult(ok=False, method=method)


def reauth_failures_left(request: HttpRequest) -> int:
    return MAX_REAUTH_FAILURES - int(request.session.get(SESSION_REAUTH_FAILURES, 0))


def reauth_inline_error(request: HttpRequest, secret: str) -> str:
    """For a form that carries its own "Mật khẩu hoặc mã OTP" field: "" when the user has
    confirmed recently or ``secret`` confirms now, else the error to show on the field.

    When wrong answers ended the session, ``request.user`` is anonymous afterwards: the view
    should then send the user to the login page.
    """
    if has_recent_auth(request):
        return ""
    if not secret:
        return reauth_required_message()
    result = reauth_confirm(request=request, secret=secret)
    if result.ok:
        return ""
    if result.wait_seconds:
        return ngettext(
            "Bạn đã nhập sai mã nhiều lần. Hãy đợi %(seconds)d giây rồi thử lại.",
            "Bạn đã nhập sai mã nhiều lần. Hãy đợi %(seconds)d giây rồi thử lại.",
            result.wait_seconds,
        ) % {"seconds": result.wait_seconds}
    if result.logged_out:
        return _("Bạn đã nhập sai quá nhiều lần. Hãy đăng nhập lại.")
    left = reauth_failures_left(request)
    return ngettext(
        "Mật khẩu hoặc mã OTP không đúng. Bạn còn %(left)d lần thử.",
        "Mật khẩu hoặc mã OTP không đúng. Bạn còn %(left)d lần thử.",
        left,
    ) % {"left": left}
