"""Recording and verifying audit events.

:func:`audit_record` is called by services and views. It appends under the chain head's row
lock inside the caller's transaction, so a write and its audit event commit together.
:func:`audit_verify` walks the whole chain (``manage.py audit_verify``). See docs/audit.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from antoan.core.models import AuditChainHead, AuditEvent
from antoan.core.refusals import mark_audited, refused_object

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

# A changed field is named like a model field or form field ("full_name", "memberships.role").
# Anything else (spaces, accents, digits first) is probably a value passed by mistake, and a
# value may identify a survivor: refuse it rather than write it into a log that is never erased.
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,99}$")


def event_hash(event: Any) -> str:
    """SHA-256 of the hashed fields of ``event`` (a model instance or any object with them)."""
    payload: dict[str, Any] = {}
    for name in HASHED_FIELDS:
        value = getattr(event, name)
        if name == "occurred_at":
            value = value.astimezone(dt.UTC).isoformat(timespec="microseconds")
        payload[name] = value
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _field_names(changed_fields: Iterable[str]) -> list[str]:
    if isinstance(changed_fields, str):
        raise TypeError("changed_fields takes a list of field names, not a string.")
    names = sorted(set(changed_fields))
    for name in names:
        if not isinstance(name, str) or not _FIELD_NAME.match(name):
            raise ValueError(f"changed_fields holds field names only; refusing {name!r}.")
    return names


def _stored_ip(raw: str | None) -> str | None:
    # Hash the address as the database will return it (e.g. "::ffff:1.2.3.4" stays in that
    # form, while Python's ipaddress would write it "::ffff:102:304"), or the chain breaks.
    return AuditEvent._meta.get_field("ip").get_prep_value(raw) if raw else None


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
    if action == "permission_denied" and http_request is not None and not object_type:
        # A refusal names the object the URL points at (see antoan/core/refusals.py).
        object_type, object_id, other_ids = refused_object(http_request)
        details = {**other_ids, **details}
    names = _field_names(changed_fields)
    typed_name = user.get_username() if user is not None else username
    # A failed login's username is whatever was typed; PostgreSQL refuses NUL in text.
    typed_name = typed_name.replace("\x00", "")[:150]

    with transaction.atomic():
        # Update first: it takes the row lock (PostgreSQL) or the write lock (SQLite) before
        # we read the previous hash, so two appends can never chain onto the same event.
        if not AuditChainHead.objects.filter(pk=1).update(seq=F("seq") + 1):
            AuditChainHead.objects.get_or_create(pk=1)
            AuditChainHead.objects.filter(pk=1).update(seq=F("seq") + 1)
        head = AuditChainHead.objects.get(pk=1)
        event = AuditEvent(
            seq=head.seq,
            occurred_at=timezone.now(),
            user=user,
            username=typed_name,
            agency_id=membership.agency_id if membership is not None else None,
            role=membership.role if membership is not None else "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            place_code=place_code,
            request_id=getattr(http_request, "request_id", "") if http_request else "",
            ip=_stored_ip(getattr(http_request, "client_ip", None) if http_request else None),
            changed_fields=names,
            extra=details,
            prev_hash=head.hash,
        )
        event.hash = event_hash(event)
        event.save()
        AuditChainHead.objects.filter(pk=1).update(hash=event.hash)
    if action == "permission_denied" and http_request is not None:
        mark_audited(http_request, event.pk)
    return event


# Verification ---------------------------------------------------------------------------------

VERIFY_CHUNK = 2000


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of :func:`audit_verify`: ``ok``, or the first problem and where it is."""

    ok: bool
    checked: int
    last_seq: int
    head_seq: int
    problem: str = ""
    problem_seq: int | None = None
    # The verified last hash: worth copying somewhere outside the database (see docs/audit.md).
    head_hash: str = ""

    def __str__(self) -> str:
        if self.ok:
            if not self.checked:
                return "The audit log is empty; nothing to verify."
            return (
                f"The audit log is intact: {self.checked} events, #1 to #{self.last_seq}; "
                f"the chain head matches event #{self.head_seq}. Keep this anchor outside "
                f"the database and pass it to the next run: --anchor {self.anchor}"
            )
        return self.problem

    @property
    def anchor(self) -> str:
        return f"{self.head_seq}:{self.head_hash}"


