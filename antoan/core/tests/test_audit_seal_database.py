"""PostgreSQL seals in the database (migration core/0007): the same hashes as Python's.

``audit_verify`` recomputes every hash in Python (``event_hash``); these tests check that what
the SQL functions wrote is byte for byte what Python computes, for awkward values too, that a
value the database cannot reproduce falls back to Python, and that the writer's path costs
one statement. See docs/audit.md, "Sealing in the database".
"""

from __future__ import annotations

import importlib
import json
import random
import threading

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from antoan.core.audit import (
    _APPEND_SQL,
    SEALER_LOCK,
    SEALER_SERVICE_LOCK,
    audit_record,
    audit_verify,
    event_hash,
    seal_audit,
)
from antoan.core.models import AuditEvent

pytestmark = pytest.mark.postgres_only

AWKWARD_EXTRAS = [
    {},
    {"path": "/cases/12/"},
    {"b": 1, "a": 2, "B": 3, "é": 4, "_": 5, "aa": 6, "a b": 7, "Z": [], "z": {}},
    {"nested": {"a": [1, 2.5, None, True, False, "x"], "deep": {"k": [[], {}]}}},
    {"big": 10**20, "neg": -7, "zero": 0, "float0": 0.0, "negf": -1.5},
    {"floats": [0.1, 1e-05, 0.0001, 1e16, 1e15, 123456789.123, 1e300, 2.5e-300, 1 / 3]},
    {"text": 'quote " backslash \\ tab \t newline \n cr \r bell \x07 del \x7f'},
    {"unicode": "Nguyễn Thị Lan – đ ✓ 😀 \u2028 \u00e9", "key \n": "v"},
]


def _stored(pk: int) -> AuditEvent:
    return AuditEvent.objects.get(pk=pk)


def test_the_database_hashes_awkward_events_as_python_does(db):
    request = RequestFactory().get("/")
    events = []
    for n, extra in enumerate(AWKWARD_EXTRAS):
        request.client_ip = ["192.0.2.1", "2001:DB8::1", "::ffff:192.0.2.1"][n % 3]
        request.request_id = f'req-"{n}"'
        events.append(
            audit_record(
                action="login_failed",
                request=request,
                username=f'ad"m\\in\t{n} Đặng',
                object_type="case",
                object_id=f"{n}-✓",
                place_code="11953",
                changed_fields=["status", "memberships.role", "a-b"],
                extra=extra,
            )
        )
    for event in events:
        stored = _stored(event.pk)
        assert stored.seq is not None
        assert event_hash(stored) == stored.hash, stored.extra
        assert (event.seq, event.hash) == (stored.seq, stored.hash)
    result = audit_verify()
    assert result.ok, result.problem
    assert result.checked == len(AWKWARD_EXTRAS)


def test_floats_are_written_as_python_writes_them(db):
    rng = random.Random(13)
    values = [rng.uniform(-1, 1) * 10 ** rng.randint(-320, 308) for _ in range(400)]
    values += [0.5, 1.0, -2.0, 1e16, 9999999999999998.0, 1e-4, 1e-5, 5e-324, 1.7976931348623157e308]
    with connection.cursor() as cursor:
        for value in values:
            cursor.execute(
                "SELECT antoan_audit_json(%s::jsonb)::text, %s::jsonb::text",
                [json.dumps([value]), json.dumps([value])],
            )
            ours, stored = cursor.fetchone()
            # What audit_verify hashes: the stored number read back by Python, written again.
            expected = json.dumps(json.loads(stored), separators=(",", ":"), ensure_ascii=False)
            assert ours == expected, (value, stored)


def test_a_value_only_python_can_hash_is_sealed_by_python(transactional_db, settings):
    settings.AUDIT_SEALING = "after_commit"
    audit_record(action="view", object_type="case", object_id=1)
    # A number with a fraction too large for a float: json.loads reads inf, which the
    # database cannot write as Python does ("Infinity"), so it leaves the event to Python.
    huge = "1" + "0" * 400 + ".5"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditevent (occurred_at, username, role, action, object_type,"
            " object_id, place_code, request_id, changed_fields, extra, prev_hash, hash)"
            " VALUES (now(), 'x', '', 'view', 'case', '2', '', '', '[]', %s::jsonb, '', '')"
            " RETURNING id",
            ['{"n": ' + huge + "}"],
        )
        odd = cursor.fetchone()[0]
    # A writer seals from its own event on, so this one is sealed before the odd one.
    audit_record(action="view", object_type="case", object_id=3)
    assert _stored(odd).seq is None
    seal_audit()  # the backstop: the database stops at the odd event, Python seals it
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()
    assert _stored(odd).seq == 3
    result = audit_verify()
    assert result.ok, result.problem
    assert result.checked == 3


