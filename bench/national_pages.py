"""Measures for issue 13 ("national scale") on ``generate_data``'s data (``bench/generated.py``):

- **export**: the GBVIMS incident workbook (``write_gbvims``) of 100,000 incidents: seconds
  (median of two runs) and queries in this process, the ``tracemalloc`` peak (Python objects
  only) of a third run, and the **RSS growth** of a fresh child process (its high-water mark
  ``VmHWM``, reset through ``/proc/self/clear_refs`` after Django's setup, at the end, minus
  ``VmRSS`` at the reset: every allocation, C ones included; in the bench process itself,
  memory freed after generating the data would hide it).
  The export is analyst1's province's (the demo province); its busiest year is counted on the
  export's own rows (``province_incidents``: consented, counted in the province). Province
  data holds about 3,600 in that year; the everyday province run (``make bench``) exports it
  as it is. The national run and ``BENCH_FULL=1`` export 100,000: the measure copies that
  year's exported incidents (with their perpetrators, the same cases and counted places, ids
  above every existing one, new row keys) until the year holds exactly 100,000, committed so
  that the child sees them, and deletes exactly those copies afterwards (``finally``); a
  province that already has 100,000 in a year is exported as it is.
- **case page**: the case page (Django's test client, signed in as the case's worker, or else
  the first member of its agency who may open it; the read's audit event included) of the case
  with the longest timeline, cut to 10 events and grown to 100 and 1,000 (copies of its own
  events) inside a transaction rolled back: median ms (after three warm-up requests) and
  queries of one request.
- **referral inbox**: the busiest provider's inbox (the agency with the most open referrals),
  as one of its receivers: the first page as the view reads it (``selectors.inbox_page``)
  against the floor, the hand-written SQL returning the same first page (ids in the same order,
  checked); and the whole page through the test client (ms, queries).
"""

from __future__ import annotations

import statistics
import tempfile
import time
import tracemalloc

from common import full, row
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from generated import register

EXPORT_ROWS = 100_000


class _Rollback(Exception):
    """Raised to leave a transaction without keeping what the measure wrote."""


def _busiest_year(province) -> tuple[int, int]:
    """The year in which the province's export holds the most incidents, and how many: the
    export's own rows (its consent, place and period rules), not the country's."""
    from django.db.models import Count
    from django.db.models.functions import ExtractYear

    from antoan.reports.exports.gbvims import province_incidents

    busiest = (
        province_incidents(province)
        .order_by()
        .annotate(y=ExtractYear("first_reported_on"))
        .values("y")
        .annotate(n=Count("pk"))
        .order_by("-n", "-y")
        .first()
    )
    return int(busiest["y"]), busiest["n"]


def _grow_year(sources: list[int], year: int, have: int, want: int) -> tuple[int, int]:
    """Copy the export's incidents of the year (``sources``: their ids; with their
    perpetrators, the same cases and communes, so the copies fall in the same province; later
    incidents of their cases, so none counts a survivor) until it holds ``want``:
    ids ``id + step * k`` above every existing one, fresh row keys, same cases and codes.
    Returns the range of ids written, ``[low, high)``, which held nothing before."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM cases_incident")
        top = cursor.fetchone()[0]
        step = 10 ** len(str(top))
        bounds = [f"{year}-01-01", f"{year + 1}-01-01", sources]
        copy = 1
        while have < want:
            cursor.execute(
                "INSERT INTO cases_incident (id, gbv_type, dv_forms, contexts, occurred_on,"
                " first_reported_on, description, consent_statistics, created_at, case_id,"
                " commune_id, counted_place_id, counted_first, created_by_id, row_key)"
                " SELECT id + %s, gbv_type, dv_forms, contexts, occurred_on, first_reported_on,"
                " description, consent_statistics, created_at, case_id, commune_id,"
                " counted_place_id, FALSE, created_by_id, gen_random_uuid() FROM cases_incident"
                " WHERE consent_statistics"
                " AND first_reported_on >= %s AND first_reported_on < %s AND id = ANY(%s)"
                " ORDER BY id LIMIT %s",
                [step * copy, *bounds, want - have],
            )
            added = cursor.rowcount
            cursor.execute(
                "INSERT INTO cases_perpetrator (sex, age_group, relationship, occupation,"
                " details, incident_id, row_key)"
                " SELECT p.sex, p.age_group, p.relationship, p.occupation, p.details,"
                " p.incident_id + %s, gen_random_uuid() FROM cases_perpetrator p"
                " JOIN cases_incident i ON i.id = p.incident_id + %s",
                [step * copy, step * copy],
            )
            have += added
            copy += 1
        cursor.execute("ANALYZE cases_incident")
        cursor.execute("ANALYZE cases_perpetrator")
    return step, step * copy


def _drop_copies(low: int, high: int) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM cases_perpetrator WHERE incident_id >= %s AND incident_id < %s",
            [low, high],
        )
        cursor.execute("DELETE FROM cases_incident WHERE id >= %s AND id < %s", [low, high])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_incident")
        cursor.execute("ANALYZE cases_perpetrator")


def _province():
    from antoan.accounts.models import User
    from antoan.indicators.selectors.values import user_province

    return user_province(User.objects.get(username="analyst1"))


def _export_once(province, year, *, traced: bool) -> tuple[float, int, int, float]:
    """(seconds, rows, queries, tracemalloc peak MB or 0)."""
    from antoan.reports.exports.gbvims import write_gbvims

    with tempfile.TemporaryFile() as out:
        if traced:
            tracemalloc.start()
        began = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            rows = write_gbvims(out, province, year)
        seconds = time.perf_counter() - began
        traced_peak = 0.0
        if traced:
            traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
    return seconds, rows, len(queries), traced_peak


# The child: Django set up on the same database, then one export. The kernel's high-water mark
# of resident memory is reset just before (Linux: /proc/self/clear_refs), so the startup's own
# peak does not hide the export's; prints the resident set then and the peak after, in KB.
_CHILD = """
import json, sys, tempfile
sys.path.insert(0, sys.argv[1])
import django
django.setup()
from antoan.accounts.models import User
from antoan.indicators.selectors.values import user_province
from antoan.reports.exports.gbvims import write_gbvims

