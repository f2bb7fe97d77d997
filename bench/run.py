"""Benchmarks of the foundation, each against a floor measured in the same run.

- audit append (``bench/audit.py``): events a second from 1 and 8 concurrent writer processes
  through ``audit_record``, sealing included, vs a plain INSERT of the same row by as many;
- permission check: ``has_perm`` on a cold cache vs the raw SQL join it stands for;
- case search at province scale (``BENCH_CASES``, default 20,000 cases): an accent-insensitive
  name search with status and commune filters, first page, through ``case_search`` (scope,
  blind indexes, the audit event) vs the fastest of four hand-written SQL plans (an ordered
  walk with EXISTS per word, the same with the planner told to walk, the rarest word first,
  an INTERSECT of the words' lists), each checked to return the same page; the walk uses an
  index only the bench creates;
- programme (``bench/programme.py``): the plan page's per-task figures at province scale
  (``BENCH_ACTIVITIES``, default 20,000 activities) vs one raw SQL aggregate, and the Excel
  import per row vs the plain ORM inserts a row needs;
- hotline (``bench/hotline.py``): delivery of chat messages in 20 concurrent chats (p95), and
  the operators' queue page at 10 and 100 waiting contacts (time, queries);
- indicators (``bench/indicators.py``): ``generate_data`` at demo and province scale, and the
  province dashboard for one year vs hand-written SQL aggregates of the same figures.

Prints medians and ratios and writes them to ``bench/results/latest.json``: a list of
``{"name", "scale", "median_ms", "floor_ms", "ratio", "queries", "peak_mb", "p95_ms"}`` (keys
that do not apply are null). Timing is noisy here, so nothing is asserted. Uses a scratch SQLite
database unless DATABASE_URL is set (then a scratch PostgreSQL database next to it).

``--growth`` (or ``BENCH_GROWTH=1``) runs only the case search, at two sizes
(``BENCH_GROWTH_SIZES``, default ``20000,200000``), and writes ``bench/results/growth.json``:
for ours and for the floor, the time at the larger size over the time at the smaller. A search
that scans grows with the data (about 10x at 10x the cases); an indexed one should not.

``BENCH_ONLY=audit`` runs only the audit append rows, ``BENCH_ONLY=hotline`` only the hotline's
(chat delivery, queue page); neither writes a results file.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANTOAN_ENV", "test")
# Fixed keys for the scratch databases, so the server the load test starts (bench/load.py)
# reads what this process wrote. A national database must be generated with the same ones.
os.environ.setdefault("ANTOAN_FIELD_KEYS", "t1:YW50b2FuLWJlbmNoLWZpZWxkLWtleS0wMTIzNDU2Nzg=")
os.environ.setdefault("ANTOAN_INDEX_KEY", "YW50b2FuLWJlbmNoLWluZGV4LWtleS0wMTIzNDU2Nzg=")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "antoan.settings")
SCRATCH = tempfile.mkdtemp(prefix="antoan-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{SCRATCH}/bench.sqlite3")

import django  # noqa: E402

django.setup()

import audit  # noqa: E402  (bench/audit.py: audit append, 1 and 8 writers)
import generated  # noqa: E402  (bench/generated.py: measures on generate_data's data)
import hotline  # noqa: E402  (bench/hotline.py: chat delivery, the queue page)
import indicators  # noqa: E402  (bench/indicators.py, next to this file)
import national_search  # noqa: E402  (bench/national_search.py: the national run's search)
import programme  # noqa: E402  (bench/programme.py, next to this file)
from common import full, row  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

# Rounds per timing (the median is kept): 5 in the everyday run, 7 with BENCH_FULL=1 and in
# the national and growth runs.
_GROWTH = "--growth" in sys.argv[1:] or os.environ.get("BENCH_GROWTH") == "1"
ROUNDS = 7 if full() or _GROWTH or os.environ.get("BENCH_SCALE") == "national" else 5
OPS = 300
RESULTS = ROOT / "bench" / "results"


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


def build_cases(users, n: int, first: int = 0) -> None:
    """n cases in agency A, spread over the communes, names from a small pool (realistic hits).
    ``first`` cases exist already (their numbers are taken); the random names continue from a
    seed of their own, so 20,000 then 180,000 more is not the same as 200,000 at once, but
    alike."""
    import random

    from antoan.accounts.models import Agency
    from antoan.cases import search_index
    from antoan.cases.models import Case, SearchToken, Survivor
    from antoan.core.crypto import blind_index, name_tokens
    from antoan.places.models import Place

    rng = random.Random(2026 + first)
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
                number=f"HY-2026-{first + start + i + 1:07d}",
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
    search_index.fill_missing()  # the case search's own index, as generate_data writes it


def analyze() -> None:
    """Fresh planner statistics and visibility maps (index-only scans), as autovacuum would have
    them on a live database."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


