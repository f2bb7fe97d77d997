"""Signed webhooks from the PBX and the SMS/Zalo gateway: who sent it, once, and for which line.

A request is signed with a secret shared with the sender (``ANTOAN_TELEPHONY_SECRET``,
``ANTOAN_MESSAGES_SECRET``)::

    X-AnToan-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">

The signature covers the exact bytes of the body, so the body is verified before it is parsed.
A timestamp more than ``TOLERANCE`` away from the server's clock is refused (a captured request
cannot be replayed later), and each event id is accepted once per source (``WebhookEvent``,
inside the transaction that applies the event: an event that failed may be sent again). See
docs/hotline-telephony.md.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.db import IntegrityError, transaction

from antoan.accounts.models import Agency
from antoan.hotline.models import WebhookEvent

HEADER = "X-AnToan-Signature"
META_HEADER = "HTTP_X_ANTOAN_SIGNATURE"
# How far the sender's clock may be from ours (and how long a captured request stays valid).
TOLERANCE = 300
# No event or message of these senders is anywhere near this; more is not one of theirs.
MAX_BODY_BYTES = 64 * 1024
MAX_HEADER_LENGTH = 600

TELEPHONY = "telephony"
MESSAGES = "messages"
_SECRET_SETTINGS = {TELEPHONY: "ANTOAN_TELEPHONY_SECRET", MESSAGES: "ANTOAN_MESSAGES_SECRET"}


class SignatureError(Exception):
    """The request is not signed, or not by someone holding the secret, or not now."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # a code for the audit log: missing, malformed, stale, mismatch


class Replayed(Exception):
    """An event id already received from this source."""


def secrets_for(kind: str) -> list[bytes]:
    """The secrets of ``kind`` (telephony or messages); empty when not configured."""
    value = getattr(settings, _SECRET_SETTINGS[kind], "") or ""
    return [item.strip().encode() for item in value.split(",") if item.strip()]


def configured(kind: str) -> bool:
    return bool(secrets_for(kind))


def sign(body: bytes, secret: bytes | str, *, timestamp: int | None = None) -> str:
    """The header value for ``body`` (the simulator, the HTTP gateway and the tests use it)."""
    key = secret.encode() if isinstance(secret, str) else secret
    moment = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(key, f"{moment}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


def _parse_header(header: str) -> tuple[int, list[str]]:
    if not header or len(header) > MAX_HEADER_LENGTH or not header.isascii():
        raise SignatureError("missing" if not header else "malformed")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _sep, value = part.strip().partition("=")
        if key == "t" and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == "v1" and len(value) == 64:
            signatures.append(value.lower())
    if timestamp is None or not signatures:
        raise SignatureError("malformed")
    return timestamp, signatures


def verify(kind: str, header: str, body: bytes, *, now: float | None = None) -> int:
    """Check the signature of ``body``; return its timestamp. Raises SignatureError."""
    timestamp, signatures = _parse_header(header)
    moment = time.time() if now is None else now
    if abs(moment - timestamp) > TOLERANCE:
        raise SignatureError("stale")
    signed = f"{timestamp}.".encode() + body
    for secret in secrets_for(kind):
        expected = hmac.new(secret, signed, hashlib.sha256).hexdigest()
        # Every candidate is compared, in constant time, whatever matched before.
        if any(hmac.compare_digest(expected, given) for given in signatures):
            return timestamp
    raise SignatureError("mismatch")


def remember(source: str, event_id: str, *, at) -> None:
    """Record ``event_id`` of ``source`` as received; Replayed if it was already. Call it inside
    the transaction that applies the event, so a failed event is not remembered."""
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(source=source, event_id=event_id, received_at=at)
    except IntegrityError:
        raise Replayed(f"{source} event already received") from None


def hotline_for_line(line: str) -> Agency | None:
    """The hotline agency a line belongs to (``ANTOAN_HOTLINE_LINES``), None if none."""
    lines = settings.ANTOAN_HOTLINE_LINES
    code = lines.get(line) or lines.get("*")
    if not code:
        return None
    return Agency.objects.filter(code=code).first()
