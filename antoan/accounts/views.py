"""Login, two-factor, logout and the account security page.

The login is two steps for users with an authenticator: the password step leaves only a pending
marker in the session (user id, time, tries); ``django.contrib.auth.login`` runs after a valid
code. Writes go through ``antoan.accounts.services``.
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from antoan.accounts import reauth, services
from antoan.accounts.forms import LoginForm, OtpCodeForm, PasswordChangeForm, ReauthForm
from antoan.accounts.models import ApiToken, User
from antoan.accounts.roles import Perm
from antoan.core.permissions import PermissionRequiredMixin, needs_two_factor

PENDING_LOGIN_SECONDS = 5 * 60
MAX_OTP_TRIES = 5


def _safe_next(request: HttpRequest, url: str | None) -> str:
    """``url`` if it points back into this site, else empty (no open redirect)."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _after_login_url(next_url: str) -> str:
    return next_url or resolve_url(settings.LOGIN_REDIRECT_URL)


def _two_factor_required(user: Any) -> bool:
    return bool(settings.ANTOAN_REQUIRE_2FA) and needs_two_factor(user)


def _now_ts() -> int:
    return int(services.now().timestamp())


# --- Step 1: username and password --------------------------------------------------------


class LoginView(View):
    """Step 1. Public: the way in."""

    public = True
    template_name = "accounts/login.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, LoginForm(), _safe_next(request, request.GET.get("next")))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = LoginForm(request.POST)
        next_url = _safe_next(request, request.POST.get("next"))
        if not form.is_valid():
            return self._render(request, form, next_url)
        if request.user.is_authenticated:
            # Signing in as someone (else) ends the current session first, so the attempt is
            # recorded against the name typed, not the one signed in.
            services.user_logout(request=request, reason="login_form")

        username = form.cleaned_data["username"]
        check = services.login_authenticate(
            request=request, username=username, password=form.cleaned_data["password"]
        )
        if check.user is None:
            if check.locked:
                form.add_error(None, services.lockout_message(request))
                return self._render(request, form, next_url, status=403)
            # The same words whether or not the username exists.
            form.add_error(None, _("Tên đăng nhập hoặc mật khẩu không đúng."))
            return self._render(request, form, next_url)

        user = check.user
        if user_has_device(user, confirmed=True):
            _pending_start(request, user, next_url)
            return redirect("accounts:login_otp")

        services.user_login(request=request, user=user, backend=user.backend)
        if _two_factor_required(user):
            messages.warning(
                request,
                _("Vai trò của bạn yêu cầu xác thực hai lớp. Hãy thiết lập ngay để tiếp tục."),
            )
            enrol = reverse("accounts:otp_enrol")
            return redirect(f"{enrol}?{urlencode({'next': next_url})}" if next_url else enrol)
        return redirect(_after_login_url(next_url))

    def _render(
        self, request: HttpRequest, form: LoginForm, next_url: str, status: int = 200
    ) -> HttpResponse:
        context = {"form": form, "next": next_url, "notice": self._notice(request)}
        return render(request, self.template_name, context, status=status)

    @staticmethod
    def _notice(request: HttpRequest) -> str:
        # Set by SessionLifetimeMiddleware, which runs before the messages framework.
        reason = request.GET.get("reason")
        if reason == "idle":
            minutes = settings.ANTOAN_SESSION_IDLE_MINUTES
            return ngettext(
                "Phiên làm việc đã hết hạn vì không có thao tác nào trong %(minutes)d phút. "
                "Hãy đăng nhập lại.",
                "Phiên làm việc đã hết hạn vì không có thao tác nào trong %(minutes)d phút. "
                "Hãy đăng nhập lại.",
                minutes,
            ) % {"minutes": minutes}
        if reason == "expired":
            hours = settings.ANTOAN_SESSION_MAX_HOURS
            return ngettext(
                "Phiên làm việc đã hết hạn (tối đa %(hours)d giờ kể từ khi đăng nhập). "
                "Hãy đăng nhập lại.",
                "Phiên làm việc đã hết hạn (tối đa %(hours)d giờ kể từ khi đăng nhập). "
                "Hãy đăng nhập lại.",
                hours,
            ) % {"hours": hours}
        return ""


# --- Step 2: the authenticator code -------------------------------------------------------