FLOOR_INDEXES = (
    # The case list's own order within one agency and status: the floor walks it newest first
    # and stops at the 25th match. Created by the bench only (the note says so).
    "CREATE INDEX IF NOT EXISTS bench_case_walk ON cases_case"
    " (agency_id, status, opened_at DESC, id DESC)",
)


def build_search_floor_indexes() -> None:
    with connection.cursor() as cursor:
        for sql in FLOOR_INDEXES:
            cursor.execute(sql)


# What a row of the case list shows (the page's columns, CASE_LIST_COLUMNS): every floor reads
# them, as the page must (until 5 December 2026 the floors read the id, number and name only).
# The commune's and the worker's names by primary key in the select list: joining their tables
# took PostgreSQL twice as long to plan (1.30 against 0.71 ms a page on the million).
PAGE_COLUMNS = (
    "c.id, c.number, c.status, c.stage, c.risk_level, c.opened_at, s.row_key, s.full_name,"
    " (SELECT name FROM places_place n WHERE n.id = s.commune_id),"
    " (SELECT first_name FROM accounts_user w WHERE w.id = c.assigned_to_id),"
    " (SELECT last_name FROM accounts_user w WHERE w.id = c.assigned_to_id)"
)
SEARCH_SELECT = (
    f"SELECT {PAGE_COLUMNS} FROM cases_case c"  # noqa: S608 - fixed text
    " JOIN cases_survivor s ON s.id = c.survivor_id"
    " JOIN places_place p ON p.id = s.commune_id AND p.code = %s"
)


def _has_token(column: str) -> str:
    return (
        f" AND EXISTS (SELECT 1 FROM cases_searchtoken t"  # noqa: S608 - fixed text
        f" WHERE t.digest = %s AND t.survivor_id = {column})"
    )


def search_floor_walk(agency_id: int, commune: str, digests: list[str]) -> list[tuple]:
    """Written so PostgreSQL can walk the agency's open cases newest first (``bench_case_walk``),
    probe each survivor's tokens through the (digest, survivor) unique index and stop at the
    25th match, a cost that follows how rare a match is, not how many cases there are. The
    planner decides: at 200,000 cases it chose a parallel hash join of two words' lists
    instead (EXPLAIN ANALYZE, docs/performance.md), which grows with the data."""
    sql = (
        SEARCH_SELECT
        + " WHERE c.agency_id = %s AND c.status = 'open'"
        + "".join(_has_token("c.survivor_id") for _ in digests)
        + " ORDER BY c.opened_at DESC, c.id DESC LIMIT 25"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [commune, agency_id, *digests])
        return cursor.fetchall()