def _rows(chunk_size: int) -> Iterator[SimpleNamespace]:
    """Every event in seq order, ``chunk_size`` rows per query (keyset on the unique seq).

    Keyset chunks keep memory flat at any size (5 million events and more) and, unlike a
    server-side cursor, work behind a transaction-pooling connection pooler.
    """
    fields = ("hash", *HASHED_FIELDS)
    last = None
    while True:
        qs = AuditEvent.objects.order_by("seq").values(*fields)
        if last is not None:
            qs = qs.filter(seq__gt=last)
        chunk = list(qs[:chunk_size])
        if not chunk:
            return
        for row in chunk:
            # Plain attributes are all event_hash needs, and much cheaper than model instances.
            yield SimpleNamespace(**row)
        last = chunk[-1]["seq"]


def _missing(first: int, last: int) -> str:
    if first == last:
        return f"event #{first} is missing (deleted)"
    return f"events #{first} to #{last} are missing (deleted)"


def _verify(
    chunk_size: int, progress: Callable[[int], None] | None, anchor: tuple[int, str] | None
) -> VerifyResult:
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq = head.seq if head is not None else 0
    head_hash = head.hash if head is not None else GENESIS_HASH
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0

    def fail(problem: str, seq: int | None) -> VerifyResult:
        return VerifyResult(False, checked, expected_seq - 1, head_seq, problem, seq)

    for row in _rows(chunk_size):
        if row.seq > expected_seq:
            return fail(_missing(expected_seq, row.seq - 1), expected_seq)
        if row.seq < expected_seq:  # only a seq below 1 can get here (seq is unique)
            return fail(f"event #{row.seq} has an impossible position (seq below 1)", row.seq)
        if event_hash(row) != row.hash:
            return fail(
                f"event #{row.seq} was changed (its content no longer matches its hash)", row.seq
            )
        if row.prev_hash != prev_hash:
            before = f"event #{row.seq - 1}" if row.seq > 1 else "the start of the chain"
            return fail(
                f"event #{row.seq} does not link to {before} (prev_hash differs): "
                f"{before} was changed and re-hashed, or event #{row.seq} was",
                row.seq - 1 if row.seq > 1 else row.seq,
            )
        if anchor is not None and row.seq == anchor[0] and row.hash != anchor[1]:
            return fail(
                f"event #{row.seq} no longer has the hash recorded outside the database: "
                f"the chain was rewritten from event #{row.seq} or before",
                row.seq,
            )
        prev_hash = row.hash
        expected_seq += 1
        checked += 1
        if progress is not None and checked % 100_000 == 0:
            progress(checked)

    last_seq = expected_seq - 1
    if head is None and checked:
        return fail("the chain head is missing, but the log holds events", None)
    if anchor is not None and anchor[0] > last_seq:
        return fail(
            f"the log ends at #{last_seq}, before the recorded anchor #{anchor[0]}: "
            "events were deleted",
            last_seq + 1,
        )
    if head_seq > last_seq:
        return fail(
            f"the last events were deleted: head says #{head_seq}, log ends at #{last_seq}",
            last_seq + 1,
        )
    if head_seq < last_seq:
        return fail(
            f"the chain head was changed: head says #{head_seq}, log ends at #{last_seq}",
            head_seq,
        )
    if head_hash != prev_hash:
        return fail(
            f"the chain head's hash does not match event #{last_seq}: "
            f"event #{last_seq} or the head was changed",
            last_seq,
        )
    return VerifyResult(True, checked, last_seq, head_seq, head_hash=head_hash)


def audit_verify(
    *,
    chunk_size: int = VERIFY_CHUNK,
    progress: Callable[[int], None] | None = None,
    anchor: tuple[int, str] | None = None,
) -> VerifyResult:
    """Walk the chain by seq and report the first broken link, gap or head mismatch.

    ``anchor`` is a (seq, hash) pair copied out of the database earlier (from a previous
    run's report): the chain alone cannot tell an intact log from one rewritten end to end
    by someone with the owner's rights; an anchor kept elsewhere can.
    """
    if connection.in_atomic_block:
        return _verify(chunk_size, progress, anchor)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One snapshot for the head and every chunk, so events appended while we walk
            # (the system stays up) are neither half-seen nor mistaken for tampering.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        # SQLite: a read transaction already sees one snapshot in WAL mode.
        return _verify(chunk_size, progress, anchor)