def _pending_start(request: HttpRequest, user: User, next_url: str) -> None:
    # A fresh key: whatever the session held before the password step is not trusted.
    request.session.cycle_key()
    request.session[services.SESSION_PENDING_LOGIN] = {
        "user_id": user.pk,
        "at": _now_ts(),
        "tries": 0,
        "backend": user.backend,
        "next": next_url,
        # A password change or "log out everywhere" meanwhile cancels the pending login.
        "hash": user.get_session_auth_hash(),
    }


def _pending_drop(request: HttpRequest) -> None:
    request.session.pop(services.SESSION_PENDING_LOGIN, None)


class LoginOtpView(View):
    """Step 2: the code from the authenticator app.

    Serves two cases: a pending login after a correct password (not yet signed in), and a
    signed-in session that must still be verified (TwoFactorRequiredMiddleware sends it here,
    e.g. after the authenticator was replaced or a login elsewhere skipped the code).
    """

    public = True
    template_name = "accounts/login_otp.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        subject = self._subject(request)
        if isinstance(subject, HttpResponse):
            return subject
        return self._render(request, OtpCodeForm(), subject[1])

    def post(self, request: HttpRequest) -> HttpResponse:
        subject = self._subject(request)
        if isinstance(subject, HttpResponse):
            return subject
        user, pending = subject
        signed_in = request.user.is_authenticated

        if "cancel" in request.POST:
            _pending_drop(request)
            if signed_in:
                services.user_logout(request=request, reason="user")
            return redirect("accounts:login")

        form = OtpCodeForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, pending)

        check = services.otp_device_verify(
            request=request, user=user, token=form.cleaned_data["code"], stage="login"
        )
        if check.device is not None:
            if signed_in:
                services.user_session_verify(request=request, device=check.device)
            else:
                services.user_login(
                    request=request, user=user, backend=pending["backend"], device=check.device
                )
            return redirect(_after_login_url(_safe_next(request, pending.get("next"))))
        if not check.has_device:
            # The authenticator was removed meanwhile: start again from the password.
            _pending_drop(request)
            return redirect("accounts:login")
        if check.wait_seconds:
            _wait_error(form, check.wait_seconds)
            return self._render(request, form, pending)

        pending["tries"] = int(pending.get("tries", 0)) + 1
        if pending["tries"] >= MAX_OTP_TRIES:
            _pending_drop(request)
            if signed_in:
                services.user_logout(request=request, reason="otp_failed")
            messages.error(
                request,
                _("Bạn đã nhập sai mã xác thực quá nhiều lần. Hãy đăng nhập lại từ đầu."),
            )
            return redirect("accounts:login")
        request.session[services.SESSION_PENDING_LOGIN] = pending
        left = MAX_OTP_TRIES - pending["tries"]
        form.add_error(
            "code",
            ngettext(
                "Mã xác thực không đúng hoặc đã hết hạn. Bạn còn %(left)d lần thử.",
                "Mã xác thực không đúng hoặc đã hết hạn. Bạn còn %(left)d lần thử.",
                left,
            )
            % {"left": left},
        )
        return self._render(request, form, pending)

    def _subject(self, request: HttpRequest) -> tuple[User, dict] | HttpResponse:
        """The user whose code is awaited and the pending marker, or where to go instead."""
        pending = request.session.get(services.SESSION_PENDING_LOGIN)
        if not isinstance(pending, dict):
            pending = None
        user = request.user
        if user.is_authenticated:
            if user.is_verified() or not user_has_device(user, confirmed=True):
                return redirect(_after_login_url(_safe_next(request, request.GET.get("next"))))
            if (
                pending is None
                or pending.get("user_id") != user.pk
                or _now_ts() - pending.get("at", 0) > PENDING_LOGIN_SECONDS
            ):
                pending = {
                    "user_id": user.pk,
                    "at": _now_ts(),
                    "tries": 0,
                    "next": _safe_next(request, request.GET.get("next")),
                }
                request.session[services.SESSION_PENDING_LOGIN] = pending
            return user, pending

        if pending is None:
            return redirect("accounts:login")
        if _now_ts() - pending.get("at", 0) > PENDING_LOGIN_SECONDS:
            _pending_drop(request)
            messages.warning(
                request, _("Đã quá 5 phút kể từ khi nhập mật khẩu. Hãy đăng nhập lại.")
            )
            return redirect("accounts:login")
        candidate = User.objects.filter(pk=pending.get("user_id"), is_active=True).first()
        if candidate is None or candidate.get_session_auth_hash() != pending.get("hash"):
            _pending_drop(request)
            return redirect("accounts:login")
        return candidate, pending

    def _render(self, request: HttpRequest, form: OtpCodeForm, pending: dict) -> HttpResponse:
        context = {"form": form, "tries_left": MAX_OTP_TRIES - int(pending.get("tries", 0))}
        return render(request, self.template_name, context)