def search_floor_forced_walk(agency_id: int, commune: str, digests: list[str]) -> list[tuple]:
    """The walk's query with the planner told to walk: no hash or merge joins, no parallel
    workers, for this transaction only (PostgreSQL; elsewhere the same as the walk)."""
    if connection.vendor != "postgresql":
        return search_floor_walk(agency_id, commune, digests)
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in ("enable_hashjoin", "enable_mergejoin", "enable_bitmapscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        return search_floor_walk(agency_id, commune, digests)


def search_floor_rarest(agency_id: int, commune: str, digests: list[str]) -> list[tuple]:
    """Start from the rarest word's survivors (a count per digest first, through the unique
    index), check the other words with EXISTS, then the case filters."""
    placeholders = ", ".join(["%s"] * len(digests))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT digest, COUNT(*) FROM cases_searchtoken"  # noqa: S608 - placeholders only
            f" WHERE digest IN ({placeholders}) GROUP BY digest",
            digests,
        )
        counts = dict(cursor.fetchall())
        if len(counts) < len(digests):
            return []  # a word no name has: nothing matches
        rarest, *others = sorted(digests, key=lambda d: counts[d])
        sql = (
            SEARCH_SELECT
            + " JOIN cases_searchtoken r ON r.survivor_id = s.id AND r.digest = %s"
            + " WHERE c.agency_id = %s AND c.status = 'open'"
            + "".join(_has_token("s.id") for _ in others)
            + " ORDER BY c.opened_at DESC, c.id DESC LIMIT 25"
        )
        cursor.execute(sql, [commune, rarest, agency_id, *others])
        return cursor.fetchall()


def search_floor_intersect(agency_id: int, commune: str, digests: list[str]) -> list[tuple]:
    """Intersect the words' survivor lists (index-only scans of the (digest, survivor) unique
    index), then filter and order the few cases left."""
    words = " INTERSECT ".join(
        ["SELECT survivor_id FROM cases_searchtoken WHERE digest = %s"] * len(digests)
    )
    sql = (
        SEARCH_SELECT
        + " WHERE c.agency_id = %s AND c.status = 'open'"
        + f" AND c.survivor_id IN ({words})"
        + " ORDER BY c.opened_at DESC, c.id DESC LIMIT 25"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [commune, agency_id, *digests])
        return cursor.fetchall()


def _token_walk(agency_id: int, commune: str, digests: list[str], per_row: bool) -> list[tuple]:
    driver, *others = digests
    if per_row:
        marks = ", ".join(["%s"] * len(others))
        words = (
            " AND (SELECT COUNT(*) FROM cases_casesearchtoken u"  # noqa: S608
            f" WHERE u.case_id = t.case_id AND u.digest IN ({marks})) >= %s"
        )
        word_params = [*others, len(others)]
    else:
        words = "".join(
            " AND EXISTS (SELECT 1 FROM cases_casesearchtoken u"
            " WHERE u.case_id = t.case_id AND u.digest = %s)"
            for _ in others
        )
        word_params = others
    # The commune's ids (a code may name several versions of a place) computed once in the same
    # statement, as values the walk checks in the index (PostgreSQL; IN elsewhere).
    communes = "SELECT id FROM places_place WHERE code = %s"
    in_commune = (
        f"= ANY(ARRAY({communes}))" if connection.vendor == "postgresql" else f"IN ({communes})"
    )
    sql = (
        f"SELECT {PAGE_COLUMNS} FROM cases_casesearchtoken t"  # noqa: S608
        " JOIN cases_case c ON c.id = t.case_id"
        " JOIN cases_survivor s ON s.id = c.survivor_id"
        " WHERE t.digest = %s AND t.agency_id = %s AND t.status = 'open'"
        f" AND t.commune_id {in_commune}"
        + (words if others else "")
        + " ORDER BY t.opened_at DESC, t.case_id DESC LIMIT 25"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [driver, agency_id, commune, *(word_params if others else [])])
        return cursor.fetchall()


def search_floor_token_walk(agency_id: int, commune: str, digests: list[str]) -> list[tuple]:
    """Walk one word's rows of the case search's own index (``cases_casesearchtoken``, index
    ``case_search_walk``: digest, agency, opened_at DESC, case DESC, status, commune) newest
    first, status and commune checked in the index, the other words with one ``EXISTS`` each
    through the ``(case, digest)`` unique index, stop at the 25th match. ``digests[0]``
    drives. PostgreSQL may turn the EXISTS into a hash join of whole word lists instead."""
    return _token_walk(agency_id, commune, digests, per_row=False)


