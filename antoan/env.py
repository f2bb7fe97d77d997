"""Typed readers for settings from environment variables.

Each reader fails loudly on a value it cannot parse: a misspelt boolean in production must stop
the process, not silently turn a safety feature off.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true/false).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from exc
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_json(name: str, default: dict) -> dict:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not valid JSON.") from exc
    if not isinstance(parsed, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object.")
    return dict(parsed)


def field_keys(name: str, items: list[str]) -> dict[str, bytes]:
    """``<version>:<base64 of 32 bytes>`` items in order (the first encrypts), checked."""
    keys: dict[str, bytes] = {}
    for item in items:
        version, _, encoded = item.partition(":")
        try:
            raw = base64.urlsafe_b64decode(encoded.encode())
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32 or not version.isalnum():
            raise ImproperlyConfigured(f"{name}: each key is <version>:<base64 of 32 bytes>.")
        if version in keys:
            raise ImproperlyConfigured(f"{name}: key version {version!r} appears twice.")
        keys[version] = raw
    if not keys:
        raise ImproperlyConfigured(f"{name} is empty.")
    return keys


def index_key(name: str, value: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value.encode())
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) < 32:
        raise ImproperlyConfigured(f"{name} must be at least 32 bytes, base64-encoded.")
    return raw


def database_url(name: str, value: str) -> dict[str, Any]:
    """Django's DATABASES entry for a PostgreSQL or SQLite URL; never echoes the value back
    (it may hold a password)."""
    import dj_database_url

    try:
        parsed = dj_database_url.parse(value, conn_max_age=60)
    except Exception as exc:  # the library raises several types for a bad URL
        raise ImproperlyConfigured(
            f"{name} is not a database URL (postgres://user@host:5432/name): {type(exc).__name__}."
        ) from exc
    if parsed["ENGINE"] not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        raise ImproperlyConfigured(f"{name}: An Toàn runs on PostgreSQL (or SQLite locally).")
    return dict(parsed)
