"""Programme benchmarks, run by ``bench/run.py`` after the foundation's.

- plan page figures at province scale (``BENCH_ACTIVITIES``, default 20,000 activities of plan
  64 over its leaf tasks, agencies and the years 2021-2025, with spending): ``plan_task_rows``
  (scope, responsible agencies, per-task figures over each subtree) vs one raw SQL aggregate
  (recursive CTE over the task tree) giving the same figures, checked equal once outside timing;
- Excel import per row: a filled communication template of ``IMPORT_ROWS`` rows through
  ``run_import`` (read, parse, validate, ``activity_create`` with audit) vs the plain ORM
  inserts a row minimally needs (activity, task link, one spending row). Both run inside a
  transaction rolled back after each round, so every round writes fresh rows.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
PLAN_FILE = ROOT / "data" / "plans" / "64-KH-UBND-2021.yaml"
BENCH_ACTIVITIES = int(os.environ.get("BENCH_ACTIVITIES", "20000"))
IMPORT_ROWS = 200
IMPORT_TASK = "II.2.a"
IMPORT_COMMUNE = "11953"
IMPORT_AGENCY = "ubnd-pho-hien"
IMPORT_SPENDING = 2_000_000


def load_plan64():
    from antoan.programme.loader import load_plan

    plan, _ = load_plan(PLAN_FILE)
    return plan


def build_activities(users: dict[str, Any], plan, n: int) -> None:
    """n activities of ``plan``, built with bulk_create (not through the service): leaf tasks,
    one in five linked to a second task, any agency, 2021-2025, zero to two spending rows."""
    from antoan.accounts.models import Agency
    from antoan.places.models import Place
    from antoan.programme.choices import ActivityKind, Channel, FundingSource
    from antoan.programme.models import Activity, Spending, Task

    rng = random.Random(2064)
    tasks = list(Task.objects.filter(plan=plan))
    parents = {t.parent_id for t in tasks}
    leaves = [t for t in tasks if t.pk not in parents]
    agencies = list(Agency.objects.all())
    places = list(Place.objects.filter(code__in=["33", "11953", "12452"]))
    sources = list(FundingSource.values)
    kinds = list(ActivityKind.values)
    author = users["reporter1"]
    link = Activity.tasks.through
    last_day = plan.period_end
    batch = 2000
    for start in range(0, n, batch):
        activities = []
        for i in range(start, min(start + batch, n)):
            begin = dt.date(rng.randint(2021, 2025), 1, 1) + dt.timedelta(days=rng.randrange(365))
            female, male, other = rng.randint(0, 120), rng.randint(0, 80), rng.randint(0, 3)
            kind = rng.choice(kinds)
            activities.append(
                Activity(
                    plan=plan,
                    kind=kind,
                    title=f"Hoạt động số {i + 1}",
                    agency=rng.choice(agencies),
                    place=rng.choice(places),
                    start_date=begin,
                    end_date=min(begin + dt.timedelta(days=rng.randint(0, 2)), last_day),
                    participants_total=female + male + other,
                    participants_female=female,
                    participants_male=male,
                    participants_other=other,
                    channel=rng.choice(Channel.values) if kind == "communication" else "",
                    created_by=author,
                    updated_by=author,
                )
            )
        Activity.objects.bulk_create(activities)
        links, spending = [], []
        for activity in activities:
            linked = rng.sample(leaves, 2) if rng.random() < 0.2 else [rng.choice(leaves)]
            links.extend(link(activity_id=activity.pk, task_id=t.pk) for t in linked)
            for source in rng.sample(sources, rng.choice([0, 1, 1, 1, 2])):
                amount = rng.randrange(500_000, 50_000_000, 1000)
                spending.append(Spending(activity_id=activity.pk, source=source, amount=amount))
        link.objects.bulk_create(links)
        Spending.objects.bulk_create(spending)


# Per task: distinct activities of the task's subtree, their participants (total, female) and
# spending. The subtree comes from a recursive CTE; each activity is counted once per ancestor
# even when linked to two tasks under it; spending is summed per activity first.
PLAN_FIGURES_SQL = """
WITH RECURSIVE closure(ancestor, descendant) AS (
    SELECT id, id FROM programme_task WHERE plan_id = %s
    UNION ALL
    SELECT c.ancestor, t.id FROM closure c JOIN programme_task t ON t.parent_id = c.descendant
),
pairs AS (
    SELECT DISTINCT c.ancestor, l.activity_id
    FROM closure c JOIN programme_activity_tasks l ON l.task_id = c.descendant
),
spent AS (
    SELECT s.activity_id, SUM(s.amount) AS total
    FROM programme_spending s JOIN programme_activity a ON a.id = s.activity_id
    WHERE a.plan_id = %s GROUP BY s.activity_id
),
figures AS (
    SELECT p.ancestor, COUNT(*) AS activities, SUM(a.participants_total) AS people,
        SUM(a.participants_female) AS female, SUM(COALESCE(sp.total, 0)) AS spent
    FROM pairs p
    JOIN programme_activity a ON a.id = p.activity_id
    LEFT JOIN spent sp ON sp.activity_id = p.activity_id
    WHERE a.plan_id = %s
    GROUP BY p.ancestor
)
SELECT t.id, COALESCE(f.activities, 0), COALESCE(f.people, 0), COALESCE(f.female, 0),
    COALESCE(f.spent, 0)
