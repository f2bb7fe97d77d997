"""Indicator benchmarks, run by ``bench/run.py`` in a database of their own (synthetic data
refuses a database holding other cases):

- ``generate_data`` at province scale, and at demo scale with ``BENCH_FULL=1`` (seconds,
  and cases per second);
- the province dashboard for one year (``Calculator`` + ``province_dashboard``: every target
  indicator with its 2021 → today line, the commune table and tiles of GBV-02, the operational
  indicators, small counts protected; protection memos cleared every round, so each round pays
  it) against the floor: hand-written SQL aggregates returning the same numerators and
  denominators (one per cohort: first counted incidents, perpetrators, calls, referrals,
  activities, plus the point-in-time counts), with a mapping table from every place to today's
  commune and the indexes the aggregates need. Here at demo scale; at province scale (and
  national) the same comparison is ``bench/dashboard.py``'s registered measure ``dashboard``,
  which reuses ``floor_queries``.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from typing import Any

from common import full
from django.db import connection
from django.utils import timezone

SCALES = ("demo", "province")


def load_reference() -> None:
    from django.core.management import call_command

    quiet = io.StringIO()
    for command in ("load_places", "load_plan", "load_indicators"):
        call_command(command, verbosity=0, stdout=quiet)


def generate(scale: str) -> tuple[float, int]:
    from antoan.cases.models import Case
    from antoan.indicators.synthetic import generate as write

    began = time.perf_counter()
    write(scale, seed=1)
    return time.perf_counter() - began, Case.objects.count()


def _json_not_empty(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} IS NOT NULL AND {column} <> '[]'::jsonb)"
    return f"({column} IS NOT NULL AND {column} <> '[]')"


def _local_year(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(YEAR FROM {column} AT TIME ZONE 'Asia/Ho_Chi_Minh')::int"
    return f"CAST(strftime('%Y', datetime({column}, '+7 hours')) AS INTEGER)"


def build_floor_tables() -> None:
    """The hand-written side's helpers: a place → today's commune table, and indexes."""
    from antoan.indicators.selectors.places import rollup

    roll = rollup()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_rollup")
        cursor.execute(
            "CREATE TABLE bench_rollup (place_id integer PRIMARY KEY, commune varchar(10),"
            " province varchar(10))"
        )
        cursor.executemany(
            "INSERT INTO bench_rollup VALUES (%s, %s, %s)",
            [(pk, roll.commune_of[pk], roll.province_of.get(pk)) for pk in roll.commune_of],
        )
        cursor.execute("CREATE INDEX bench_incident_case ON cases_incident (case_id, id)")
        cursor.execute("CREATE INDEX bench_delivery_case ON referrals_servicedelivery (case_id)")
        cursor.execute("CREATE INDEX bench_case_opened ON cases_case (opened_at)")
        cursor.execute("ANALYZE")


def floor_queries(
    year: int, province: str | None = "33", rollup_table: str = "bench_rollup"
) -> list[tuple[str, list[Any]]]:
    """One aggregate per cohort, each scoped to the province as the dashboard scopes it (the
    place each row counts at, through its index); for ``province`` by commune for ``year``
    and by year for the province. With ``province=None`` the whole country, by province."""
    y = _local_year
    start = dt.datetime(year, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    end = dt.datetime(year + 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    if province is None:
        places = None
        row_of = "r.province"
    else:
        assert province.isdigit(), province  # a place code, written into the SQL below
        places = f"(SELECT place_id FROM {rollup_table} WHERE province = '{province}')"  # noqa: S608
        row_of = "r.commune"

    def inside(column: str) -> str:
        return "TRUE" if places is None else f"{column} IN {places}"

    def agency_inside(column: str) -> str:
        if places is None:
            return "TRUE"
        return f"{column} IN (SELECT id FROM accounts_agency WHERE place_id IN {places})"  # noqa: S608

    def has(table: str, where: str = "TRUE", case: str = "i.case_id") -> str:
        # Correlated EXISTS on an indexed case id: a probe per row for a province, a hash of
        # the table for the country, whichever the planner finds cheaper.
        return f"EXISTS (SELECT 1 FROM {table} x WHERE x.case_id = {case} AND {where})"  # noqa: S608

    # The case's first incident recorded with consent, marked on the row as ours reads it
    # (``Incident.counted_first``, with its partial index by place).
    first = "i.counted_first"
    survivors = f"""
        WITH f AS (
          SELECT c.opened_at, {y("c.opened_at")} AS yr, i.counted_place_id AS place_id,
            i.gbv_type <> 'non_gbv' AS gbv, x.dv, x.needs_help AS needs, x.served,
            x.basic_service AS basic, (x.measure_granted OR x.legal_or_health_service) AS protected
          FROM cases_incident i
          JOIN cases_case c ON c.id = i.case_id
          -- The case's facts, kept on a row per case (antoan/cases/facts.py), as ours reads them.
          LEFT JOIN cases_casefacts x ON x.case_id = c.id
          WHERE {first} AND {inside("i.counted_place_id")}
        )
        SELECT CASE WHEN f.opened_at >= %s AND f.opened_at < %s THEN {row_of} END AS place,
          f.yr,
          SUM(CASE WHEN gbv THEN 1 ELSE 0 END), SUM(CASE WHEN gbv AND needs THEN 1 ELSE 0 END),
          SUM(CASE WHEN gbv AND needs AND served THEN 1 ELSE 0 END),
          SUM(CASE WHEN gbv OR dv THEN 1 ELSE 0 END),
          SUM(CASE WHEN (gbv OR dv) AND basic THEN 1 ELSE 0 END),
          SUM(CASE WHEN (gbv OR dv) AND served THEN 1 ELSE 0 END),
          SUM(CASE WHEN dv THEN 1 ELSE 0 END), SUM(CASE WHEN dv AND protected THEN 1 ELSE 0 END)
        FROM f LEFT JOIN {rollup_table} r ON r.place_id = f.place_id
        GROUP BY 1, 2
    """  # noqa: S608 - no outside input
    dv_i = _json_not_empty("i.dv_forms")
    perpetrators = f"""
        SELECT {y("q.opened_at")},
          SUM(CASE WHEN (q.gbv OR q.dv) AND NOT q.pr THEN 1 ELSE 0 END),
          SUM(CASE WHEN (q.gbv OR q.dv) AND NOT q.pr AND q.co THEN 1 ELSE 0 END),
          SUM(CASE WHEN q.dv THEN 1 ELSE 0 END),
          SUM(CASE WHEN q.dv AND q.co THEN 1 ELSE 0 END)
        FROM (SELECT c.opened_at, i.gbv_type <> 'non_gbv' AS gbv, {dv_i} AS dv,
                COALESCE(x.preventive_granted, FALSE) AS pr,
                COALESCE(x.education_granted, FALSE) AS co
              FROM cases_perpetrator p JOIN cases_incident i ON i.id = p.incident_id
              JOIN cases_case c ON c.id = i.case_id
              LEFT JOIN cases_casefacts x ON x.case_id = c.id
              WHERE i.consent_statistics AND {inside("i.counted_place_id")}) q
        GROUP BY 1
    """  # noqa: S608
    # A call counts at its commune, else at its hotline's place: two indexed lookups.
    call_places = (
        "TRUE"
        if places is None
        else f"(k.commune_id IN {places} OR (k.commune_id IS NULL"
        f" AND {agency_inside('k.agency_id')}))"
    )
    calls = f"""
        SELECT {y("k.received_at")}, COUNT(*) FROM hotline_call k
        WHERE k.answered_at IS NOT NULL AND {call_places} GROUP BY 1
    """  # noqa: S608
    referrals = f"""
        SELECT {y("f.sent_at")}, COUNT(*),
          SUM(CASE WHEN f.delivered_on IS NOT NULL THEN 1 ELSE 0 END)
        FROM referrals_referral f
        WHERE f.status <> 'revoked' AND {agency_inside("f.from_agency_id")}
          AND {has("cases_incident", "x.consent_statistics", case="f.case_id")}
        GROUP BY 1
    """  # noqa: S608
    activities = f"""
        SELECT CAST(strftime('%Y', start_date) AS INTEGER),
          SUM(CASE WHEN kind = 'communication' THEN participants_total ELSE 0 END),
          SUM(CASE WHEN kind = 'training' THEN participants_total ELSE 0 END)
        FROM programme_activity WHERE {inside("place_id")} GROUP BY 1
    """  # noqa: S608
    if connection.vendor == "postgresql":
        activities = activities.replace(
            "CAST(strftime('%Y', start_date) AS INTEGER)", "EXTRACT(YEAR FROM start_date)::int"
        )
    hours = (
        "EXTRACT(EPOCH FROM (x.first_service - x.first_contact)) / 3600.0"
        if connection.vendor == "postgresql"
        else "(julianday(x.first_service) - julianday(x.first_contact)) * 24.0"
    )
    median = f"""
        WITH x AS (
          SELECT
            (SELECT MIN(d.recorded_at) FROM referrals_servicedelivery d
              WHERE d.case_id = c.id) AS first_service,
            COALESCE((SELECT MIN(k.received_at) FROM hotline_call k WHERE k.case_id = c.id
                        AND k.received_at < c.opened_at), c.opened_at) AS first_contact
          FROM cases_incident i JOIN cases_case c ON c.id = i.case_id
          WHERE c.opened_at >= %s AND c.opened_at < %s
            AND {first} AND {inside("i.counted_place_id")}
            AND EXISTS (SELECT 1 FROM cases_casefacts x WHERE x.case_id = c.id AND x.served)
        ), h AS (
          SELECT {hours} AS v, ROW_NUMBER() OVER (ORDER BY {hours}) AS rn,
            COUNT(*) OVER () AS n FROM x
        )
        SELECT AVG(v) FROM h WHERE rn IN ((n + 1) / 2, (n + 2) / 2)
    """  # noqa: S608
    overdue = f"""
        SELECT
          SUM(CASE WHEN c.opened_at < %s AND NOT EXISTS (SELECT 1 FROM cases_assessment x
                WHERE x.case_id = c.id) THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.opened_at < %s AND NOT EXISTS (SELECT 1 FROM cases_caseplan x
                WHERE x.case_id = c.id) THEN 1 ELSE 0 END),
          SUM(CASE WHEN EXISTS (SELECT 1 FROM cases_protectionmeasure x WHERE x.case_id = c.id
                AND x.type = 'no_contact_commune' AND x.decision = 'pending') THEN 1 ELSE 0 END),
          COUNT(DISTINCT c.assigned_to_id), SUM(CASE WHEN c.assigned_to_id IS NOT NULL
              THEN 1 ELSE 0 END)
        FROM cases_case c
        WHERE c.status = 'open' AND {agency_inside("c.agency_id")}
          AND {has("cases_incident", "x.consent_statistics", case="c.id")}
    """  # noqa: S608
    point_in_time = f"""
        SELECT
          (SELECT COUNT(DISTINCT {row_of}) FROM programme_communitymodel m
             JOIN {rollup_table} r ON r.place_id = m.place_id
             WHERE m.status = 'active' AND {inside("m.place_id")}),
          (SELECT SUM(allocated) FROM programme_budgetline WHERE year = %s),
          (SELECT COUNT(*) FROM accounts_agency WHERE kind = 'social_assistance')
    """  # noqa: S608
    now = timezone.now()
    return [
        (survivors, [start, end]),
        (perpetrators, None),
        (calls, None),
        (referrals, None),
        (activities, None),
        (median, [start, end]),
        (overdue, [now - dt.timedelta(days=3), now - dt.timedelta(days=7)]),
        (point_in_time, [year]),
    ]


def bench_dashboard(median_per_op, year: int) -> tuple[float, float]:
    from antoan.accounts.models import User
    from antoan.indicators import suppression
    from antoan.indicators.selectors.dashboards import province_dashboard
    from antoan.indicators.selectors.values import Calculator, parse_query, user_province

    manager = User.objects.get(username="manager1")
    province = user_province(manager)

    def ours(n):
        for _ in range(n):
            suppression._protect.cache_clear()
            suppression._protect_sums.cache_clear()
            calc = Calculator(parse_query(province, {"year": str(year)}), places_for=["GBV-02"])
            board = province_dashboard(calc, table_code="GBV-02")
            assert board.rows

    queries = floor_queries(year)

    def floor(n):
        for _ in range(n):
            for sql, params in queries:
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    cursor.fetchall()

    return median_per_op(ours, 3), median_per_op(floor, 3)


def run(median_per_op) -> tuple[list, list, list[dict]]:
    """Each scale in a fresh database: (generation rows of (scale, seconds, cases), comparison
    rows of (scale, name, ours, floor) in seconds (the demo scale's dashboard), and the result
    rows of ``bench/generated.py``'s measures, run on the province scale's data)."""
    import generated as generated_measures
    from django.test.utils import setup_databases, teardown_databases

    from antoan.accounts.demo import build_demo_world
    from antoan.indicators.selectors.places import forget

    generated, rows, measured = [], [], []
    # The demo scale (generate_data's demo size and its dashboard against the floor) is not in
    # issue 13's table and costs a database of its own: BENCH_FULL=1 runs it too.
    for scale in SCALES if full() else ("province",):
        config = setup_databases(verbosity=0, interactive=False)
        try:
            forget()
            load_reference()
            build_demo_world(password="bench-password-123")  # noqa: S106 - scratch database
            seconds, cases = generate(scale)
            generated.append((scale, seconds, cases))
            # Planner statistics as autovacuum would have them on a live database: without
            # them, a search for a common name is planned as if it matched a few hundred rows.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
            if scale == "province":
                # The province dashboard is ``bench/dashboard.py``'s registered measure.
                measured.extend(generated_measures.measure_all(scale, median_per_op))
                continue
            build_floor_tables()
            forget()
            year = timezone.localdate().year - 1
            name = f"dashboard, {cases} cases"
            rows.append((scale, name, *bench_dashboard(median_per_op, year)))
        finally:
            teardown_databases(config, verbosity=0)
    return generated, rows, measured