def search_floor_token_count(agency_id: int, commune: str, digests: list[str]) -> list[tuple]:
    """The same walk with the other words counted per row (a correlated ``COUNT(*) >= n``
    through the unique index), which PostgreSQL cannot turn into a join: it walks and stops."""
    return _token_walk(agency_id, commune, digests, per_row=True)


def bench_admin_changelist(filters, expected: list[int], ops: int = 5) -> float:
    """A GET of a plain Django admin changelist doing the same search (bench/admin_bench.py
    says exactly what it does), checked to list our first page."""
    from django.test import Client
    from django.test.utils import override_settings

    from antoan.accounts.models import User
    from antoan.places.models import Place

    admin_user = User.objects.filter(username="bench-admin").first()
    if admin_user is None:
        admin_user = User.objects.create_user(
            "bench-admin",
            password="bench-password-123",  # noqa: S106 - scratch database
            is_staff=True,
            is_superuser=True,
        )
    commune = Place.objects.filter(code=filters.commune).order_by("pk").first()
    url = (
        f"/bench-admin/cases/case/?q={filters.q.replace(' ', '+')}"
        f"&status__exact={filters.status}&survivor__commune__id__exact={commune.pk}"
    )
    with override_settings(ROOT_URLCONF="admin_bench", MIDDLEWARE=ADMIN_MIDDLEWARE):
        client = Client()
        client.force_login(admin_user)
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        links = re.findall(r'href="/bench-admin/cases/case/(\d+)/change/', response.text)
        got = [int(pk) for pk in dict.fromkeys(links)]
        assert got == expected, "the admin changelist and case_search disagree"

        def changelist(n):
            for _ in range(n):
                client.get(url)

        return median_per_op(changelist, ops)


# The project's own middleware minus two-factor (a bench superuser has no device): what a
# plain Django admin would run behind.
ADMIN_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


def _ops_for(fn, budget: float | None = None) -> int:
    """Operations per round: 30, fewer for a plan that takes long (the old floors at millions
    of cases), so a round stays near ``budget`` seconds (0.3, or 0.15 in the everyday province
    run: ten plans are timed)."""
    if budget is None:
        budget = 0.3 if full() or _GROWTH else 0.15
    start = time.perf_counter()
    fn(1)
    return max(3, min(30, int(budget / max(time.perf_counter() - start, 1e-6))))


def bench_case_search(user, filters=None):
    """(ours, floor, queries of ours, which floor, every floor's time, the admin's): ours is
    the case list's first page (``case_page``, as the list view asks for it: scope, the audit
    event, the columns the list shows) for ``user`` (one membership), with the sealer service
    running as deployed; the floor is the fastest of the hand-written plans, each checked to
    return our first page. The timings also hold that floor followed by the audit event's plain
    INSERT ("best, with the audit insert"): the same work by hand. ``filters``: the province
    run's search unless given (the national run picks its own, bench/national_search.py)."""
    with audit.sealer_service():
        return _bench_case_search(user, filters)


