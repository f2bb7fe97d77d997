"""Encryption of identifying fields at rest, and keyed blind indexes to search them.

- Values are encrypted with AES-256-GCM under a versioned key; the stored text is
  ``<version>:<base64(nonce + ciphertext)>``. The field's identity (``app.model.field``) is
  bound in as associated data, so a ciphertext copied into another column does not decrypt.
- Keys come from ``ANTOAN_FIELD_KEYS`` (``v2:<base64>,v1:<base64>``; the first encrypts, all
  decrypt). ``manage.py rotate_field_keys`` re-encrypts every value under the first key.
- Blind indexes are HMAC-SHA256 of normalised text under a separate key
  (``ANTOAN_INDEX_KEY``): equal inputs give equal digests, so "nguyen thi hoa" can find
  "Nguyễn Thị Hòa" without the database ever holding the name in clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from antoan.core.text import search_key

_NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be decrypted (unknown key version or tampered data)."""


@lru_cache(maxsize=1)
def _keys() -> tuple[str, dict[str, AESGCM]]:
    keys: dict[str, AESGCM] = {}
    current = ""
    for item in settings.ANTOAN_FIELD_KEYS:
        version, _, encoded = item.partition(":")
        raw = base64.urlsafe_b64decode(encoded.encode())
        if len(raw) != 32 or not version.isalnum():
            raise ImproperlyConfigured("ANTOAN_FIELD_KEYS: each key is <version>:<32 bytes b64>.")
        keys[version] = AESGCM(raw)
        current = current or version
    if not keys:
        raise ImproperlyConfigured("ANTOAN_FIELD_KEYS is empty.")
    return current, keys


@lru_cache(maxsize=1)
def _index_key() -> bytes:
    raw = base64.urlsafe_b64decode(settings.ANTOAN_INDEX_KEY.encode())
    if len(raw) < 32:
        raise ImproperlyConfigured("ANTOAN_INDEX_KEY must be at least 32 bytes (base64).")
    return raw


def reset_key_cache() -> None:
    """After changing key settings (tests, rotation)."""
    _keys.cache_clear()
    _index_key.cache_clear()


def current_key_version() -> str:
    return _keys()[0]


def encrypt(plaintext: str, *, context: str) -> str:
    version, keys = _keys()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = keys[version].encrypt(nonce, plaintext.encode(), context.encode())
    return f"{version}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, context: str) -> str:
    version, _, encoded = token.partition(":")
    key = _keys()[1].get(version)
    if key is None:
        raise DecryptionError(f"no key for version {version!r}")
    try:
        blob = base64.urlsafe_b64decode(encoded.encode())
        return key.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], context.encode()).decode()
    except Exception as exc:  # InvalidTag, bad base64: both mean "not ours"
        raise DecryptionError("stored value does not decrypt") from exc


def key_version_of(token: str) -> str:
    return token.partition(":")[0]


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed digest of ``search_key(value)``; '' for empty input."""
    normalised = search_key(value)
    if not normalised:
        return ""
    message = f"{purpose}\x00{normalised}".encode()
    return hmac.new(_index_key(), message, hashlib.sha256).hexdigest()[:40]


def name_tokens(value: str) -> set[str]:
    """Blind indexes of each word of a name, so any words of it can be searched for."""
    return {blind_index(word, purpose="name-token") for word in search_key(value).split()}


def normalise_phone(value: str) -> str:
    """Digits only, +84/84 country prefix turned into the leading 0 Vietnamese numbers use."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if digits.startswith("84") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits


def phone_index(value: str) -> str:
    digits = normalise_phone(value)
    return blind_index(digits, purpose="phone") if digits else ""


class EncryptedTextField(models.TextField):
    """Text stored encrypted. Not searchable or sortable in SQL: index it with blind_index."""

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only)
        self._context = f"{cls._meta.label_lower}.{name}"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value, context=self._context)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value), context=self._context)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "antoan.core.crypto.EncryptedTextField", args, kwargs
