"""Benchmarks of the foundation, each against a floor measured in the same run.

- audit append: ``audit_record`` (hash chain, head lock) vs a plain INSERT of the same row;
- permission check: ``has_perm`` on a cold cache vs the raw SQL join it stands for.

Prints medians and ratios; timing is noisy here, so nothing is asserted. Uses a scratch SQLite
database unless DATABASE_URL is set (then a scratch PostgreSQL database next to it).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANTOAN_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "antoan.settings")
SCRATCH = tempfile.mkdtemp(prefix="antoan-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{SCRATCH}/bench.sqlite3")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

ROUNDS = 7
OPS = 300


def median_per_op(fn, ops: int = OPS) -> float:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        fn(ops)
        samples.append((time.perf_counter() - start) / ops)
    return statistics.median(samples)


def build_world():
    from antoan.accounts.demo import build_demo_world
    from antoan.places.models import Place

    new_hy = Place.objects.create(code="33", name="Tỉnh Hưng Yên", level="province")
    Place.objects.create(code="11953", name="Phường Phố Hiến", level="commune", parent=new_hy)
    Place.objects.create(code="12452", name="Phường Trần Hưng Đạo", level="commune", parent=new_hy)
    return build_demo_world(password="bench-password-123")  # noqa: S106 - scratch database


def bench_audit(user):
    from antoan.core.audit import audit_record

    def chained(n):
        for i in range(n):
            audit_record(action="view", user=user, object_type="case", object_id=i)

    def floor(n):
        table = "core_auditevent"
        base = 10_000_000 + int(time.perf_counter_ns() % 1_000_000) * 1000
        for i in range(n):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} (seq, occurred_at, user_id, username, role, action,"  # noqa: S608
                    " object_type, object_id, place_code, request_id, changed_fields, extra,"
                    " prev_hash, hash) VALUES (%s, %s, %s, %s, '', 'view', 'case', %s, '', '',"
                    " '[]', '{}', %s, %s)",
                    [base + i, timezone.now(), user.pk, user.username, str(i), "0" * 64, "0" * 64],
                )

    return median_per_op(chained), median_per_op(floor)


def bench_permission(user):
    from antoan.accounts.roles import Perm
    from antoan.core.permissions import forget_memberships, has_perm

    def engine(n):
        for _ in range(n):
            forget_memberships(user)
            has_perm(user, Perm.CASE_VIEW_ASSIGNED)

    today = timezone.localdate()

    def floor(n):
        for _ in range(n):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT m.role, m.agency_id FROM accounts_membership m"
                    " JOIN accounts_agency a ON a.id = m.agency_id"
                    " WHERE m.user_id = %s AND m.valid_from <= %s"
                    " AND (m.valid_to IS NULL OR m.valid_to >= %s)"
                    " AND (a.valid_from IS NULL OR a.valid_from <= %s)"
                    " AND (a.valid_to IS NULL OR a.valid_to >= %s)",
                    [user.pk, today, today, today, today],
                )
                cursor.fetchall()

    return median_per_op(engine, OPS * 3), median_per_op(floor, OPS * 3)


def main() -> None:
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        users = build_world()
        rows = [
            ("audit append (hash chain)", *bench_audit(users["worker1"])),
            ("permission check (cold)", *bench_permission(users["supervisor1"])),
        ]
    finally:
        teardown_databases(old_config, verbosity=0)
    print(f"database: {connection.vendor}; {ROUNDS} rounds, medians per operation")
    print(f"{'benchmark':32} {'ours':>10} {'floor':>10} {'ratio':>7}")
    for name, ours, floor in rows:
        print(f"{name:32} {ours * 1e6:8.0f}µs {floor * 1e6:8.0f}µs {ours / floor:6.1f}x")


if __name__ == "__main__":
    main()
