"""Writes of login security: sign-in, two-factor devices, sessions and API tokens.

Each function audits in the same transaction as its write. Views, the API and the middleware call
these; nothing else logs a user in or out, issues a token or confirms a device.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import authenticate, password_validation, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from antoan.accounts.models import ApiToken, User
from antoan.core.audit import audit_record
from antoan.core.models import AuditAction

if TYPE_CHECKING:
    from django.http import HttpRequest

# Session keys. Timestamps are Unix seconds (the session serializer is JSON).
SESSION_LOGIN_AT = "antoan_login_at"
SESSION_SEEN_AT = "antoan_seen_at"
# Between a correct password and a correct code: {"user_id", "at", "tries", "backend", ...}.
SESSION_PENDING_LOGIN = "antoan_pending_login"

TOKEN_BYTES = 32
TOKEN_PREFIX_LENGTH = 8


def now() -> dt.datetime:
    """The current time, from one place so tests can move the clock of login security."""
    return timezone.now()


def _http(request: Any) -> HttpRequest:
    # DRF wraps Django's request; axes and the session live on the inner one.
    return getattr(request, "_request", request)


# --- Sign-in -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginCheck:
    user: User | None
    # True when the username + address is locked out (this attempt included).
    locked: bool


def lockout_minutes(request: Any = None) -> int:
    """Minutes until a locked username + address may try again (the configured cool-off)."""
    cool_off = get_cool_off(_http(request) if request is not None else None)
    return max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 0


def lockout_message(request: Any = None) -> str:
    """What a locked-out user reads, on the login page and from the token endpoint."""
    minutes = lockout_minutes(request)
    if not minutes:  # no cool-off configured: only an administrator can lift the lock
        return _(
            "Tài khoản này bị khoá đăng nhập từ địa chỉ của bạn vì nhập sai quá nhiều lần. "
            "Hãy liên hệ quản trị hệ thống."
        )
    return ngettext(
        "Tài khoản này tạm thời bị khoá đăng nhập từ địa chỉ của bạn vì nhập sai quá nhiều lần. "
        "Hãy thử lại sau %(minutes)d phút hoặc liên hệ quản trị hệ thống.",
        "Tài khoản này tạm thời bị khoá đăng nhập từ địa chỉ của bạn vì nhập sai quá nhiều lần. "
        "Hãy thử lại sau %(minutes)d phút hoặc liên hệ quản trị hệ thống.",
        minutes,
    ) % {"minutes": minutes}


@transaction.atomic
def login_authenticate(*, request: Any, username: str, password: str) -> LoginCheck:
    """Check a username and password through axes; audit failures and lockouts."""
    http = _http(request)
    credentials = {"username": username}
    # Known before the attempt, so a refusal under lockout is not also counted as a wrong
    # password in the audit log.
    was_locked = not AxesProxyHandler.is_allowed(http, credentials)
    user = authenticate(request=http, username=username, password=password)
    if user is not None:
        return LoginCheck(user=user, locked=False)
    locked = bool(getattr(http, "axes_locked_out", False))
    if not was_locked:
        audit_record(action=AuditAction.LOGIN_FAILED, request=http, username=username)
    if locked:
        audit_record(
            action=AuditAction.LOCKED_OUT,
            request=http,
            username=username,
            extra={"refused_while_locked": was_locked},
        )
    return LoginCheck(user=None, locked=locked)


def login_failures_reset(*, request: Any, username: str) -> None:
    """Forget failed attempts of a username + address after a success (as a web login does)."""
    if not settings.AXES_RESET_ON_SUCCESS:
        return
    http = _http(request)
    AxesProxyHandler.update_request(http)
    AxesProxyHandler.reset_attempts(
        ip_address=http.axes_ip_address,  # type: ignore[attr-defined]  # set by update_request
        username=username,
    )


@transaction.atomic
def user_login(
    *, request: HttpRequest, user: User, backend: str, device: TOTPDevice | None = None
) -> None:
    """Start an authenticated session (new session key), verified by ``device`` if given."""
    request.session.pop(SESSION_PENDING_LOGIN, None)
    auth_login(request, user, backend=backend)
    if device is not None:
        otp_login(request, device)
    audit_record(
        action=AuditAction.LOGIN,
        request=request,
        user=user,
        extra={"two_factor": device is not None},
    )


@transaction.atomic
def user_session_verify(*, request: HttpRequest, device: TOTPDevice) -> None:
    """Mark an already signed-in session as verified by a second factor."""
    request.session.pop(SESSION_PENDING_LOGIN, None)
    otp_login(request, device)
    # The session gains privileges: give it a new key, as a login does.
    request.session.cycle_key()
    audit_record(
        action=AuditAction.LOGIN,
        request=request,
        extra={"two_factor": True, "step": "second_factor"},
    )


@transaction.atomic
def user_logout(*, request: HttpRequest, reason: str) -> None:
    """End this session (audited with ``reason``: user, idle, expired, ...)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        audit_record(action=AuditAction.LOGOUT, request=request, extra={"reason": reason})
    auth_logout(request)