# --- Logout --------------------------------------------------------------------------------


class LogoutView(View):
    """Logout is a POST (CSRF-protected); a GET only asks for confirmation."""

    public = True
    template_name = "accounts/logout.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("accounts:login")
        return render(request, self.template_name)

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            services.user_logout(request=request, reason="user")
            messages.success(request, _("Bạn đã đăng xuất."))
        return redirect("accounts:login")


# --- Account security ---------------------------------------------------------------------


class SecurityView(PermissionRequiredMixin, TemplateView):
    """One's own two-factor status, API tokens and "log out everywhere"."""

    permission = Perm.USE_SYSTEM
    template_name = "accounts/security.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        # Only the signed-in user's own rows: the filters are the access rule.
        context["device"] = (
            TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()
        )
        context["two_factor_required"] = _two_factor_required(user)
        context["tokens"] = ApiToken.objects.filter(
            user=user,
            revoked_at__isnull=True,
            expires_at__gt=services.now(),
            security_stamp=user.security_stamp,
        ).order_by("-created_at")
        context["token_hours"] = settings.ANTOAN_TOKEN_HOURS
        context["token_url"] = reverse("api:token")
        return context


def _qr_svg(device: TOTPDevice) -> SafeString:
    # segno writes presentation attributes only (no style attribute, which the CSP would
    # block); the size comes from .qr-code svg in antoan.css. The SVG holds no user input.
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, omitsize=True, dark="#000", light="#fff"
    )
    return mark_safe(svg)  # noqa: S308


def _secret_groups(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class OtpEnrolView(PermissionRequiredMixin, View):
    """Set up (or replace) the authenticator app: scan, then confirm with a current code."""

    permission = Perm.USE_SYSTEM
    template_name = "accounts/otp_enrol.html"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user_has_device(user, confirmed=True)
            and not user.is_verified()
        ):
            # Replacing the authenticator needs the current one: a password alone must never
            # be enough to attach a new device to an account that has one.
            target = reverse("accounts:login_otp")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, OtpCodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = OtpCodeForm(request.POST)
        if not form.is_valid():
            return self._render(request, form)
        check = services.otp_device_confirm(
            request=request, user=request.user, token=form.cleaned_data["code"]
        )
        if check.device is not None:
            messages.success(
                request,
                _("Đã bật xác thực hai lớp. Từ nay mỗi lần đăng nhập bạn cần nhập mã từ ứng dụng."),
            )
            next_url = _safe_next(request, request.GET.get("next"))
            return redirect(next_url or "accounts:security")
        if not check.has_device:
            return redirect(request.get_full_path())
        if check.wait_seconds:
            _wait_error(form, check.wait_seconds)
        else:
            form.add_error(
                "code",
                _(
                    "Mã không đúng. Hãy kiểm tra đồng hồ của điện thoại và nhập mã đang hiện "
                    "trong ứng dụng."
                ),
            )
        return self._render(request, form)

    def _render(self, request: HttpRequest, form: OtpCodeForm) -> HttpResponse:
        user = request.user
        device = services.otp_device_start(user=user)
        context = {
            "form": form,
            "qr_svg": _qr_svg(device),
            "secret": _secret_groups(device),
            "issuer": settings.OTP_TOTP_ISSUER,
            "replacing": user_has_device(user, confirmed=True),
            "two_factor_required": _two_factor_required(user),
        }
        return render(request, self.template_name, context)


