"""Sealing after commit: events are written without the chain-head lock and chained later.

These tests switch ``AUDIT_SEALING`` to ``after_commit`` (production on PostgreSQL) or
``background`` (to keep events unsealed); the test profile seals inline because a test's own
transaction never commits. See docs/audit.md.
"""

from __future__ import annotations

import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from antoan.core.audit import audit_record, audit_verify, seal_audit
from antoan.core.models import AuditEvent
from antoan.core.selectors import audit_event_page
from antoan.places.models import Place

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
