"""PostgreSQL guards: triggers refuse rewrites; the application role may only read and append."""

from __future__ import annotations

import io
import threading
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from antoan.core.audit import audit_record, audit_verify
from antoan.core.models import AuditEvent

postgres_only = pytest.mark.postgres_only


def raw(sql: str, params=()):
    with transaction.atomic(), connection.cursor() as cursor:  # a savepoint to fail inside
        cursor.execute(sql, params)


@postgres_only
def test_the_triggers_refuse_update_and_delete_even_to_the_owner(record):
    record(2)
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE core_auditevent SET object_id = 'x' WHERE seq = 1")
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM core_auditevent WHERE seq = 2")
    assert AuditEvent.objects.count() == 2
    assert audit_verify().ok


@pytest.fixture
def throwaway_role(db):
    """A NOLOGIN role with a unique name, gone after the test."""
    name = f"antoan_test_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {name} NOLOGIN")
    yield name
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
        cursor.execute(f"DROP OWNED BY {name}")
        cursor.execute(f"DROP ROLE {name}")


class acting_as:
    """SET ROLE inside the test's transaction, RESET on the way out."""

    def __init__(self, role: str):
        self.role = role

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {self.role}")

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@postgres_only
def test_the_app_role_can_append_but_not_rewrite(record, throwaway_role):
    record(2)
    call_command("grant_app_role", role=throwaway_role, stdout=io.StringIO())

    with acting_as(throwaway_role):
        event = audit_record(action="view", object_type="case", object_id=3)
        assert AuditEvent.objects.filter(seq=event.seq).exists()
        for statement in (
            "UPDATE core_auditevent SET object_id = 'x' WHERE seq = 1",
            "DELETE FROM core_auditevent WHERE seq = 1",
            "TRUNCATE core_auditevent",
        ):
            with pytest.raises(DatabaseError, match="permission denied"):
                raw(statement)
        # Everything else stays writable (the chain head included, or nothing could append).
        raw("UPDATE core_auditchainhead SET seq = seq WHERE id = 1")

    assert audit_verify().ok


@postgres_only
def test_truncate_is_refused_to_a_role_that_holds_the_privilege(record, throwaway_role):
    record(1)
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT TRUNCATE ON core_auditevent TO {throwaway_role}")
        # TRUNCATE waits for no deferred foreign-key check of this test's transaction.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with acting_as(throwaway_role), pytest.raises(DatabaseError, match="append-only"):
        raw("TRUNCATE core_auditevent")
    assert AuditEvent.objects.count() == 1


@postgres_only
def test_grant_app_role_prints_its_sql(db):
    out = io.StringIO()
    call_command("grant_app_role", role="antoan_app", print_only=True, stdout=out)
    sql = out.getvalue()
    assert 'GRANT SELECT, INSERT ON TABLE "public"."core_auditevent" TO "antoan_app"' in sql
    assert 'REVOKE ALL ON TABLE "public"."core_auditevent" FROM "antoan_app"' in sql
    assert "GRANT CONNECT ON DATABASE" in sql
    assert "GRANT USAGE, SELECT ON ALL SEQUENCES" in sql


@postgres_only
def test_grant_app_role_refuses_odd_or_missing_roles(db):
    with pytest.raises(CommandError, match="plain role name"):
        call_command("grant_app_role", role='x"; DROP TABLE y; --')
    with pytest.raises(CommandError, match="does not exist"):
        call_command("grant_app_role", role=f"nobody_{uuid.uuid4().hex[:8]}")
    with pytest.raises(CommandError, match="different role"):
        call_command("grant_app_role", role="postgres")


def test_grant_app_role_refuses_sqlite(db):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("grant_app_role", role="antoan_app")


@postgres_only
def test_concurrent_appends_make_one_valid_chain(transactional_db):
    threads, per_thread = 8, 25
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
    total = threads * per_thread
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    result = audit_verify()
    assert result.ok, result.problem
    assert result.checked == total
