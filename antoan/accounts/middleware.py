"""Session lifetime and two-factor enforcement, for every request.

``SessionLifetimeMiddleware`` runs after ``AuthenticationMiddleware`` and
``TwoFactorRequiredMiddleware`` after django_otp's ``OTPMiddleware`` (see ``MIDDLEWARE`` in
settings). Both run before the messages middleware, so they explain themselves through the page
they redirect to, not through ``django.contrib.messages``.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import user_has_device

from antoan.accounts import services
from antoan.api.errors import error_response
from antoan.core.permissions import needs_two_factor

API_PREFIX = "/api/"
# Writing the session on every request would cost a database write per page, so the time of
# last activity is refreshed only once it is this old, or a quarter of the idle limit if that
# is shorter: with the smallest limit (1 minute) it is refreshed every 15 s, so a user active
# more often than the limit is never signed out, and an idle one is signed out at most a
# quarter of the limit early.
SEEN_AT_RESOLUTION_SECONDS = 60


def seen_at_resolution(idle_seconds: float) -> float:
    return min(SEEN_AT_RESOLUTION_SECONDS, idle_seconds / 4)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _has_bearer(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "")[:7].lower() == "bearer "


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if request.headers.get("HX-Request") == "true":
        # htmx would follow a 302 and swap the target page into a fragment; make it navigate.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _with_query(url: str, **params: str) -> str:
    params = {key: value for key, value in params.items() if value}
    return f"{url}?{urlencode(params)}" if params else url


def _next_for(request: HttpRequest) -> str:
    # Only a page the user was reading is worth returning to; a POST target is not.
    return request.get_full_path() if request.method == "GET" else ""


class SessionLifetimeMiddleware:
    """End sessions idle for ANTOAN_SESSION_IDLE_MINUTES or older than ANTOAN_SESSION_MAX_HOURS.

    Enforced on the server from times kept in the session, so neither a stolen cookie nor a
    browser left open outlives the limits.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session and request.user.is_authenticated:
            reason = self._expired(session)
            if reason:
                services.user_logout(request=request, reason=reason)
                if not (_is_api(request) and _has_bearer(request)):
                    return self._refuse(request, reason)
        return self.get_response(request)

    @staticmethod
    def _expired(session) -> str:
        moment = services.now().timestamp()
        login_at = session.get(services.SESSION_LOGIN_AT)
        seen_at = session.get(services.SESSION_SEEN_AT)
        # A session without times was not created by a login we know of: end it.
        if not isinstance(login_at, int | float) or not isinstance(seen_at, int | float):
            return "expired"
        if moment - login_at >= settings.ANTOAN_SESSION_MAX_HOURS * 3600:
            return "expired"
        idle_seconds = settings.ANTOAN_SESSION_IDLE_MINUTES * 60
        if moment - seen_at >= idle_seconds:
            return "idle"
        if moment - seen_at >= seen_at_resolution(idle_seconds):
            session[services.SESSION_SEEN_AT] = int(moment)
        return ""

    @staticmethod
    def _refuse(request: HttpRequest, reason: str) -> HttpResponse:
        if _is_api(request):
            return error_response(
                401, "session_expired", _("Phiên làm việc đã hết hạn. Hãy đăng nhập lại.")
            )
        url = _with_query(reverse("accounts:login"), next=_next_for(request), reason=reason)
        return _redirect(request, url)


@lru_cache(maxsize=1)
def _exempt_paths() -> frozenset[str]:
    # Resolved on first use: the URLconf is not loaded when middleware is built.
    names = [
        "accounts:login",
        "accounts:login_otp",
        "accounts:logout",
        "accounts:otp_enrol",
        "api:token",
        "set_language",
    ]
    return frozenset(reverse(name) for name in names)


class TwoFactorRequiredMiddleware:
    """With ANTOAN_REQUIRE_2FA, roles that see case data must enrol and use a second factor.

    Only sessions are checked: a bearer token is issued after the same two-factor checks (see
    ``antoan.api.auth``), so token requests pass through to the API's own authentication.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.ANTOAN_REQUIRE_2FA and not self._exempt(request):
            user = request.user
            if (
                user.is_authenticated
                and not getattr(user, "is_verified", lambda: False)()
                and needs_two_factor(user)
            ):
                return self._refuse(request, user)
        return self.get_response(request)

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        # Django gives STATIC_URL its leading slash (and any script prefix) when read.
        if request.path.startswith(settings.STATIC_URL):
            return True
        if _is_api(request) and _has_bearer(request):
            return True
        return request.path in _exempt_paths()

    @staticmethod
    def _refuse(request: HttpRequest, user) -> HttpResponse:
        if _is_api(request):
            return error_response(
                403,
                "two_factor_required",
                _(
                    "Vai trò của bạn yêu cầu xác thực hai lớp. Hãy hoàn tất xác thực hai lớp "
                    "khi đăng nhập, hoặc dùng mã truy cập API."
                ),
            )
        target = "accounts:login_otp" if user_has_device(user) else "accounts:otp_enrol"
        return _redirect(request, _with_query(reverse(target), next=_next_for(request)))