def test_tampering_with_a_database_sealed_event_is_detected(db, tamper):
    audit_record(action="view", object_type="case", object_id=1, extra={"a": [1, 2.5]})
    audit_record(action="view", object_type="case", object_id=2, extra={"a": [1, 2.5]})
    assert audit_verify().ok
    tamper("UPDATE core_auditevent SET extra = %s::jsonb WHERE seq = 1", ['{"a": [1, 2.6]}'])
    assert audit_verify().problem == (
        "event #1 was changed (its content no longer matches its hash)"
    )


def test_one_writer_outside_a_transaction_sends_one_statement(transactional_db, settings):
    settings.AUDIT_SEALING = "after_commit"
    audit_record(action="view", object_type="case", object_id=0)  # the first creates the head
    with CaptureQueriesContext(connection) as queries:
        event = audit_record(action="view", object_type="case", object_id=1)
    assert len(queries) == 1  # insert and seal, in the statement's own transaction
    assert event.seq == 2
    assert _stored(event.pk).hash == event.hash
    assert audit_verify().ok


def test_a_writer_inside_a_transaction_seals_after_its_commit(transactional_db, settings):
    settings.AUDIT_SEALING = "after_commit"
    with transaction.atomic():
        event = audit_record(action="view", object_type="case", object_id=1)
        # Not sealed inside the caller's transaction: the lock would be held to its commit.
        assert _stored(event.pk).seq is None
    assert _stored(event.pk).seq == 1
    assert audit_verify().ok


def test_writers_in_and_out_of_transactions_make_one_valid_chain(transactional_db, settings):
    settings.AUDIT_SEALING = "after_commit"
    threads, per_thread = 8, 30
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                if worker % 2:
                    with transaction.atomic():
                        audit_record(action="view", object_type="case", object_id=f"{worker}-{i}")
                else:
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
    # Every writer saw to its own event: nothing is left for the backstop.
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()
    total = threads * per_thread
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    result = audit_verify()
    assert result.ok, result.problem
    assert result.checked == total


def test_the_seal_trigger_names_every_column(db):
    """A column added to the table must be added to the trigger's WHEN (migration 0007)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger"
            " WHERE tgrelid = 'core_auditevent'::regclass AND tgname = %s",
            ["core_auditevent_append_only"],
        )
        definition = cursor.fetchone()[0]
        cursor.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'core_auditevent' AND table_schema = current_schema()"
        )
        columns = {row[0] for row in cursor.fetchall()}
    assert "BEFORE UPDATE" in definition
    for column in columns - {"seq", "prev_hash", "hash"}:
        assert f"old.{column} IS DISTINCT FROM new.{column}" in definition.replace(
            f"(old.{column})::text IS DISTINCT FROM (new.{column})::text",
            f"old.{column} IS DISTINCT FROM new.{column}",
        ), column


def test_the_functions_use_the_python_lock_keys():
    migration = importlib.import_module("antoan.core.migrations.0007_audit_seal_in_database")
    assert migration.SEALER_LOCK == SEALER_LOCK
    assert str(SEALER_LOCK) in migration.FUNCTIONS
    service = importlib.import_module("antoan.core.migrations.0009_audit_sealer_service")
    assert (service.SEALER_LOCK, service.SERVICE_LOCK) == (SEALER_LOCK, SEALER_SERVICE_LOCK)
    assert str(SEALER_LOCK) in service.APPEND and str(SEALER_SERVICE_LOCK) in service.APPEND


def test_the_sealer_service_migration_goes_back_and_forth(transactional_db):
    """Reversed, the writers' function is core/0007's again (no ``service`` column); forward,
    the new one. Either way an append works and the chain verifies."""
    from django.core.management import call_command

    def columns() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT unnest(proargnames) FROM pg_proc WHERE proname = 'antoan_audit_append'"
            )
            return [row[0] for row in cursor.fetchall()]

    try:
        call_command("migrate", "core", "0008", verbosity=0)
        assert "service" not in columns()
        with connection.cursor() as cursor:
            params = [timezone.now(), None, "", None, "", "view", "case", "0", "", "", None]
            cursor.execute(
                _APPEND_SQL.replace(", service", ""),
                [*params, "[]", "{}", "try"],
            )
    finally:
        call_command("migrate", "core", verbosity=0)
    assert "service" in columns()
    audit_record(action="view", object_type="case", object_id=1)
    seal_audit()
    assert audit_verify().ok
