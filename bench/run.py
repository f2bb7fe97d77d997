"""Benchmarks of the foundation, each against a floor measured in the same run.

- audit append: ``audit_record`` (hash chain, head lock) vs a plain INSERT of the same row;
- permission check: ``has_perm`` on a cold cache vs the raw SQL join it stands for;
- case search at province scale (``BENCH_CASES``, default 20,000 cases): an accent-insensitive
  name search with status and commune filters, first page, through ``case_search`` (scope,
  blind indexes, the audit event) vs the same query as raw SQL;
- programme (``bench/programme.py``): the plan page's per-task figures at province scale
  (``BENCH_ACTIVITIES``, default 20,000 activities) vs one raw SQL aggregate, and the Excel
  import per row vs the plain ORM inserts a row needs;
- indicators (``bench/indicators.py``): ``generate_data`` at demo and province scale, and the
  province dashboard for one year vs hand-written SQL aggregates of the same figures.

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

import indicators  # noqa: E402  (bench/indicators.py, next to this file)
import programme  # noqa: E402  (bench/programme.py, next to this file)
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


BENCH_CASES = int(os.environ.get("BENCH_CASES", "20000"))
GIVEN = ["Hòa", "Lan", "Mai", "Hương", "Thảo", "Linh", "Ngọc", "Hà", "Trang", "Yến"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE = ["Thị", "Thu", "Minh", "Thanh", "Ngọc"]


def build_cases(users, n: int) -> None:
    """n cases in agency A, spread over two communes, names from a small pool (realistic hits)."""
    import random

    from antoan.accounts.models import Agency
    from antoan.cases.models import Case, SearchToken, Survivor
    from antoan.core.crypto import blind_index, name_tokens
    from antoan.places.models import Place

    rng = random.Random(2026)
    agency = Agency.objects.get(code="ubnd-pho-hien")
    communes = list(Place.objects.filter(level="commune"))
    worker = users["worker1"]
    moment = timezone.now()
    batch = 2000
    for start in range(0, n, batch):
        survivors = []
        for _ in range(min(batch, n - start)):
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            survivors.append(
                Survivor(
                    full_name=name,
                    sex="female",
                    birth_year=rng.randint(1960, 2008),
                    name_index=blind_index(name, purpose="name"),
                    commune=rng.choice(communes),
                )
            )
        Survivor.objects.bulk_create(survivors)
        survivors = list(Survivor.objects.order_by("-pk")[: len(survivors)])
        SearchToken.objects.bulk_create(
            SearchToken(survivor=s, digest=d) for s in survivors for d in name_tokens(s.full_name)
        )
        statuses = [rng.choice(["open", "open", "closed"]) for _ in survivors]
        Case.objects.bulk_create(
            Case(
                number=f"HY-2026-{start + i + 1:06d}",
                survivor=survivor,
                agency=agency,
                assigned_to=worker,
                status=status,
                stage="closed" if status == "closed" else "intake",
                closed_at=moment if status == "closed" else None,
                source="hotline",
                opened_at=moment,
                created_by=worker,
            )
            for i, (survivor, status) in enumerate(zip(survivors, statuses, strict=True))
        )


def analyze() -> None:
    """Fresh planner statistics, as autovacuum would have them on a live database."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def bench_case_search(users):
    from antoan.cases.selectors import CaseFilters, case_search
    from antoan.core.crypto import blind_index
    from antoan.places.models import Place

    user = users["supervisor1"]
    commune = Place.objects.get(code="11953", level="commune")
    filters = CaseFilters(q="nguyen thi hoa", status="open", commune="11953")

    def ours(n):
        for _ in range(n):
            list(case_search(user, filters)[:25])

    digests = [blind_index(w, purpose="name-token") for w in ("nguyen", "thi", "hoa")]
    agency_id = user.memberships.get().agency_id

    def floor(n):
        placeholders = ", ".join(["%s"] * len(digests))
        sql = (
            "SELECT c.id, c.number, s.full_name FROM cases_case c"  # noqa: S608
            " JOIN cases_survivor s ON s.id = c.survivor_id"
            " JOIN places_place p ON p.id = s.commune_id"
            " WHERE c.agency_id = %s AND c.status = 'open' AND p.code = %s"
            " AND c.survivor_id IN (SELECT survivor_id FROM cases_searchtoken"
            f" WHERE digest IN ({placeholders}) GROUP BY survivor_id"
            " HAVING COUNT(DISTINCT digest) = %s)"
            " ORDER BY c.opened_at DESC, c.id DESC LIMIT 25"
        )
        for _ in range(n):
            with connection.cursor() as cursor:
                cursor.execute(sql, [agency_id, commune.code, *digests, len(digests)])
                cursor.fetchall()

    return median_per_op(ours, 30), median_per_op(floor, 30)


def main() -> None:
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        users = build_world()
        rows = [
            ("audit append (hash chain)", *bench_audit(users["worker1"])),
            ("permission check (cold)", *bench_permission(users["supervisor1"])),
        ]
        build_cases(users, BENCH_CASES)
        analyze()
        rows.append((f"case search ({BENCH_CASES} cases)", *bench_case_search(users)))
        plan = programme.load_plan64()
        programme.build_activities(users, plan, programme.BENCH_ACTIVITIES)
        analyze()
        rows.append(
            (
                f"plan page ({programme.BENCH_ACTIVITIES} activities)",
                *programme.bench_plan_page(users, plan, median_per_op),
            )
        )
        rows.append(
            (
                f"excel import, per row ({programme.IMPORT_ROWS})",
                *programme.bench_import(users, plan, median_per_op),
            )
        )
    finally:
        teardown_databases(old_config, verbosity=0)
    generated, indicator_rows = indicators.run(median_per_op)
    rows += indicator_rows
    print(f"database: {connection.vendor}; {ROUNDS} rounds, medians per operation")
    print(f"{'benchmark':32} {'ours':>10} {'floor':>10} {'ratio':>7}")
    for name, ours, floor in rows:
        print(f"{name:32} {ours * 1e6:8.0f}µs {floor * 1e6:8.0f}µs {ours / floor:6.1f}x")
    for scale, seconds, cases in generated:
        print(f"generate_data --scale {scale}: {cases} cases in {seconds:.1f} s")


if __name__ == "__main__":
    main()
