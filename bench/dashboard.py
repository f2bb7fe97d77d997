"""Dashboards and the consolidated report, on ``generate_data``'s data (``bench/generated.py``).

- ``dashboard``: one year of indicators against the hand-written SQL aggregates of
  ``bench/indicators.py`` (``floor_queries``), run on a place → commune table and indexes of its
  own (dropped afterwards). Two rows at every scale: the province dashboard
  (``province_dashboard``: cards with their trend, the operational indicators, the GBV-02
  commune table) of the province with the most cases, against the aggregates for that
  province by commune; and the national dashboard (``/indicators/national/``: one national
  ``Calculator``, the country's cards and GBV-02 for every province), against the same
  aggregates grouped by province once for all.
- ``consolidated report``: the lead department's consolidated report (``consolidated_docx``,
  Decree 30 layout) of last year's cycle of the plan, seconds for one generation.

Small-count suppression runs on both dashboards as in production; its memos are cleared each
round so every round pays it.
"""

from __future__ import annotations

import time

from common import full, row
from django.db import connection
from django.utils import timezone
from generated import register

OWN = "bench_dash"


def _build_own_tables() -> None:
    from antoan.indicators.selectors.places import rollup

    roll = rollup()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {OWN}_rollup")
        cursor.execute(
            f"CREATE TABLE {OWN}_rollup (place_id integer PRIMARY KEY, commune varchar(10),"
            " province varchar(10))"
        )
        cursor.executemany(
            f"INSERT INTO {OWN}_rollup VALUES (%s, %s, %s)",  # noqa: S608 - our own table
            [(pk, roll.commune_of[pk], roll.province_of.get(pk)) for pk in roll.commune_of],
        )
        for name, table, cols in (
            ("incident_case", "cases_incident", "case_id, id"),
            ("delivery_case", "referrals_servicedelivery", "case_id"),
            ("case_opened", "cases_case", "opened_at"),
        ):
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {OWN}_{name} ON {table} ({cols})")
        cursor.execute("ANALYZE")


def _drop_own_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {OWN}_rollup")
        for name in ("incident_case", "delivery_case", "case_opened"):
            cursor.execute(f"DROP INDEX IF EXISTS {OWN}_{name}")


def _floor_queries(year: int, province_code: str | None) -> list:
    """``bench/indicators.py``'s aggregates on this module's table; for one province (by
    commune) or, with ``province_code=None``, for every province (by province)."""
    from indicators import floor_queries

    return floor_queries(year, province_code, rollup_table=f"{OWN}_rollup")


def _busiest_provinces() -> list:
    """Today's provinces with cases, the busiest first."""
    from collections import Counter

    from django.db.models import Count

    from antoan.cases.models import Case
    from antoan.indicators.selectors.places import rollup

    roll = rollup()
    counts: Counter = Counter()
    for place_id, n in Case.objects.values_list("agency__place_id").annotate(n=Count("id")):
        code = roll.province_of.get(place_id)
        if code:
            counts[code] += n
    return [roll.provinces[code] for code, _ in counts.most_common() if code in roll.provinces]


def _clear_memos() -> None:
    from antoan.indicators import suppression

    suppression._protect.cache_clear()
    suppression._protect_sums.cache_clear()


def province_board(province, year: int):
    from antoan.indicators.selectors.dashboards import province_dashboard
    from antoan.indicators.selectors.values import Calculator, parse_query

    calc = Calculator(parse_query(province, {"year": str(year)}), places_for=["GBV-02"])
    return province_dashboard(calc, table_code="GBV-02")


def national_board(year: int):
    """The national dashboard as ``/indicators/national/`` computes it: the country's cards
    with their trends, the operational indicators and GBV-02 by province, from one national
    ``Calculator`` (each cohort counted once for the whole country, grouped by province);
    suppression as in production."""
    from antoan.indicators.selectors.dashboards import province_dashboard
    from antoan.indicators.selectors.values import Calculator, national_query

    calc = Calculator(national_query({"year": str(year)}), places_for=["GBV-02"])
    return province_dashboard(calc, table_code="GBV-02")


@register
def dashboard(scale: str, median_per_op) -> list[dict]:
    from django.db import reset_queries
    from django.test.utils import CaptureQueriesContext

    from antoan.indicators.selectors.places import forget

    year = timezone.localdate().year - 1
    provinces = _busiest_provinces()
    if not provinces:
        return []
    forget()
    province = provinces[0]

    def province_build():
        board = province_board(province, year)
        assert board.rows

    def national_build():
        board = national_board(year)
        assert board.rows

    boards = [
        (f"dashboard province ({province.code}), one year", province_build, province.code),
        (
            f"dashboard national ({len(provinces)} provinces with cases), one year",
            national_build,
            None,
        ),
    ]
    rows = []
    _build_own_tables()
    try:
        for name, build, code in boards:
            queries = _floor_queries(year, code)

            def ours(n, build=build):
                for _ in range(n):
                    _clear_memos()
                    build()

            def floor(n, queries=queries):
                for _ in range(n):
                    for sql, params in queries:
                        with connection.cursor() as cursor:
                            cursor.execute(sql, params)
                            cursor.fetchall()

            _clear_memos()
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                build()
            # One dashboard a round unless BENCH_FULL=1: its rounds vary by a few per cent,
            # well under what the ratio target leaves.
            ops = 3 if full() else 1
            mine, low = median_per_op(ours, ops), median_per_op(floor, ops)
            rows.append(row(name, scale, mine, low, len(captured.captured_queries)))
    finally:
        _drop_own_tables()
    return rows


@register
def consolidated_report(scale: str, median_per_op) -> list[dict]:
    """Seconds to generate last year's consolidated report (DOCX) of each plan with a cycle."""
    from django.test.utils import CaptureQueriesContext

    from antoan.reports.documents.consolidated import consolidated_docx
    from antoan.reports.models import Cycle

    year = timezone.localdate().year - 1
    rows = []
    # Every plan's cycle (up to 3) in full runs; the first in the everyday province run.
    cycles = 3 if full() or scale == "national" else 1
    for cycle in Cycle.objects.filter(year=year).select_related("plan").order_by("id")[:cycles]:
        _clear_memos()
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            consolidated_docx(cycle)
            first = time.perf_counter() - began

        def ours(n, cycle=cycle):
            for _ in range(n):
                _clear_memos()
                consolidated_docx(cycle)

        seconds = median_per_op(ours, 1)
        rows.append(
            row(
                f"consolidated report {cycle.plan.code} {year} (docx, < 10 s)",
                scale,
                seconds,
                None,
                len(captured.captured_queries),
                note=f"first {first:.2f} s",
            )
        )
    return rows
