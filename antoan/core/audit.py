"""Recording and verifying audit events.

:func:`audit_record` is called by services and views. It inserts the event (unsealed) in the
caller's transaction, so a write and its audit event commit together; sealing chains it (on
PostgreSQL in SQL functions, migration core/0007, hashing exactly as :func:`event_hash`).
:func:`audit_verify` walks the whole chain (``manage.py audit_verify``). See docs/audit.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from antoan.core.models import AuditChainHead, AuditEvent
from antoan.core.refusals import mark_audited, refused_object

GENESIS_HASH = "0" * 64

log = logging.getLogger(__name__)

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

    event = AuditEvent(
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
    )
    if connection.vendor == "postgresql":
        _append_postgresql(event)
    else:
        with transaction.atomic():
            event.save()  # unsealed: no lock taken, nothing waits
            if _seals_inline():
                # Chain it now, inside the caller's transaction (SQLite, the test profile): the
                # head lock is then held until the caller commits, as before sealing existed.
                _seal_batch(own=event)
            elif _sealing_mode() in {"after_commit", "auto"}:
                # No sealer service lock on SQLite: "auto" seals after commit, as after_commit.
                transaction.on_commit(seal_after_commit)
            # "background": only ``manage.py seal_audit --every`` seals.
    if action == "permission_denied" and http_request is not None:
        mark_audited(http_request, event.pk)
    return event


# The writer's one statement on PostgreSQL (migration core/0007): insert, and seal as the mode
# says. The columns are passed as parameters; the function writes them with cached plans.
_APPEND_SQL = (
    "SELECT event_id, event_seq, event_prev_hash, event_hash, stuck, service"
    " FROM antoan_audit_append("
    "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::inet, %s::jsonb, %s::jsonb, %s)"
)


def _append_postgresql(event: AuditEvent) -> None:
    """Insert ``event`` (and seal, as ``AUDIT_SEALING`` says) in one round trip; sets its pk.

    No ORM ``save()``: one statement instead of the model's INSERT, the head lock, the read of
    the unsealed rows and the write of their seals (docs/performance.md, "Audit append").
    """
    mode = _sealing_mode()
    if mode == "inline":
        seal = "inline"
    elif mode == "auto":
        # Left to the sealer service if it runs; if not, as after_commit (migration core/0009).
        seal = "auto_later" if connection.in_atomic_block else "auto"
    elif mode == "after_commit" and not connection.in_atomic_block:
        # Autocommit: seal now if no one else is sealing (the lock lasts this one statement).
        seal = "try"
    else:
        # Inside the caller's transaction nothing is sealed: the sealer lock would be held
        # until the caller commits, and every other writer would wait for that.
        seal = "none"
    params = [
        event.occurred_at,
        event.user_id,
        event.username,
        event.agency_id,
        event.role,
        event.action,
        event.object_type,
        event.object_id,
        event.place_code,
        event.request_id,
        event.ip,
        json.dumps(event.changed_fields),
        json.dumps(event.extra),
        seal,
    ]
    # Outside a transaction (autocommit) the statement is one: the event and its seal commit
    # together, and nothing else is sent before the check after commit.
    with connection.cursor() as cursor:
        cursor.execute(_APPEND_SQL, params)
        found = cursor.fetchone()
    event.pk, event.seq, prev_hash, hash_, stuck, service = found
    event.prev_hash, event.hash = prev_hash or "", hash_ or ""
    event._state.adding = False
    event._state.db = connection.alias
    if stuck:
        # An event the database could not hash exactly as Python does (see _seal_batch):
        # Python seals from there, in the caller's transaction if there is one.
        with transaction.atomic(savepoint=False):
            _seal_batch_python(own=event, fsync=True)
    if mode in {"after_commit", "auto"} and event.seq is None and not service:
        # After the commit, make sure this event is sealed (by us, or by the sealer at work).
        if connection.in_atomic_block:
            transaction.on_commit(partial(seal_after_commit, event.pk))
        elif connection.get_autocommit():
            seal_after_commit(event.pk)


# Sealing --------------------------------------------------------------------------------------

SEAL_BATCH = 1000
# A writer seals for others after its own commit for at most this long, then leaves the rest
# to the next writer or the backstop (``manage.py seal_audit``).
SEAL_AFTER_COMMIT_BUDGET = 0.05

_SEAL_READ = ("id", *(name for name in HASHED_FIELDS if name not in {"seq", "prev_hash"}))


def _sealing_mode() -> str:
    return getattr(settings, "AUDIT_SEALING", "after_commit")


def _seals_inline() -> bool:
    return _sealing_mode() == "inline"


# Who seals next is elected with a session-level advisory lock (PostgreSQL), taken outside any
# transaction: a writer that loses pays one round trip, assigns no transaction id and writes
# nothing. The chain head's row lock, taken next, is what every change of the chain holds
# (inline sealing takes only that one).
SEALER_LOCK = 0x616E746F616E  # "antoan"
# The sealer service (``seal_audit --every``) holds this lock exclusively for as long as it
# runs; in "auto" mode a writer that cannot take it in shared mode leaves its event to the
# service (migration core/0009).
SEALER_SERVICE_LOCK = SEALER_LOCK + 1
_service_connection: Any = None  # the connection the service lock was taken on


def hold_sealer_service_lock() -> bool:
    """Take (or keep) the sealer service's lock; True while this process holds it.

    A session lock lasts as long as its connection: called before every round of the service,
    this takes it again on a new connection (after a reconnect) and sends nothing while the
    same connection holds it. False when another service holds it (this one is then only a
    backstop, and takes over when that one stops) and on SQLite (no such lock: "auto" writers
    seal after their commit there).
    """
    global _service_connection
    if connection.vendor != "postgresql":
        return False
    connection.ensure_connection()
    if _service_connection is not None and connection.connection is _service_connection:
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SEALER_SERVICE_LOCK])
        held = bool(cursor.fetchone()[0])
    _service_connection = connection.connection if held else None
    return held


def release_sealer_service_lock() -> None:
    """Let go of the service's lock (a stopping service): writers seal for themselves again."""
    global _service_connection
    if _service_connection is not None and connection.connection is _service_connection:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SEALER_SERVICE_LOCK])
    _service_connection = None


