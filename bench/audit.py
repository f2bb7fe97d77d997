"""Audit append throughput: events a second from 1 and 8 concurrent writers.

Each writer is a separate process (forked after Django is set up, its own database
connection), like the workers of the app servers, appending with ``audit_record`` (one event,
one transaction, as an audited read of a case does) for ``BENCH_AUDIT_SECONDS`` (default 3)
seconds. The clock stops only when every event written is **sealed** (``seq``, ``prev_hash``,
``hash`` assigned): the time the last writers' sealing or the backstop ``seal_audit`` takes is
counted. In ``auto`` (the default on PostgreSQL) and ``background`` modes the sealer service
runs as deployed (``seal_audit --every``, ``BENCH_AUDIT_EVERY`` seconds, default 1) in a
process of its own, stopped with SIGTERM when the writers are done; the age of the oldest
unsealed event is sampled meanwhile and printed (how long an event waits for its seal). The
floor is the same number of processes doing a plain INSERT of the same row, one transaction
each, for the same time.

Rows: ``median_ms`` and ``floor_ms`` are milliseconds per event over the whole run (1000 /
events a second), so ``ratio`` reads as usual; ``p95_ms`` is the 95th percentile of one
append's wall time as a writer sees it (the call and its commit, with any sealing it does after
the commit). The events a second are printed too. See docs/performance.md, "Audit append".
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from common import row
from django.db import connection, connections, transaction
from django.utils import timezone

SECONDS = float(os.environ.get("BENCH_AUDIT_SECONDS", "3"))
# The sealer service's interval (``seal_audit --every``), as deploy/compose.yaml runs it.
EVERY = float(os.environ.get("BENCH_AUDIT_EVERY", "1"))
WRITERS = (1, 8)
_runs = iter(range(1, 1000))  # each floor run takes its own seq range


def _unsealed() -> int:
    from antoan.core.models import AuditEvent

    if not AuditEvent._meta.get_field("seq").null:  # before sealing, every event was chained
        return 0
    return AuditEvent.objects.filter(seq__isnull=True).count()


_wait: list[float] = []  # the oldest unsealed event's age at each sample of a run (seconds)


def _oldest_unsealed_age() -> float:
    from django.db.models import Min

    from antoan.core.models import AuditEvent

    oldest = AuditEvent.objects.filter(seq__isnull=True).aggregate(at=Min("occurred_at"))["at"]
    return 0.0 if oldest is None else (timezone.now() - oldest).total_seconds()


def _ours(user_id: int, until: float, out) -> None:
    from django.contrib.auth import get_user_model

    from antoan.core.audit import audit_record
    from antoan.core.models import AuditEvent  # noqa: F401  (imports done before the clock)

    user = get_user_model().objects.get(pk=user_id)
    latencies = []
    i = 0
    while time.perf_counter() < until:
        start = time.perf_counter()
        audit_record(action="view", user=user, object_type="case", object_id=i)
        latencies.append(time.perf_counter() - start)
        i += 1
    connection.close()
    out.put(latencies)


def _floor(user_id: int, until: float, out, base: int) -> None:
    user_name = "bench"
    latencies = []
    i = 0
    while time.perf_counter() < until:
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO core_auditevent (seq, occurred_at, user_id, username, role, action,"
                " object_type, object_id, place_code, request_id, changed_fields, extra,"
                " prev_hash, hash) VALUES (%s, %s, %s, %s, '', 'view', 'case', %s, '', '',"
                " '[]', '{}', %s, %s)",
                [base + i, timezone.now(), user_id, user_name, str(i), "0" * 64, "0" * 64],
            )
        latencies.append(time.perf_counter() - start)
        i += 1
    connection.close()
    out.put(latencies)


def _sealer() -> None:
    """The sealer service as deployed (``seal_audit --every``), for AUDIT_SEALING=auto and
    background; stopped with SIGTERM, as systemd stops it, when the writers are done."""
    from django.core.management import call_command

    with open(os.devnull, "w") as quiet:
        call_command("seal_audit", every=EVERY, stdout=quiet)


@contextmanager
def sealer_service():
    """The sealer service as deployed (``seal_audit --every``) in a process of its own for the
    block, so that what is measured meanwhile writes its audit events as production does
    (``auto``: left to the service). PostgreSQL only; elsewhere nothing is started."""
    from antoan.core.audit import SEALER_SERVICE_LOCK

    if connection.vendor != "postgresql":
        yield
        return
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    url = f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    env = {**os.environ, "DATABASE_URL": f"{url}/{s['NAME']}"}
    service = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "manage.py", "seal_audit", "--every", str(EVERY)],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):  # until it holds its lock (writers see it then)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock_shared(%s)", [SEALER_SERVICE_LOCK])
                if not cursor.fetchone()[0]:
                    break
                cursor.execute("SELECT pg_advisory_unlock_shared(%s)", [SEALER_SERVICE_LOCK])
            if service.poll() is not None:
                raise RuntimeError("the sealer service stopped at once")
            time.sleep(0.1)
        else:
            raise RuntimeError("the sealer service did not take its lock within 30 s")
        yield
    finally:
        service.terminate()  # SIGTERM, as systemd stops it
        service.wait(timeout=120)


def _run(target, writers: int, args: tuple, *, seal: bool) -> tuple[float, int, float]:
    """(seconds per event over the run, events, p95 seconds of one append)."""
    ctx = multiprocessing.get_context("fork")
    connections.close_all()  # children must not share the parent's socket
    out = ctx.Queue()
    start = time.perf_counter()
    until = start + SECONDS
    # The floor's rows take seq numbers far above the chain's, one range per writer.
    base = FLOOR_SEQ_BASE * next(_runs)
    extra = (lambda w: (base + w * 100_000_000,)) if target is _floor else (lambda w: ())
    procs = [
        ctx.Process(target=target, args=(*args, until, out, *extra(w))) for w in range(writers)
    ]
    from django.conf import settings

    if seal and settings.AUDIT_SEALING in {"auto", "background"}:
        procs_sealer = [ctx.Process(target=_sealer)]
    else:
        procs_sealer = []
    for p in procs_sealer + procs:
        p.start()
    # A writer that died would never report: wait a bounded time, then fail loudly. Meanwhile
    # the age of the oldest unsealed event is sampled: how long an event waits to be sealed.
    reports: list[list[float]] = []
    deadline = until + 120
    while len(reports) < len(procs):
        try:
            reports.append(out.get(timeout=0.25))
        except queue.Empty:
            if time.perf_counter() > deadline:
                raise RuntimeError("an audit writer did not report") from None
        if seal:
            _wait.append(_oldest_unsealed_age())
    latencies = [x for report in reports for x in report]
    for p in procs:
        p.join()
    for p in procs_sealer:
        p.terminate()  # SIGTERM: the service seals what was left to it, then stops
        p.join()
    if seal:
        # Whatever the writers left unsealed (at most the last batch) is sealed before the
        # clock stops, by the backstop the deployment runs.
        try:
            from antoan.core.audit import seal_audit
        except ImportError:
            seal_audit = None
        while _unsealed():
            if seal_audit is not None:
                seal_audit()
            else:
                time.sleep(0.01)
    elapsed = time.perf_counter() - start
    events = len(latencies)
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 20 else max(latencies)
    return elapsed / events, events, p95


# Every floor run's rows take seq numbers from here up, far above any chain.
FLOOR_SEQ_BASE = 10_000_000_000


def _drop_floor_rows() -> int:
    """Delete the floor's rows from the audit table. The table refuses deletes (its
    append-only triggers); the bench connects as the database owner, which may switch user
    triggers off for its own transaction (``session_replication_role = replica``). The rows
    were never part of the chain (seq above it, never sealed onto it), so it stays valid."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM core_auditevent WHERE seq >= %s", [FLOOR_SEQ_BASE])
        return cursor.rowcount


