"""Recording audit events.

One function, :func:`audit_record`, called by services and views. It appends under the chain
head's row lock inside the caller's transaction, so a write and its audit event commit together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from antoan.core.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64

# The fields that enter an event's hash, in order. Changing this list breaks old chains.
HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "user_id",
    "username",
    "agency_id",
    "role",
    "action",
    "object_type",
    "object_id",
    "place_code",
    "request_id",
    "ip",
    "changed_fields",
    "extra",
    "prev_hash",
)


def event_hash(event: AuditEvent) -> str:
    payload: dict[str, Any] = {}
    for name in HASHED_FIELDS:
        value = getattr(event, name)
        if name == "occurred_at":
            value = value.astimezone(dt.UTC).isoformat(timespec="microseconds")
        payload[name] = value
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def audit_record(
    *,
    action: str,
    request: Any = None,
    user: Any = None,
    membership: Any = None,
    username: str = "",
    object_type: str = "",
    object_id: str | int = "",
    place_code: str = "",
    changed_fields: Iterable[str] = (),
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. ``request`` supplies who, the acting membership, request id and IP."""
    http_request = getattr(request, "_request", request)
    if user is None and http_request is not None:
        candidate = getattr(http_request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    if membership is None and http_request is not None:
        membership = getattr(http_request, "acting_membership", None)
    details = dict(extra or {})
    if http_request is not None and "path" not in details:
        # The path only: query strings may hold search terms such as a survivor's name.
        details["path"] = http_request.path

    with transaction.atomic():
        AuditChainHead.objects.get_or_create(pk=1)
        # Update first: it takes the row lock (PostgreSQL) or the write lock (SQLite) before
        # we read the previous hash, so two appends can never chain onto the same event.
        AuditChainHead.objects.filter(pk=1).update(seq=F("seq") + 1)
        head = AuditChainHead.objects.get(pk=1)
        event = AuditEvent(
            seq=head.seq,
            occurred_at=timezone.now(),
            user=user,
            username=(user.get_username() if user is not None else username)[:150],
            agency_id=membership.agency_id if membership is not None else None,
            role=membership.role if membership is not None else "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            place_code=place_code,
            request_id=getattr(http_request, "request_id", "") if http_request else "",
            ip=getattr(http_request, "client_ip", None) if http_request else None,
            changed_fields=sorted(set(changed_fields)),
            extra=details,
            prev_hash=head.hash,
        )
        event.hash = event_hash(event)
        event.save()
        AuditChainHead.objects.filter(pk=1).update(hash=event.hash)
    return event
