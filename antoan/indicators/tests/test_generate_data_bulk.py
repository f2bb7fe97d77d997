"""generate_data on PostgreSQL writes the cases without their tables' secondary indexes and
foreign keys, and builds them again (antoan/indicators/synthetic/bulk.py): after a run, and
after a run that was killed, the schema is exactly what the migrations made."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection

from antoan.cases.models import CaseEvent
from antoan.core.models import AuditEvent
from antoan.indicators.synthetic import bulk, generate

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]

TABLES = (CaseEvent._meta.db_table, AuditEvent._meta.db_table)


def schema() -> dict[str, object]:
    """Every index (as the database would create it again) and constraint of the tables, and
    their comments."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes"
            " WHERE tablename = ANY(%s) ORDER BY 1, 2",
            [list(TABLES)],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated"
            " FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [list(TABLES)],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT t, obj_description(t::regclass, 'pg_class') FROM unnest(%s::text[]) AS t",
            [list(TABLES)],
        )
        comments = cursor.fetchall()
    return {"indexes": indexes, "constraints": constraints, "comments": comments}


def index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        return {row[0] for row in cursor.fetchall()}


def test_the_tables_are_loaded_bare_and_given_back_everything(db):
    before = schema()
    assert "audit_username_time_idx" in index_names("core_auditevent")
    with bulk.set_aside([CaseEvent, AuditEvent]):
        # Only what checks the rows as they come: primary keys and unique constraints.
        assert index_names("core_auditevent") == {"core_auditevent_pkey", "core_auditevent_seq_key"}
        assert index_names("cases_caseevent") == {"cases_caseevent_pkey"}
    assert schema() == before


def test_they_are_given_back_when_the_load_fails(db):
    before = schema()
    with pytest.raises(RuntimeError), bulk.set_aside([CaseEvent, AuditEvent]):
        raise RuntimeError("the generator failed half-way")
    assert schema() == before


def test_a_killed_runs_tables_are_mended_by_the_next_run(cast):
    """A run killed while writing leaves its record in the tables' comments; the next
    generate_data builds everything again before it looks at anything (then refuses, as for
    any stopped run, or writes)."""
    with connection.cursor() as cursor:
        cursor.execute("COMMENT ON TABLE cases_caseevent IS 'Dòng thời gian của hồ sơ'")
    before = schema()
    for table in TABLES:
        bulk._set_aside(table)  # what set_aside does first; the kill comes before its restore
    assert "audit_username_time_idx" not in index_names("core_auditevent")

    generate("demo", seed=3, cases=0)

    assert schema() == before
    assert dict(before["comments"])["cases_caseevent"] == "Dòng thời gian của hồ sơ"


def test_a_row_pointing_at_nothing_stops_the_run_at_its_foreign_key(db, cast):
    with (
        pytest.raises(IntegrityError, match="cases_caseevent_case_id"),
        bulk.set_aside([CaseEvent]),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO cases_caseevent (case_id, at, kind, version, data, actor_id)"
            " VALUES (987654321, now(), 'note', 1, '{}', %s)",
            [cast["worker1"].pk],
        )