FROM programme_task t LEFT JOIN figures f ON f.ancestor = t.id
WHERE t.plan_id = %s
ORDER BY t."order"
"""


def plan_figures_raw(plan_id: int) -> list[tuple[int, int, int, int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(PLAN_FIGURES_SQL, [plan_id] * 4)
        return [tuple(int(v) for v in row) for row in cursor.fetchall()]


def bench_plan_page(users: dict[str, Any], plan, median_per_op):
    from antoan.programme.selectors import plan_task_rows

    user = users["coordinator1"]
    ours_figures = [
        (r.task.pk, r.activities, r.people, r.female, r.spent) for r in plan_task_rows(user, plan)
    ]
    floor_figures = plan_figures_raw(plan.pk)
    assert ours_figures == floor_figures, "plan_task_rows and the raw SQL disagree"
    assert ours_figures[0][1] > 0

    def ours(n):
        for _ in range(n):
            plan_task_rows(user, plan)

    def floor(n):
        for _ in range(n):
            plan_figures_raw(plan.pk)

    return median_per_op(ours, 5), median_per_op(floor, 5)


def filled_template(plan, rows: int) -> bytes:
    """A communication template of ``plan`` with ``rows`` distinct valid rows, as typed in
    Excel (same way as the tests fill it)."""
    import openpyxl

    from antoan.programme.excel.template import build_template

    data = build_template(
        kind="communication", plan=plan, models=[], max_rows=settings.ANTOAN_IMPORT_MAX_ROWS
    )
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Hoạt động"]
    headers = {cell.value: cell.column for cell in ws[1] if cell.value}
    for number in range(2, rows + 2):
        row = {
            "Tên hoạt động": f"Phát thanh về phòng, chống bạo lực gia đình, buổi {number - 1}",
            "Mã nhiệm vụ": IMPORT_TASK,
            "Địa bàn (tên hoặc mã)": IMPORT_COMMUNE,
            "Từ ngày": f"{(number - 2) % 30 + 1:02d}/11/2025",
            "Tổng số người tham gia": 40,
            "Nữ": 25,
            "Nam": 15,
            "Hình thức truyền thông": "Loa truyền thanh",
            "Kinh phí: Ngân sách xã (đồng)": IMPORT_SPENDING,
        }
        for header, value in row.items():
            ws.cell(row=number, column=headers[header], value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def bench_import(users: dict[str, Any], plan, median_per_op):
    from antoan.accounts.models import Agency
    from antoan.places.models import Place
    from antoan.programme.excel.importer import run_import
    from antoan.programme.models import Activity, Spending

    actor = users["reporter1"]
    agency = Agency.objects.get(code=IMPORT_AGENCY)
    data = filled_template(plan, IMPORT_ROWS)

    def import_once():
        with translation.override("vi"), transaction.atomic():
            result = run_import(
                actor=actor,
                plan=plan,
                kind="communication",
                agency=agency,
                data=data,
                models=[],
                max_rows=settings.ANTOAN_IMPORT_MAX_ROWS,
            )
            transaction.set_rollback(True)
        return result

    before = Activity.objects.count()
    result = import_once()
    problems = [(p.sheet, p.row, p.column, p.message) for p in result.problems]
    assert result.ok and result.created == IMPORT_ROWS, problems[:5]
    assert Activity.objects.count() == before

    task = plan.tasks.get(code=IMPORT_TASK)
    commune = Place.objects.get(code=IMPORT_COMMUNE, level="commune")
    link = Activity.tasks.through
    day = dt.date(2025, 11, 1)

    def ours(n):
        import_once()

    def floor(n):
        with transaction.atomic():
            for i in range(n):
                activity = Activity.objects.create(
                    plan=plan,
                    kind="communication",
                    title=f"Phát thanh về phòng, chống bạo lực gia đình, buổi {i + 1}",
                    agency=agency,
                    place=commune,
                    start_date=day,
                    end_date=day,
                    participants_total=40,
                    participants_female=25,
                    participants_male=15,
                    channel="loudspeaker",
                    import_key=f"bench-{i}",
                    created_by=actor,
                    updated_by=actor,
                )
                link.objects.create(activity=activity, task=task)
                Spending.objects.create(
                    activity=activity, source="commune_budget", amount=IMPORT_SPENDING
                )
            transaction.set_rollback(True)

    return median_per_op(ours, IMPORT_ROWS), median_per_op(floor, IMPORT_ROWS)
