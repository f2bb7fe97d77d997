"""Helpers shared by the login-security tests (accounts and api)."""

from __future__ import annotations

import time

from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "antoan-demo-2025"  # the cast's password (conftest.CAST_PASSWORD)


def web_login(client, username: str, password: str = PASSWORD, ip: str = "127.0.0.1", **data):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password, **data},
        REMOTE_ADDR=ip,
    )


def api_token(client, username: str, password: str = PASSWORD, ip: str = "127.0.0.1", **data):
    return client.post(
        reverse("api:token"),
        {"username": username, "password": password, **data},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def make_device(user, *, confirmed: bool = True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Điện thoại", confirmed=confirmed)


def _code_at(device: TOTPDevice, t: int) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = device.t0 + t * device.step
    return f"{totp.token():0{device.digits}d}"


def current_code(device: TOTPDevice) -> str:
    """What the authenticator app shows now (or, if that step was already used, the next one,
    which the server accepts as clock drift: a code is never accepted twice)."""
    device.refresh_from_db()
    now_t = int((time.time() - device.t0) // device.step)
    return _code_at(device, max(now_t, device.last_t + 1))


def wrong_code(device: TOTPDevice) -> str:
    """A code that no step within the server's tolerance accepts."""
    device.refresh_from_db()
    now_t = int((time.time() - device.t0) // device.step)
    valid = {_code_at(device, now_t + delta) for delta in range(-2, 3)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)