def _bench_case_search(user, filters):
    from django.test.utils import CaptureQueriesContext

    from antoan.cases.selectors import CaseFilters, case_page
    from antoan.core.crypto import blind_index, search_key

    if filters is None:
        filters = CaseFilters(q="nguyen thi hoa", status="open", commune="11953")
    words = sorted(set(search_key(filters.q).split()))
    digests = [blind_index(w, purpose="name-token") for w in words]
    by_word = {w: blind_index(w, purpose="name-token") for w in words}
    agency_id = user.memberships.get().agency_id

    def first_page():
        return case_page(user, filters, limit=25).cases

    first_page()  # warm: the user's memberships are cached after this
    with CaptureQueriesContext(connection) as captured:
        expected = [c.pk for c in first_page()]
    queries = len(captured.captured_queries)
    assert expected, "the search matches nothing: the bench data changed"

    def ours(n):
        for _ in range(n):
            first_page()

    timings = {}
    plans = (
        ("walk", search_floor_walk),
        ("forced walk", search_floor_forced_walk),
        ("rarest word", search_floor_rarest),
        ("intersect", search_floor_intersect),
        # The case search's own index, driven from each word in turn (a human picks the rarest).
        *((f"token walk from {word}", search_floor_token_walk, word) for word in words),
        *((f"token count from {word}", search_floor_token_count, word) for word in words),
    )
    for label, plan, *driver in plans:
        ordered = digests
        if driver:
            ordered = [by_word[driver[0]], *(by_word[w] for w in words if w != driver[0])]
        got = [row[0] for row in plan(agency_id, filters.commune, ordered)]
        assert got == expected, f"floor ({label}) and case_search disagree"

        def floor(n, plan=plan, ordered=ordered):
            for _ in range(n):
                plan(agency_id, filters.commune, ordered)

        timings[label] = median_per_op(floor, _ops_for(floor))
    best = min(timings, key=timings.get)
    best_plan, *best_driver = next(p[1:] for p in plans if p[0] == best)
    best_ordered = (
        [by_word[best_driver[0]], *(by_word[w] for w in words if w != best_driver[0])]
        if best_driver
        else digests
    )
    seqs = iter(range(audit.FLOOR_SEQ_BASE * 900, audit.FLOOR_SEQ_BASE * 901))

    def floor_audited(n):
        """The same work by hand: the best plan's page, then the audit event as one plain
        INSERT committed on its own (as ours commits its event), with a seq far above the
        chain's (deleted afterwards on a kept database, as the audit floor's)."""
        for _ in range(n):
            best_plan(agency_id, filters.commune, best_ordered)
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO core_auditevent (seq, occurred_at, user_id, username, role,"
                    " action, object_type, object_id, place_code, request_id, changed_fields,"
                    " extra, prev_hash, hash) VALUES (%s, %s, %s, %s, '', 'search', 'case',"
                    " '', '', '', '[]', %s, %s, %s)",
                    [next(seqs), timezone.now(), user.pk, user.username, AUDIT_EXTRA, *ZEROS],
                )

    audited = median_per_op(floor_audited, _ops_for(floor_audited))
    # Ours right after the floors, before the admin, whose counts over whole tables can evict
    # the pages the walks read: ours and the floors then run with the same pages cached.
    ours_s = median_per_op(ours, _ops_for(ours))
    admin_ms = bench_admin_changelist(filters, expected)
    timings["best, with the audit insert"] = audited
    return ours_s, timings[best], queries, best, timings, admin_ms


AUDIT_EXTRA = '{"filters": ["commune", "q", "status"], "path": "/cases/"}'
ZEROS = ["0" * 64, "0" * 64]