def _lock_head(*, fsync: bool) -> tuple[int, str]:
    """Lock the chain head row (waiting if need be) and return (seq, hash)."""
    with connection.cursor() as cursor:
        for _ in range(2):
            if connection.vendor == "postgresql":
                # Without fsync (after commit): lost in a crash, a seal is lost whole (its events
                # and the head together, and only the last seals) and the events are sealed
                # again. Inline, the caller's transaction keeps its own durability.
                cursor.execute(
                    "SELECT seq, hash, set_config('synchronous_commit', %s, true)"
                    " FROM core_auditchainhead WHERE id = 1 FOR UPDATE",
                    ["on" if fsync else "off"],
                )
            else:  # SQLite: an UPDATE takes the database's write lock (there is only one)
                cursor.execute(
                    "UPDATE core_auditchainhead SET seq = seq WHERE id = 1 RETURNING seq, hash"
                )
            found = cursor.fetchone()
            if found is not None:
                return int(found[0]), found[1]
            AuditChainHead.objects.get_or_create(pk=1)  # the very first event
    raise DatabaseError("the audit chain head could not be created")


def _seal_batch(*, own: AuditEvent | None = None) -> int:
    """Seal up to SEAL_BATCH unsealed events in id order, in one transaction; how many.

    On PostgreSQL one statement does it (``antoan_audit_seal_batch``, migration core/0007),
    hashing in the database exactly as :func:`event_hash` does. Should it meet a value it
    cannot hash the same way (e.g. a float out of range), it stops before that event and
    Python seals from there. ``own`` (inline sealing, in the caller's transaction) gets its
    seq and hashes set on the instance too (Python path).
    """
    # Inline, the caller's transaction is the one: no savepoint (two queries fewer per event).
    with transaction.atomic(savepoint=own is None):
        if connection.vendor == "postgresql" and own is None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT sealed, stuck FROM antoan_audit_seal_batch(0, %s, false)", [SEAL_BATCH]
                )
                sealed, stuck = cursor.fetchone()
            if stuck is None:
                return sealed
            return sealed + _seal_batch_python(fsync=False)
        return _seal_batch_python(own=own, fsync=own is not None)


def _seal_batch_python(*, own: AuditEvent | None = None, fsync: bool) -> int:
    """The Python sealer (SQLite, and PostgreSQL for what the database could not hash)."""
    seq, prev_hash = _lock_head(fsync=fsync)
    rows = list(
        AuditEvent.objects.filter(seq__isnull=True).order_by("id").values(*_SEAL_READ)[:SEAL_BATCH]
    )
    if not rows:
        return 0
    sealed = []
    for fields in rows:
        seq += 1
        # Hash the values as read back from the database, exactly as audit_verify will.
        event = SimpleNamespace(**fields, seq=seq, prev_hash=prev_hash)
        prev_hash = event_hash(event)
        sealed.append((fields["id"], seq, event.prev_hash, prev_hash))
        if own is not None and own.pk == fields["id"]:
            own.seq, own.prev_hash, own.hash = seq, event.prev_hash, prev_hash
    _write_seals(sealed, seq, prev_hash)
    return len(sealed)


def _write_seals(sealed: list[tuple[int, int, str, str]], seq: int, head_hash: str) -> None:
    """Write the seals and move the head to (seq, head_hash)."""
    # Raw SQL on purpose: the model and its queryset refuse updates for everyone else, and on
    # PostgreSQL the trigger lets only this change through (seq from NULL, hashes set).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            values = ", ".join(["(%s::bigint, %s::bigint, %s, %s)"] * len(sealed))
            # One round trip for the events and the head.
            cursor.execute(
                "WITH sealed AS (UPDATE core_auditevent AS e SET seq = v.seq,"  # noqa: S608
                " prev_hash = v.prev_hash, hash = v.hash"
                f" FROM (VALUES {values}) AS v(id, seq, prev_hash, hash)"
                " WHERE e.id = v.id AND e.seq IS NULL RETURNING e.id)"
                " UPDATE core_auditchainhead SET seq = %s, hash = %s WHERE id = 1"
                " RETURNING (SELECT count(*) FROM sealed)",
                [*(x for row in sealed for x in row), seq, head_hash],
            )
            changed = cursor.fetchone()[0]
        else:
            cursor.executemany(
                "UPDATE core_auditevent SET seq = %s, prev_hash = %s, hash = %s"
                " WHERE id = %s AND seq IS NULL",
                [(s, p, h, i) for i, s, p, h in sealed],
            )
            changed = len(sealed)
            cursor.execute(
                "UPDATE core_auditchainhead SET seq = %s, hash = %s WHERE id = 1", [seq, head_hash]
            )
    if changed != len(sealed):  # cannot happen under the head lock; never chain a guess
        raise DatabaseError(f"sealing changed {changed} events of {len(sealed)}")