def bench_audit(user, scale: str = "province", *, keep_chain: bool = False) -> list[dict]:
    """Rows for 1 and 8 writers, ours (sealed) vs the plain INSERT floor; prints events/s.
    ``keep_chain`` (a database that is kept, the national one): the floor's rows are deleted
    afterwards (``_drop_floor_rows``), so ``audit_verify`` still passes there. The floor
    inserts into the same table as ours, with its size and indexes: into an empty copy it
    was 2.5 times faster at national scale than into the table of 24.7 million events."""
    from django.conf import settings

    # The bench runs with the test profile, which seals inline; measure what production runs.
    settings.AUDIT_SEALING = os.environ.get(
        "ANTOAN_AUDIT_SEALING", "auto" if connection.vendor == "postgresql" else "inline"
    )
    print(f"audit sealing: {settings.AUDIT_SEALING}", flush=True)
    try:
        rows = [_writers_row(user, writers, scale) for writers in WRITERS]
    finally:
        if keep_chain:
            print(f"audit floor rows deleted: {_drop_floor_rows():,}", flush=True)
    return rows


def _writers_row(user, writers: int, scale: str) -> dict:
    _wait.clear()
    ours, n_ours, p95 = _run(_ours, writers, (user.pk,), seal=True)
    floor, _, _ = _run(_floor, writers, (user.pk,), seal=False)
    label = "writer" if writers == 1 else "writers"
    print(
        f"audit append, {writers} {label}: {1 / ours:,.0f} events/s sealed"
        f" ({n_ours} events in {SECONDS:.0f} s + sealing; p95 append {p95 * 1e3:.1f} ms);"
        f" floor (plain INSERT) {1 / floor:,.0f} events/s; oldest unsealed event seen"
        f" {max(_wait, default=0.0):.2f} s",
        flush=True,
    )
    return row(
        f"audit append, {writers} {label} (ms/event)",
        scale,
        ours,
        floor,
        p95_ms=round(p95 * 1e3, 3),
    )