def write_json(name: str, data) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def print_table(rows: list[dict]) -> None:
    print(f"database: {connection.vendor}; {ROUNDS} rounds, medians per operation")
    print(f"{'benchmark':40} {'scale':>8} {'ours':>11} {'floor':>11} {'ratio':>7} {'queries':>7}")
    for r in rows:
        ours = f"{r['median_ms']:9.2f}ms" if r["median_ms"] is not None else "-"
        floor = f"{r['floor_ms']:9.2f}ms" if r["floor_ms"] is not None else "-"
        ratio = f"{r['ratio']:6.1f}x" if r["ratio"] is not None else "-"
        queries = r["queries"] if r["queries"] is not None else "-"
        print(f"{r['name']:40} {r['scale']:>8} {ours:>11} {floor:>11} {ratio:>7} {queries:>7}")


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def growth(sizes: list[int]) -> None:
    """The case search at each size in turn (cases added to the same database), ours and
    floor, and the growth from the smallest size to each larger one."""
    old_config = setup_databases(verbosity=0, interactive=False)
    measured = []
    try:
        users = build_world()
        build_search_floor_indexes()
        have = 0
        for size in sizes:
            began = time.perf_counter()
            build_cases(users, size - have, first=have)
            have = size
            analyze()
            built = time.perf_counter() - began
            ours, floor, queries, best, timings, admin = bench_case_search(users["supervisor1"])
            measured.append(
                {
                    "cases": size,
                    "median_ms": round(ours * 1e3, 3),
                    "floor_ms": round(floor * 1e3, 3),
                    "ratio": round(ours / floor, 2),
                    "admin_changelist_ms": round(admin * 1e3, 3),
                    "admin_over_ours": round(admin / ours, 1),
                    "floor_plan": best,
                    "floor_plans_ms": {k: round(v * 1e3, 3) for k, v in timings.items()},
                    "queries": queries,
                    "build_s": round(built, 1),
                    "load": load_average(),
                }
            )
            print(
                f"{size:>8} cases: ours {ours * 1e3:8.2f} ms, floor {floor * 1e3:8.2f} ms"
                f" ({best}), admin changelist {admin * 1e3:8.2f} ms"
                f" (built in {built:.0f} s; load {load_average()})",
                flush=True,
            )
    finally:
        teardown_databases(old_config, verbosity=0)
    base = measured[0]
    for m in measured[1:]:
        m["growth_ours"] = round(m["median_ms"] / base["median_ms"], 2)
        m["growth_floor"] = round(m["floor_ms"] / base["floor_ms"], 2)
        m["growth_admin"] = round(m["admin_changelist_ms"] / base["admin_changelist_ms"], 2)
        print(
            f"{base['cases']} -> {m['cases']} cases ({m['cases'] / base['cases']:.0f}x the data):"
            f" ours {m['growth_ours']}x the time, floor {m['growth_floor']}x"
        )
    path = write_json(
        "growth.json", {"database": connection.vendor, "search": "case search", "sizes": measured}
    )
    print(f"written: {path.relative_to(ROOT)}")


def national() -> None:
    """``BENCH_SCALE=national``: on DATABASE_URL's data as it is: the audit append (its events
    join the database's chain, as reads would add them; the floor writes to a copy of the
    table), the case search picked from the data (bench/national_search.py) against its floors
    and the admin changelist, then the generated measures."""
    began = time.perf_counter()
    user, filters, open_cases = national_search.pick_search()
    print(f"  national: audit append as {user.username}", flush=True)
    rows = audit.bench_audit(user, "national", keep_chain=True)
    build_search_floor_indexes()
    national_search.analyze_search_tables()
    print(
        f"  national: case search {filters.q!r} in commune {filters.commune}"
        f" ({open_cases:,} open cases in the agency), {time.perf_counter() - began:.0f} s so far",
        flush=True,
    )
    ours, floor, queries, best, timings, admin = bench_case_search(user, filters)
    print(f"  national: best search floor: {best}", flush=True)
    print(f"  national: search floors (ms): { {k: round(v * 1e3, 2) for k, v in timings.items()} }")
    rows.append(row("case search (national)", "national", ours, floor, queries))
    audited = timings["best, with the audit insert"]
    rows.append(
        row("case search (national), floor with its audit insert", "national", ours, audited)
    )
    print(f"  national: audit rows of the search floor deleted: {audit._drop_floor_rows():,}")
    rows.append(row("admin changelist case search (national)", "national", admin, ours))
    print(f"  national: search, {time.perf_counter() - began:.0f} s so far", flush=True)
    write_json("latest.json", rows)
    generated.measure_all(
        "national", median_per_op, rows, saved=lambda done: write_json("latest.json", done)
    )
    print_table(rows)
    print(f"load average at the end (1, 5, 15 min): {load_average()}")
    print(f"wall time: {time.perf_counter() - began:.0f} s")
    path = write_json("latest.json", rows)
    print(f"written: {path.relative_to(ROOT)}")