def _unsealed_exists() -> bool:
    return AuditEvent.objects.filter(seq__isnull=True).exists()


def _sealer_lock(blocking: bool) -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite: the write lock taken by each batch is enough
    with connection.cursor() as cursor:
        if blocking:
            cursor.execute("SELECT pg_advisory_lock(%s)", [SEALER_LOCK])
            return True
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SEALER_LOCK])
        return bool(cursor.fetchone()[0])


def _sealer_unlock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SEALER_LOCK])


def seal_audit(*, blocking: bool = False, budget: float | None = None) -> int:
    """Seal every committed unsealed event, batch by batch; returns how many were sealed.

    Without ``blocking``, returns at once when another sealer is at work: that one seals what
    is committed, and checks again after it lets go (so an event committed while it worked is
    not left behind). ``budget`` (seconds) bounds the time spent.
    """
    started = time.monotonic()
    total = 0
    while True:
        if not _sealer_lock(blocking):
            return total
        try:
            while True:
                done = _seal_batch()
                total += done
                out_of_time = budget is not None and time.monotonic() - started > budget
                if done < SEAL_BATCH or out_of_time:
                    break
        finally:
            _sealer_unlock()
        # After letting go: a writer whose try failed while we held the lock relies on this.
        if out_of_time or not _unsealed_exists():
            return total


def seal_after_commit(event_id: int | None = None) -> None:
    """Run after a writer's commit (``after_commit``): see that its event gets sealed.

    PostgreSQL: one statement (``antoan_audit_seal_own``) returns at once if the event is
    sealed, else waits for the sealer at work (one short batch), looks again, and seals the
    event and the later committed ones if no one did. Never fails the caller.
    """
    try:
        if connection.vendor != "postgresql" or event_id is None:
            seal_audit(budget=SEAL_AFTER_COMMIT_BUDGET)
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sealed, stuck FROM antoan_audit_seal_own(%s, %s)", [event_id, SEAL_BATCH]
            )
            _, stuck = cursor.fetchone()
        if stuck is not None:  # a value only Python hashes exactly: seal from there in Python
            seal_audit(budget=SEAL_AFTER_COMMIT_BUDGET)
    except Exception:  # never fail a request whose work is committed
        # The write and its event are committed; the next writer or the backstop seals it.
        log.exception("audit sealing after commit failed; seal_audit will retry")


def unsealed_max_seconds() -> float:
    return float(getattr(settings, "AUDIT_UNSEALED_MAX_SECONDS", 5))


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
    # Committed events not sealed yet (not in the chain, so not protected by it yet).
    unsealed: int = 0

    def __str__(self) -> str:
        if self.ok:
            pending = (
                f" {self.unsealed} recent events are not sealed yet (within the "
                f"{unsealed_max_seconds():g}-second window); the next run checks them."
                if self.unsealed
                else ""
            )
            if not self.checked:
                return "The audit log has no sealed events; nothing to verify." + pending
            return (
                f"The audit log is intact: {self.checked} events, #1 to #{self.last_seq}; "
                f"the chain head matches event #{self.head_seq}. Keep this anchor outside "
                f"the database and pass it to the next run: --anchor {self.anchor}" + pending
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
        # Unsealed events (seq NULL) are not in the chain yet; _verify counts them apart.
        qs = AuditEvent.objects.filter(seq__isnull=False).order_by("seq").values(*fields)
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
    limit = unsealed_max_seconds()
    stale = Q(occurred_at__lt=timezone.now() - dt.timedelta(seconds=limit))
    unsealed = AuditEvent.objects.filter(seq__isnull=True).aggregate(
        total=Count("id"),
        stale=Count("id", filter=stale),
        oldest_id=Min("id", filter=stale),
        oldest_at=Min("occurred_at", filter=stale),
    )
    if unsealed["stale"]:
        return fail(
            f"{unsealed['stale']} events were left unsealed for more than {limit:g} seconds "
            f"(the oldest: id {unsealed['oldest_id']}, written at "
            f"{unsealed['oldest_at'].astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC). An unsealed "
            "event is not protected by the chain: is the sealer running? "
            "Run manage.py seal_audit, then verify again",
            None,
        )
    return VerifyResult(
        True, checked, last_seq, head_seq, head_hash=head_hash, unsealed=unsealed["total"]
    )


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