def kb(key):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(key + ":"))

province = user_province(User.objects.get(username="analyst1"))
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")
before = kb("VmRSS")
with tempfile.TemporaryFile() as out:
    rows = write_gbvims(out, province, int(sys.argv[2]))
print(json.dumps({"before_kb": before, "after_kb": kb("VmHWM"), "rows": rows}))
"""


def _child_rss_growth(year: int) -> float:
    """MB the resident set of a fresh process grows by while it exports the year."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path
    from urllib.parse import quote

    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    url = f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url}
    root = str(Path(__file__).resolve().parent.parent)
    done = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", _CHILD, root, str(year)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    peaks = json.loads(done.stdout.strip().splitlines()[-1])
    return (peaks["after_kb"] - peaks["before_kb"]) / 1024


@register
def export_gbvims(scale: str, median_per_op) -> list[dict]:
    if connection.vendor != "postgresql":
        return []
    from antoan.reports.exports.gbvims import incidents_of_year

    province = _province()
    year, have = _busiest_year(province)
    copies = None
    try:
        # The province's own year in everyday runs; grown to 100,000 rows in full ones.
        if have < EXPORT_ROWS and (scale == "national" or full()):
            sources = list(incidents_of_year(province, year).values_list("pk", flat=True))
            with transaction.atomic():
                copies = _grow_year(sources, year, have, EXPORT_ROWS)
        runs = [_export_once(province, year, traced=False) for _ in range(2)]
        seconds = statistics.median(r[0] for r in runs)
        rows, queries = runs[0][1], runs[0][2]
        traced = _export_once(province, year, traced=True)[3]
        growth = _child_rss_growth(year)
    finally:
        if copies is not None:
            _drop_copies(*copies)
    name = f"export, {rows} incidents to xlsx (streamed)"
    return [
        row(f"{name}: RSS growth (child process)", scale, seconds, None, queries, peak_mb=growth),
        row(f"{name}: tracemalloc peak", scale, None, None, None, peak_mb=traced),
    ]


# --- The case page with a long timeline -------------------------------------------------------

TIMELINE_SIZES = (10, 100, 1000)


def _viewer(path: str, candidates):
    """A test client signed in as the first candidate who may open ``path`` (200)."""
    from django.test import Client

    for user in candidates:
        client = Client()
        client.force_login(user)
        if client.get(path).status_code == 200:
            return client
    raise RuntimeError(f"nobody among the candidates may open {path}")


def _page_timer(client, path: str):
    def run(n):
        for _ in range(n):
            response = client.get(path)
            assert response.status_code == 200

    return run


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