@transaction.atomic
def user_logout_everywhere(*, request: Any, user: User) -> int:
    """End every session and API token of ``user``; return the number of tokens revoked.

    The actor is whoever is signed in on ``request`` (the user, or an administrator acting on
    them); the user is the event's object.
    """
    # The stamp is part of the session auth hash and of every token: rotating it ends both,
    # on every app server, without a list of sessions to find.
    user.security_stamp = uuid.uuid4()
    user.save(update_fields=["security_stamp"])
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now())
    audit_record(
        action=AuditAction.LOGOUT_EVERYWHERE,
        request=request,
        object_type=User._meta.label_lower,
        object_id=user.pk,
        changed_fields=["security_stamp"],
        extra={"tokens_revoked": revoked},
    )
    return revoked


def password_change(*, request: HttpRequest, user: User, current: str, new: str) -> int:
    """Change one's own password; every other session and API token of the user ends.

    Raises ValidationError with field errors (``current``, ``new``), audited as a refusal.
    Returns the number of API tokens revoked.
    """
    problem: dict[str, list[str]] = {}
    if not user.check_password(current):
        problem["current"] = [_("Mật khẩu hiện tại không đúng.")]
    elif new == current:
        problem["new"] = [_("Mật khẩu mới phải khác mật khẩu hiện tại.")]
    else:
        try:
            password_validation.validate_password(new, user)
        except ValidationError as error:
            problem["new"] = list(error.messages)
    if problem:
        # Outside any transaction of ours: the refusal is kept although nothing changes.
        audit_record(
            action=AuditAction.PASSWORD_CHANGE_FAILED,
            request=request,
            extra={"reason": "current" if "current" in problem else "rules"},
        )
        raise ValidationError(problem)
    with transaction.atomic():
        user.set_password(new)
        # The stamp is part of every session's auth hash and every token: rotating it ends
        # the user's other sessions and API tokens, on every app server.
        user.security_stamp = uuid.uuid4()
        user.save(update_fields=["password", "security_stamp"])
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=now()
        )
        audit_record(
            action=AuditAction.PASSWORD_CHANGED,
            request=request,
            object_type=User._meta.label_lower,
            object_id=user.pk,
            changed_fields=["password", "security_stamp"],
            extra={"tokens_revoked": revoked},
        )
    # This session stays signed in (and keeps its second factor) under a new key.
    update_session_auth_hash(request, user)
    return revoked


@dataclass(frozen=True)
class TwoFactorReset:
    devices_removed: int
    tokens_revoked: int


@transaction.atomic
def user_two_factor_reset(*, request: Any, user: User) -> TwoFactorReset:
    """A lost phone: remove the user's authenticators, end their sessions and API tokens.

    Whoever holds the phone can no longer make codes for the account, and every session and
    token (the phone's included) ends. At the next login, roles that must use two-factor are
    sent to set up a new authenticator before anything else. Audited as ``otp_reset`` with the
    administrator as actor and the user as object.
    """
    devices = TOTPDevice.objects.filter(user=user).delete()[0]
    user.security_stamp = uuid.uuid4()
    user.save(update_fields=["security_stamp"])
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now())
    audit_record(
        action=AuditAction.OTP_RESET,
        request=request,
        object_type=User._meta.label_lower,
        object_id=user.pk,
        changed_fields=["otp_devices", "security_stamp"],
        extra={"devices_removed": devices, "tokens_revoked": revoked},
    )
    return TwoFactorReset(devices_removed=devices, tokens_revoked=revoked)