def main() -> None:
    if os.environ.get("BENCH_SCALE", "province") == "national":
        national()
        return
    if _GROWTH:
        sizes = [int(x) for x in os.environ.get("BENCH_GROWTH_SIZES", "20000,200000").split(",")]
        growth(sizes)
        return
    began = time.perf_counter()
    stage = Stages()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        users = build_world()
        if os.environ.get("BENCH_ONLY") == "hotline":
            rows = hotline.bench_hotline()
            print_table(rows)
            for done in rows:
                if done.get("p95_ms") is not None:
                    print(f"{done['name']}: p95 {done['p95_ms']} ms")
            print(f"load average at the end (1, 5, 15 min): {load_average()}")
            return
        rows = audit.bench_audit(users["worker1"])
        stage("audit append")
        if os.environ.get("BENCH_ONLY") == "audit":
            print_table(rows)
            print(f"load average at the end (1, 5, 15 min): {load_average()}")
            return
        rows.append(
            row("permission check (cold)", "province", *bench_permission(users["supervisor1"]))
        )
        stage("permission check")
        build_cases(users, BENCH_CASES)
        build_search_floor_indexes()
        analyze()
        stage(f"{BENCH_CASES} cases built")
        ours, floor, queries, best, timings, admin = bench_case_search(users["supervisor1"])
        stage("case search, its floors and the admin changelist")
        rows.append(row(f"case search ({BENCH_CASES} cases)", "province", ours, floor, queries))
        rows.append(
            row(
                f"case search ({BENCH_CASES} cases), floor with its audit insert",
                "province",
                ours,
                timings["best, with the audit insert"],
            )
        )
        # Here "floor" is ours: the ratio is how many times slower the admin is (target >= 5).
        rows.append(
            row(f"admin changelist case search ({BENCH_CASES} cases)", "province", admin, ours)
        )
        search_floor = best
        plan = programme.load_plan64()
        programme.build_activities(users, plan, programme.BENCH_ACTIVITIES)
        analyze()
        rows.append(
            row(
                f"plan page ({programme.BENCH_ACTIVITIES} activities)",
                "province",
                *programme.bench_plan_page(users, plan, median_per_op),
            )
        )
        rows.append(
            row(
                f"excel import, per row ({programme.IMPORT_ROWS})",
                "province",
                *programme.bench_import(users, plan, median_per_op),
            )
        )
        stage("programme: plan page and import")
        rows.extend(hotline.bench_hotline())
        stage("hotline: chat delivery and queue page")
    finally:
        teardown_databases(old_config, verbosity=0)
    runs, indicator_rows, generated_rows = indicators.run(median_per_op)
    stage("indicators: generate_data, dashboards and the measures on generated data")
    for scale, name, ours, floor in indicator_rows:
        rows.append(row(name, scale, ours, floor))
    rows.extend(generated_rows)
    for scale, seconds, cases in runs:
        rows.append(row(f"generate_data ({cases} cases)", scale, seconds))
    print_table(rows)
    print(
        f"case search floor: the faster hand-written plan ({search_floor}), with an index the"
        " bench creates (bench_case_walk: cases_case (agency_id, status, opened_at DESC, id DESC))"
    )
    print(f"load average at the end (1, 5, 15 min): {load_average()}")
    print(f"wall time: {time.perf_counter() - began:.0f} s ({stage.summary()})")
    path = write_json("latest.json", rows)
    print(f"written: {path.relative_to(ROOT)}")


class Stages:
    """Seconds per stage of a run, printed as it goes and summed up at the end."""

    def __init__(self):
        self.last = time.perf_counter()
        self.seconds: dict[str, float] = {}

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = now - self.last
        self.last = now
        print(f"  {name}: {self.seconds[name]:.0f} s", flush=True)

    def summary(self) -> str:
        return "; ".join(f"{name} {seconds:.0f} s" for name, seconds in self.seconds.items())


if __name__ == "__main__":
    main()