@register
def case_page_timeline(scale: str, median_per_op) -> list[dict]:
    import datetime as dt

    from django.db.models import Count

    from antoan.accounts.models import Membership, User
    from antoan.cases.models import Case, CaseEvent

    longest = (
        Case.objects.annotate(n=Count("events")).order_by("-n", "pk").values("pk", "n").first()
    )
    case = Case.objects.select_related("assigned_to").get(pk=longest["pk"])
    own = list(CaseEvent.objects.filter(case=case).order_by("at", "pk"))
    path = f"/cases/{case.pk}/"
    agency_staff = User.objects.filter(
        pk__in=Membership.objects.filter(agency_id=case.agency_id).values("user_id")
    ).order_by("pk")
    client = _viewer(path, [u for u in [case.assigned_to] if u] + list(agency_staff))
    out: list[dict] = []
    try:
        with transaction.atomic():
            have = len(own)
            if have > min(TIMELINE_SIZES):
                # Start from 10: keep the case's first ten events, the rest come back below.
                CaseEvent.objects.filter(pk__in=[e.pk for e in own[min(TIMELINE_SIZES) :]]).delete()
                have = min(TIMELINE_SIZES)
            last = own[-1].at
            for size in TIMELINE_SIZES:
                # The case's own events again, one a minute after its last: a long follow-up.
                CaseEvent.objects.bulk_create(
                    CaseEvent(
                        case=case,
                        actor_id=own[i % len(own)].actor_id,
                        kind=own[i % len(own)].kind,
                        data=own[i % len(own)].data,
                        version=own[i % len(own)].version,
                        at=last + dt.timedelta(minutes=i + 1),
                    )
                    for i in range(have, size)
                )
                last += dt.timedelta(minutes=size)
                have = size
                assert CaseEvent.objects.filter(case=case).count() == size
                queries = _queries(client, path)
                _page_timer(client, path)(3)  # warm-up: template and cache loads
                seconds = median_per_op(_page_timer(client, path), 5)
                out.append(row(f"case page, {size} events", scale, seconds, None, queries))
            raise _Rollback
    except _Rollback:
        pass
    return out


# --- The referral inbox of the busiest provider -----------------------------------------------

# What the inbox rows show (the number is the id), the page in the inbox's order.
FLOOR_INBOX = (
    "SELECT r.id, r.status, r.urgency, r.service, r.due_at, a.name"
    " FROM referrals_referral r JOIN accounts_agency a ON a.id = r.from_agency_id"
    " WHERE r.to_agency_id IN ({agencies}) AND r.status IN ('sent', 'accepted')"
    " ORDER BY r.due_at, r.id LIMIT %s"
)


@register
def referral_inbox(scale: str, median_per_op) -> list[dict]:
    from django.db.models import Count, Q

    from antoan.accounts.models import Membership, User
    from antoan.accounts.roles import Perm
    from antoan.core.permissions import agency_ids_with
    from antoan.referrals import selectors
    from antoan.referrals.models import OPEN_STATUSES, Referral

    busiest = (
        Referral.objects.values("to_agency_id")
        .annotate(n=Count("pk", filter=Q(status__in=OPEN_STATUSES)))
        .order_by("-n", "to_agency_id")
        .first()
    )
    agency = busiest["to_agency_id"]
    receivers = [
        u
        for u in User.objects.filter(
            pk__in=Membership.objects.filter(agency_id=agency).values("user_id")
        ).order_by("pk")
        if agency in agency_ids_with(u, Perm.REFERRAL_RECEIVE)
    ]
    user = receivers[0]
    agencies = sorted(agency_ids_with(user, Perm.REFERRAL_RECEIVE))
    limit = getattr(selectors, "INBOX_PAGE", 50)
    floor_sql = FLOOR_INBOX.format(agencies=", ".join(["%s"] * len(agencies)))

    def first_page():
        if hasattr(selectors, "inbox_page"):
            return selectors.inbox_page(user, limit=limit)[0]
        return list(selectors.referrals_incoming(user).order_by("due_at", "pk"))

    def ours(n):
        # The memberships are loaded by the view's permission check before the selector runs.
        for _ in range(n):
            first_page()

    def floor(n):
        for _ in range(n):
            with connection.cursor() as cursor:
                cursor.execute(floor_sql, [*agencies, limit])
                cursor.fetchall()

    with connection.cursor() as cursor:
        cursor.execute(floor_sql, [*agencies, limit])
        floor_ids = [r[0] for r in cursor.fetchall()]
    assert [r.pk for r in first_page()][:limit] == floor_ids, "the floor's page differs"
    with CaptureQueriesContext(connection) as captured:
        shown = first_page()
    open_count = busiest["n"]
    name = f"referral inbox (busiest provider, {open_count} open)"
    out = [row(name, scale, median_per_op(ours, 100), median_per_op(floor, 100), len(captured))]
    client = _viewer("/referrals/inbox/", [user])
    path = "/referrals/inbox/"
    out.append(
        row(
            f"referral inbox page (busiest provider, {len(shown)} shown)",
            scale,
            median_per_op(_page_timer(client, path), 10),
            None,
            _queries(client, path),
        )
    )
    return out