# --- Two-factor devices --------------------------------------------------------------------


@dataclass(frozen=True)
class OtpCheck:
    # The device that accepted the code, or None.
    device: TOTPDevice | None
    # Seconds to wait when the device refuses to verify after repeated failures.
    wait_seconds: int = 0
    # False when the user has no device to check against.
    has_device: bool = True


def _verify_locked_device(
    *, request: Any, user: User, device: TOTPDevice, token: str, stage: str
) -> OtpCheck:
    allowed, info = device.verify_is_allowed()
    if not allowed:
        locked_until = (info or {}).get("locked_until")
        wait = (locked_until - timezone.now()).total_seconds() if locked_until else 1
        return OtpCheck(device=None, wait_seconds=max(1, math.ceil(wait)))
    # verify_token rejects reused codes and counts failures for the device's back-off.
    if device.verify_token(token):
        return OtpCheck(device=device)
    audit_record(
        action=AuditAction.OTP_FAILED,
        request=request,
        user=user,
        object_type="otp_device",
        object_id=device.pk,
        extra={"stage": stage},
    )
    return OtpCheck(device=None)


@transaction.atomic
def otp_device_verify(*, request: Any, user: User, token: str, stage: str) -> OtpCheck:
    """Check a code against the user's confirmed device; audit a wrong code."""
    # Locked so that two requests cannot both accept the same code.
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=True)
        .order_by("-pk")
        .first()
    )
    if device is None:
        return OtpCheck(device=None, has_device=False)
    return _verify_locked_device(
        request=request, user=user, device=device, token=token, stage=stage
    )


@transaction.atomic
def otp_device_start(*, user: User) -> TOTPDevice:
    """The user's unconfirmed device, created if needed (a reload keeps the same secret)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice(user=user, name=_("Ứng dụng xác thực")[:64], confirmed=False)
        device.full_clean()
        device.save()
    return device


@transaction.atomic
def otp_device_confirm(*, request: HttpRequest, user: User, token: str) -> OtpCheck:
    """Confirm the pending device with a current code; it replaces any earlier device."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-pk")
        .first()
    )
    if device is None:
        return OtpCheck(device=None, has_device=False)
    check = _verify_locked_device(
        request=request, user=user, device=device, token=token, stage="enrolment"
    )
    if check.device is None:
        return check
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    replaced = TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()[0]
    otp_login(request, device)
    request.session.cycle_key()
    audit_record(
        action=AuditAction.OTP_ENROLLED,
        request=request,
        user=user,
        object_type="otp_device",
        object_id=device.pk,
        extra={"replaced_devices": replaced},
    )
    return check


# --- API tokens ----------------------------------------------------------------------------


def api_token_digest(raw: str) -> str:
    """What is stored for a token: its SHA-256, so a database leak yields no usable token."""
    return hashlib.sha256(raw.encode("ascii")).hexdigest()


@transaction.atomic
def api_token_issue(*, request: Any, user: User) -> tuple[str, ApiToken]:
    """Issue a bearer token for ``user``; return the token (shown once) and its record."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken(
        user=user,
        digest=api_token_digest(raw),
        prefix=raw[:TOKEN_PREFIX_LENGTH],
        expires_at=now() + dt.timedelta(hours=settings.ANTOAN_TOKEN_HOURS),
        security_stamp=user.security_stamp,
    )
    token.full_clean()
    token.save()
    audit_record(
        action=AuditAction.TOKEN_ISSUED,
        request=request,
        user=user,
        object_type="api_token",
        object_id=token.pk,
        extra={"prefix": token.prefix},
    )
    return raw, token


@transaction.atomic
def api_token_revoke(*, request: Any, token: ApiToken) -> None:
    """Revoke one token (idempotent)."""
    if token.revoked_at is not None:
        return
    token.revoked_at = now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        action=AuditAction.TOKEN_REVOKED,
        request=request,
        user=token.user,
        object_type="api_token",
        object_id=token.pk,
        extra={"prefix": token.prefix},
    )
