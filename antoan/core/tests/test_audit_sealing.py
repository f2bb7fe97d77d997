"""Sealing after commit: events are written without the chain-head lock and chained later.

These tests switch ``AUDIT_SEALING`` to ``auto`` (production on PostgreSQL: left to the sealer
service while it runs), ``after_commit`` (each writer sees to its own event, as ``auto`` does
without a service) or ``background`` (to keep events unsealed); the test profile seals inline
because a test's own transaction never commits. See docs/audit.md.
"""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import threading
import time

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from antoan.core.audit import (
    SEALER_SERVICE_LOCK,
    audit_record,
    audit_verify,
    hold_sealer_service_lock,
    release_sealer_service_lock,
    seal_audit,
)
from antoan.core.models import AuditEvent
from antoan.core.selectors import audit_event_page
from antoan.places.models import Place
from tests.ops.servers import clean_env

postgres_only = pytest.mark.postgres_only


@pytest.fixture
def after_commit(settings):
    settings.AUDIT_SEALING = "after_commit"


@pytest.fixture
def background(settings):
    """Writers leave their events unsealed (a lone writer would seal its own at once)."""
    settings.AUDIT_SEALING = "background"


def sealed_seqs() -> list[int]:
    return list(
        AuditEvent.objects.filter(seq__isnull=False).order_by("seq").values_list("seq", flat=True)
    )


@postgres_only
def test_eight_concurrent_writers_make_one_valid_chain(transactional_db, after_commit):
    threads, per_thread = 8, 40
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                audit_record(action="view", object_type="case", object_id=f"{worker}-{i}")
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=append, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []

    seal_audit()  # the backstop: whatever the last writers left (they seal after commit)

    total = threads * per_thread
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()
    assert sealed_seqs() == list(range(1, total + 1))  # gapless, each event once
    written = {f"{w}-{i}" for w in range(threads) for i in range(per_thread)}
    assert set(AuditEvent.objects.values_list("object_id", flat=True)) == written
    result = audit_verify()
    assert result.ok, result.problem
    assert result.checked == total
    assert result.unsealed == 0


@postgres_only
def test_a_sealed_event_cannot_be_sealed_again(transactional_db, after_commit):
    audit_record(action="view", object_type="case", object_id=1)
    seal_audit()
    event = AuditEvent.objects.get()
    with pytest.raises(DatabaseError, match="append-only"), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET seq = 7, prev_hash = %s, hash = %s WHERE id = %s",
            ["0" * 64, "1" * 64, event.pk],
        )
    assert audit_verify().ok


@postgres_only
def test_sealing_cannot_change_anything_else(db, background):
    audit_record(action="view", object_type="case", object_id=1)
    event = AuditEvent.objects.get()
    assert event.seq is None
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE core_auditevent SET seq = 1, prev_hash = %s, hash = %s,"
            " object_id = '999' WHERE id = %s",
            ["0" * 64, "1" * 64, event.pk],
        )
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])


@pytest.fixture
def sealed_five(transactional_db, after_commit):
    for i in range(1, 6):
        audit_record(action="view", object_type="case", object_id=i)
    seal_audit()
    assert sealed_seqs() == [1, 2, 3, 4, 5]


def test_changing_a_sealed_event_is_detected(sealed_five, tamper):
    tamper("UPDATE core_auditevent SET object_id = %s WHERE seq = %s", ["999", 3])
    result = audit_verify()
    assert not result.ok
    assert result.problem == "event #3 was changed (its content no longer matches its hash)"


def test_deleting_a_sealed_event_is_detected(sealed_five, tamper):
    tamper("DELETE FROM core_auditevent WHERE seq = %s", [2])
    assert audit_verify().problem == "event #2 is missing (deleted)"


def test_truncating_the_end_is_detected(sealed_five, tamper):
    tamper("DELETE FROM core_auditevent WHERE seq >= %s", [4])
    problem = audit_verify().problem
    assert problem == "the last events were deleted: head says #5, log ends at #3"


def test_writes_after_tampering_do_not_hide_it(sealed_five, tamper):
    tamper("DELETE FROM core_auditevent WHERE seq = %s", [5])
    audit_record(action="view", object_type="case", object_id=6)
    seal_audit()
    assert not audit_verify().ok


def test_a_recent_unsealed_event_is_within_the_window(db, background):
    audit_record(action="view", object_type="case", object_id=1)
    result = audit_verify()
    assert result.ok
    assert result.unsealed == 1
    assert "1 recent events are not sealed yet" in str(result)


def test_an_event_left_unsealed_too_long_is_reported(db, background, settings):
    audit_record(action="view", object_type="case", object_id=1)
    event = AuditEvent.objects.get()
    settings.AUDIT_UNSEALED_MAX_SECONDS = 0  # as if the event had waited past the window
    result = audit_verify()
    assert not result.ok
    assert result.problem.startswith("1 events were left unsealed for more than 0 seconds")
    assert f"id {event.pk}" in result.problem
    assert "not protected by the chain" in result.problem
    with pytest.raises(CommandError, match="left unsealed"):
        call_command("audit_verify", stdout=io.StringIO())

    out = io.StringIO()
    call_command("seal_audit", stdout=out)  # the backstop
    assert out.getvalue().strip() == "Sealed 1 audit events."
    assert AuditEvent.objects.get().seq == 1
    assert audit_verify().ok


