"""Encryption of identifying fields at rest, and keyed blind indexes to search them.

- Values are encrypted with AES-256-GCM under a versioned key; the stored text is
  ``<version>:<row key>:<base64(nonce + ciphertext)>``. The field's identity
  (``app.model.field``) and the row's key (``row_key``, a random UUID every model with
  encrypted fields has) are bound in as associated data: a ciphertext copied into another
  column does not decrypt, and one copied into another row of the same column is refused when
  read through the models (``RowMismatchError``), so nobody with write access to the database
  can swap two survivors' phone numbers. Values sealed before rows were bound
  (``<version>:<base64>``) are re-sealed by the migrations that added ``row_key`` and are
  refused afterwards.
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
import uuid
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from antoan.core.text import search_key
from antoan.env import field_keys, index_key

_NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be decrypted (unknown key version or tampered data)."""


class RowMismatchError(DecryptionError):
    """A stored value decrypts, but was sealed for another row: it was copied in the database."""

    def __init__(self, *, model: str, field: str, row: object) -> None:
        super().__init__(f"{model}.{field} of row {row} was sealed for another row")
        # Names and a primary key only: safe for the audit log.
        self.model, self.field, self.row = model, field, row


class UnboundWriteError(Exception):
    """An encrypted value was written by a path that does not know its row (``update()``)."""


@lru_cache(maxsize=1)
def _keys() -> tuple[str, dict[str, AESGCM]]:
    keys = field_keys("ANTOAN_FIELD_KEYS", settings.ANTOAN_FIELD_KEYS)
    return next(iter(keys)), {version: AESGCM(raw) for version, raw in keys.items()}


@lru_cache(maxsize=1)
def _index_key() -> bytes:
    return index_key("ANTOAN_INDEX_KEY", settings.ANTOAN_INDEX_KEY)


def reset_key_cache() -> None:
    """After changing key settings (tests, rotation)."""
    _keys.cache_clear()
    _index_key.cache_clear()


def current_key_version() -> str:
    return _keys()[0]


def _seal(plaintext: str, associated: str) -> str:
    version, keys = _keys()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = keys[version].encrypt(nonce, plaintext.encode(), associated.encode())
    return f"{version}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def _open(version: str, encoded: str, associated: str) -> str:
    key = _keys()[1].get(version)
    if key is None:
        raise DecryptionError(f"no key for version {version!r}")
    try:
        blob = base64.urlsafe_b64decode(encoded.encode())
        return key.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], associated.encode()).decode()
    except Exception as exc:  # InvalidTag, bad base64: both mean "not ours"
        raise DecryptionError("stored value does not decrypt") from exc


def encrypt(plaintext: str, *, context: str, row_key: uuid.UUID) -> str:
    """``<version>:<row key hex>:<sealed>``, bound to the column ``context`` and the row."""
    row = row_key.hex
    version, _, sealed = _seal(plaintext, f"{context}:{row}").partition(":")
    return f"{version}:{row}:{sealed}"


def decrypt(token: str, *, context: str) -> BoundText:
    """The plaintext, carrying the row key it was sealed for (checked by the model field)."""
    parts = token.split(":")
    if len(parts) != 3 or len(parts[1]) != 32:
        raise DecryptionError("stored value is not bound to a row")
    version, row, encoded = parts
    return BoundText(_open(version, encoded, f"{context}:{row}"), row)


def decrypt_unbound(token: str, *, context: str) -> str:
    """A value sealed before rows were bound (``<version>:<b64>``): for the migration only."""
    version, _, encoded = token.partition(":")
    return _open(version, encoded, context)


def is_row_bound(token: str) -> bool:
    return token.count(":") == 2


class BoundText(str):
    """A decrypted value and the row key its ciphertext named (authenticated by AES-GCM)."""

    row_key_hex: str

    def __new__(cls, value: str, row_key_hex: str) -> BoundText:
        text = super().__new__(cls, value)
        text.row_key_hex = row_key_hex
        return text

    def __reduce__(self) -> Any:
        return (BoundText, (str(self), self.row_key_hex))


