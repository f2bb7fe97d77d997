"""Fixtures for the audit log's tests."""

from __future__ import annotations

from contextlib import contextmanager

import pytest


@contextmanager
def _triggers_off():
    """Let a test tamper with the log as an attacker with the owner's rights would."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        # ALTER TABLE refuses while deferred foreign-key checks of this transaction wait.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def tamper(db):
    """Run raw SQL on the audit table, bypassing the model's and the database's guards."""
    from django.db import connection

    def run(sql: str, params=()):
        with _triggers_off(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    return run


@pytest.fixture
def record(db):
    """Append ``n`` plain events; returns them in order."""
    from antoan.core.audit import audit_record

    def append(n: int = 1, **kwargs):
        kwargs.setdefault("action", "view")
        kwargs.setdefault("object_type", "case")
        return [audit_record(**{"object_id": i, **kwargs}) for i in range(1, n + 1)]

    return append