def test_the_writer_seals_its_event(transactional_db, after_commit):
    with transaction.atomic():
        audit_record(action="view", object_type="case", object_id=1)
    event = AuditEvent.objects.get()
    assert (event.seq, len(event.hash)) == (1, 64)
    assert audit_verify().ok


def test_a_write_and_its_event_roll_back_together(transactional_db, after_commit):
    audit_record(action="view", object_type="case", object_id=1)
    with pytest.raises(RuntimeError), transaction.atomic():
        Place.objects.create(code="99999", name="Xã Thử", level="commune")
        audit_record(action="create", object_type="place", object_id="99999")
        raise RuntimeError("the write fails after its event was recorded")
    assert not Place.objects.filter(code="99999").exists()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["view"]
    seal_audit()
    assert sealed_seqs() == [1]
    assert audit_verify().ok


def test_the_auditor_page_lists_unsealed_events(db, background):
    audit_record(action="view", object_type="case", object_id=1)
    audit_record(action="view", object_type="case", object_id=2)
    page = audit_event_page(AuditEvent.objects.all())
    assert [e.object_id for e in page.events] == ["2", "1"]  # newest first
    assert all(e.seq is None for e in page.events)


def test_in_background_mode_only_the_backstop_seals(transactional_db, background):
    audit_record(action="view", object_type="case", object_id=1)
    assert AuditEvent.objects.get().seq is None  # committed, left for the sealer service
    call_command("seal_audit", stdout=io.StringIO())
    assert sealed_seqs() == [1]
    assert audit_verify().ok


# The sealer service and "auto" sealing (the default on PostgreSQL) ----------------------------


@pytest.fixture
def auto(settings):
    settings.AUDIT_SEALING = "auto"


def _service_running() -> bool:
    """Seen from another session, as a writer sees it: does someone hold the service lock?"""
    s = connection.settings_dict
    with psycopg.connect(
        dbname=s["NAME"], user=s["USER"], host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432
    ) as other:
        free = other.execute(
            "SELECT pg_try_advisory_lock_shared(%s)", [SEALER_SERVICE_LOCK]
        ).fetchone()[0]
        if free:
            other.execute("SELECT pg_advisory_unlock_shared(%s)", [SEALER_SERVICE_LOCK])
    return not free


def _sealed(event_id: int) -> bool:
    return AuditEvent.objects.filter(pk=event_id, seq__isnull=False).exists()


@postgres_only
def test_without_a_sealer_service_auto_writers_seal_their_own_events(transactional_db, auto):
    assert not _service_running()
    alone = audit_record(action="view", object_type="case", object_id=1)
    assert alone.seq == 1  # sealed by its own statement
    with transaction.atomic():
        inside = audit_record(action="view", object_type="case", object_id=2)
        assert inside.seq is None
    assert _sealed(inside.pk)  # right after the commit
    assert audit_verify().ok


@postgres_only
def test_while_the_sealer_service_runs_writers_only_insert(transactional_db, auto, tmp_path):
    """``seal_audit --every`` run as systemd runs it: a process, stopped with SIGTERM."""
    s = connection.settings_dict
    env = clean_env(
        ANTOAN_ENV="test",
        DATABASE_URL=(
            f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        ),
    )
    log = tmp_path / "sealer.log"
    with log.open("w") as out:
        service = subprocess.Popen(
            [sys.executable, "manage.py", "seal_audit", "--every", "0.1"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(150):
            if _service_running() or service.poll() is not None:
                break
            time.sleep(0.1)
        assert _service_running(), log.read_text()

        left = [audit_record(action="view", object_type="case", object_id=i) for i in range(3)]
        with transaction.atomic():
            left.append(audit_record(action="view", object_type="case", object_id=3))
        assert [event.seq for event in left] == [None] * 4  # no writer sealed anything
        for _ in range(100):
            if all(_sealed(event.pk) for event in left):
                break
            time.sleep(0.05)
        assert sealed_seqs() == [1, 2, 3, 4]  # the service did, within its round

        # Events written just before the service stops are sealed by it on the way out.
        late = audit_record(action="view", object_type="case", object_id=4)
        assert late.seq is None
        service.send_signal(signal.SIGTERM)
        assert service.wait(timeout=30) == 0, log.read_text()
    finally:
        if service.poll() is None:
            service.kill()
            service.wait()
    assert _sealed(late.pk)
    assert not _service_running()
    assert "writers leave their audit events to this process" in log.read_text()
    # With the service gone, writers seal for themselves again.
    assert audit_record(action="view", object_type="case", object_id=5).seq == 6
    assert audit_verify().ok


@postgres_only
def test_a_second_sealer_service_waits_then_takes_over(transactional_db, auto):
    """Two services: one holds the lock; the other takes it once the first lets go."""
    results: dict[str, bool] = {}
    first_holds, first_may_go = threading.Event(), threading.Event()

    def first() -> None:
        try:
            results["first"] = hold_sealer_service_lock()
            first_holds.set()
            first_may_go.wait(timeout=30)
            release_sealer_service_lock()
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert first_holds.wait(timeout=30)
    try:
        assert not hold_sealer_service_lock()  # this one is a backstop while the first runs
        assert audit_record(action="view", object_type="case", object_id=1).seq is None
    finally:
        first_may_go.set()
        thread.join()
    assert results["first"]
    assert hold_sealer_service_lock()  # the first let go: this one takes over
    assert hold_sealer_service_lock()  # and keeps it (nothing sent while it holds it)
    assert _service_running()
    release_sealer_service_lock()
    assert not _service_running()
    seal_audit()
    assert audit_verify().ok