class PasswordChangeView(PermissionRequiredMixin, View):
    """Change one's own password: this session stays, every other one ends."""

    permission = Perm.USE_SYSTEM
    template_name = "accounts/password_change.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": PasswordChangeForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PasswordChangeForm(request.POST)
        if form.is_valid():
            try:
                services.password_change(
                    request=request,
                    user=request.user,
                    current=form.cleaned_data["current"],
                    new=form.cleaned_data["new"],
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(field, problem)
            else:
                messages.success(
                    request,
                    _(
                        "Đã đổi mật khẩu. Các thiết bị khác đã bị đăng xuất và mọi mã truy cập "
                        "API đã bị thu hồi."
                    ),
                )
                return redirect("accounts:security")
        return render(request, self.template_name, {"form": form})


class LogoutEverywhereView(PermissionRequiredMixin, View):
    """End every session and API token of the signed-in user, this session included."""

    permission = Perm.USE_SYSTEM
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        revoked = services.user_logout_everywhere(request=request, user=request.user)
        # This session's hash is already stale; end it now rather than on the next request.
        auth_logout(request)
        messages.success(
            request,
            ngettext(
                "Đã đăng xuất khỏi mọi thiết bị và thu hồi %(count)d mã truy cập API.",
                "Đã đăng xuất khỏi mọi thiết bị và thu hồi %(count)d mã truy cập API.",
                revoked,
            )
            % {"count": revoked},
        )
        return redirect("accounts:login")


class ApiTokenRevokeView(PermissionRequiredMixin, View):
    permission = Perm.USE_SYSTEM
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        # Another user's token is "not found", like a missing one.
        token = get_object_or_404(ApiToken, pk=pk, user=request.user)
        services.api_token_revoke(request=request, token=token)
        messages.success(
            request,
            _("Đã thu hồi mã truy cập %(prefix)s…") % {"prefix": token.prefix},
        )
        return redirect("accounts:security")


# --- Step-up: the password or a code again ------------------------------------------------


class ReauthView(PermissionRequiredMixin, View):
    """ "Xác nhận lại mật khẩu hoặc mã OTP" before a sensitive act (see accounts/reauth.py)."""

    permission = Perm.USE_SYSTEM
    template_name = "accounts/reauth.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, ReauthForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ReauthForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        result = reauth.reauth_confirm(request=request, secret=form.cleaned_data["secret"])
        next_url = _safe_next(request, request.POST.get("next"))
        if result.ok:
            if request.POST.get("download") == "1" and next_url:
                # Redirecting to a file would leave this form on screen: offer the link.
                return self._render(request, None, confirmed=True)
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        if result.logged_out:
            messages.error(
                request,
                services.lockout_message(request)
                if result.locked
                else _("Bạn đã nhập sai quá nhiều lần. Hãy đăng nhập lại."),
            )
            return redirect("accounts:login")
        if result.wait_seconds:
            _wait_error(form, result.wait_seconds, field="secret")
        else:
            left = reauth.reauth_failures_left(request)
            form.add_error(
                "secret",
                ngettext(
                    "Mật khẩu hoặc mã OTP không đúng. Bạn còn %(left)d lần thử.",
                    "Mật khẩu hoặc mã OTP không đúng. Bạn còn %(left)d lần thử.",
                    left,
                )
                % {"left": left},
            )
        return self._render(request, form, status=400)

    def _render(
        self,
        request: HttpRequest,
        form: ReauthForm | None,
        *,
        confirmed: bool = False,
        status: int = 200,
    ) -> HttpResponse:
        source = request.POST if request.method == "POST" else request.GET
        next_url = _safe_next(request, source.get("next"))
        back = _safe_next(request, source.get("back") or request.headers.get("Referer"))
        context = {
            "form": form,
            "next": next_url,
            "back": back,
            "download": source.get("download") == "1",
            "confirmed": confirmed,
            "minutes": settings.ANTOAN_REAUTH_MINUTES,
            "has_device": user_has_device(request.user, confirmed=True),
        }
        return render(request, self.template_name, context, status=status)


def _wait_error(form, seconds: int, field: str = "code") -> None:
    """django-otp refuses to check codes for a while after repeated failures: say how long."""
    form.add_error(
        field,
        ngettext(
            "Bạn đã nhập sai mã nhiều lần. Hãy đợi %(seconds)d giây rồi thử lại.",
            "Bạn đã nhập sai mã nhiều lần. Hãy đợi %(seconds)d giây rồi thử lại.",
            seconds,
        )
        % {"seconds": seconds},
    )