class _Sealed(str):
    """A ciphertext made by ``pre_save`` for its row: written as it is."""


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


def row_key_field() -> models.UUIDField:
    """The ``row_key`` every model with an ``EncryptedTextField`` declares (see the check)."""
    return models.UUIDField(default=uuid.uuid4, editable=False, unique=True)


class RowBoundAttribute(DeferredAttribute):
    """Reading a decrypted value checks that it was sealed for this row.

    A data descriptor (it has ``__set__``), so every read comes here, not only the first.
    """

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value

    def __get__(self, instance, cls=None):
        value = super().__get__(instance, cls)
        bound = instance is not None and isinstance(value, BoundText)
        if bound and value.row_key_hex != instance.row_key.hex:
            raise RowMismatchError(
                model=instance._meta.label, field=self.field.name, row=instance.pk
            )
        return value


class EncryptedTextField(models.TextField):
    """Text stored encrypted, bound to its column and row. Not searchable or sortable in SQL:
    index it with blind_index. Written only through ``save()`` / ``bulk_create()``, which
    know the row; ``update()`` may only blank it."""

    descriptor_class = RowBoundAttribute

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only)
        self._context = f"{cls._meta.label_lower}.{name}"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value, context=self._context)

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if value is None or value == "":
            return value
        return _Sealed(encrypt(str(value), context=self._context, row_key=model_instance.row_key))

    def get_db_prep_save(self, value, connection):
        if hasattr(value, "as_sql"):
            return value
        if isinstance(value, _Sealed) or value is None or value == "":
            return str(value) if isinstance(value, _Sealed) else value
        raise UnboundWriteError(
            f"{self._context}: encrypted values are written through save() or bulk_create(), "
            "which know the row; update() and bulk_update() may only blank them."
        )

    def get_prep_value(self, value):
        # Lookups and constraint checks: a non-empty value stays non-empty and matches nothing
        # stored (a fresh nonce), as before rows were bound; it can never be read back.
        value = super().get_prep_value(value)
        if isinstance(value, _Sealed) or value is None or value == "":
            return str(value) if isinstance(value, _Sealed) else value
        return _seal(str(value), f"{self._context}:lookup")

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "antoan.core.crypto.EncryptedTextField", args, kwargs


def bind_rows_to_keys(model, connection, *, unbind: bool = False) -> int:
    """Give each row of ``model`` a row key and re-seal its encrypted values bound to it.

    For the migrations that introduced ``row_key`` (a historical ``model``); ``unbind`` undoes
    it. Works on raw rows: the model's fields refuse values that are not bound to a row.
    """
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.fields if isinstance(f, EncryptedTextField)]
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    columns = [quote(f.column) for f in fields]
    contexts = [f"{model._meta.label_lower}.{f.name}" for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {', '.join(columns)} FROM {table}")  # noqa: S608
        rows = cursor.fetchall()
    for pk_value, *values in rows:
        row_key = uuid.uuid4()
        sealed = []
        for value, context in zip(values, contexts, strict=True):
            if not value:
                sealed.append(value)
            elif unbind:
                sealed.append(_seal(decrypt(value, context=context), context))
            elif is_row_bound(value):
                raise DecryptionError(f"{context} of row {pk_value} is already bound")
            else:
                plain = decrypt_unbound(value, context=context)
                sealed.append(encrypt(plain, context=context, row_key=row_key))
        assignments = ", ".join(f"{c} = %s" for c in columns)
        params: list[Any] = [*sealed]
        if not unbind:
            key_field = model._meta.get_field("row_key")
            assignments += f", {quote(key_field.column)} = %s"
            params.append(key_field.get_db_prep_value(row_key, connection))
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", [*params, pk_value])  # noqa: S608
    return len(rows)
