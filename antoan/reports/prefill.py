"""What an agency recorded in a cycle's period, as the numbers its report starts from, and the
check of the numbers a reporter typed against them.

Figures are ``{table: {row: {column: int | None}}}``. A case figure below the suppression
threshold is stored as ``None`` (shown "< 5"): a submission leaves case scope, so it never
holds a small count.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from antoan.accounts.models import Agency
from antoan.cases.models import Case
from antoan.indicators.selectors.values import threshold
from antoan.indicators.suppression import is_primary
from antoan.programme.models import Activity, BudgetLine, Spending
from antoan.referrals.models import Referral
from antoan.reports.models import Cycle
from antoan.reports.template import TABLES

Figures = dict[str, dict[str, dict[str, int | None]]]


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _empty(table: str) -> dict[str, dict[str, int | None]]:
    spec = TABLES[table]
    return {row: {col: 0 for col, _label in spec["columns"]} for row, _l in spec["rows"]}


def recorded_figures(cycle: Cycle, agency: Agency) -> Figures:
    """The numbers the agency's records give for the cycle."""
    return recorded_figures_many(cycle, [agency.pk])[agency.pk]


def case_figures(cycle: Cycle, agency: Agency) -> dict[str, dict[str, int | None]]:
    """The agency's case work in the period, small counts suppressed (``None``)."""
    return recorded_figures(cycle, agency)["cases"]


def recorded_figures_many(cycle: Cycle, agency_ids: Iterable[int]) -> dict[int, Figures]:
    """The numbers each agency's records give for the cycle, from one grouped query per kind of
    record whatever the number of agencies (``generate_data`` files thousands of yearly reports
    at national scale). Activities count under the plan or one of its local plans (a commune's
    activity on a local task counts once for the provincial plan)."""
    wanted = sorted(set(agency_ids))
    out: dict[int, Figures] = {
        agency_id: {name: _empty(name) for name in TABLES} for agency_id in wanted
    }
    if not wanted:
        return out
    activities = Activity.objects.filter(
        Q(plan_id=cycle.plan_id) | Q(plan__parent_id=cycle.plan_id),
        agency_id__in=wanted,
        start_date__gte=cycle.period_start,
        start_date__lte=cycle.period_end,
    )
    for row in activities.values("agency_id", "kind").annotate(
        count=Count("pk"),
        participants=Sum("participants_total"),
        female=Sum("participants_female"),
        male=Sum("participants_male"),
    ):
        out[row["agency_id"]]["activities"][row["kind"]] = {
            "count": row["count"],
            "participants": row["participants"] or 0,
            "female": row["female"] or 0,
            "male": row["male"] or 0,
        }
    for line in BudgetLine.objects.filter(
        Q(plan_id=cycle.plan_id) | Q(plan__parent_id=cycle.plan_id),
        agency_id__in=wanted,
        year=cycle.year,
    ).values("agency_id", "source", "planned", "allocated"):
        cell = out[line["agency_id"]]["budget"][line["source"]]
        cell["planned"] = (cell["planned"] or 0) + line["planned"]
        cell["allocated"] = (cell["allocated"] or 0) + line["allocated"]
    for row in (
        Spending.objects.filter(activity__in=activities)
        .values("activity__agency_id", "source")
        .annotate(total=Sum("amount"))
    ):
        out[row["activity__agency_id"]]["budget"][row["source"]]["spent"] = row["total"] or 0
    start, end = _aware(cycle.period_start), _aware(cycle.period_end + dt.timedelta(days=1))
    raw: dict[str, Counter[int]] = {}
    for key, queryset, by in (
        (
            "cases_opened",
            Case.objects.filter(agency_id__in=wanted, opened_at__gte=start, opened_at__lt=end),
            "agency_id",
        ),
        (
            "cases_closed",
            Case.objects.filter(agency_id__in=wanted, closed_at__gte=start, closed_at__lt=end),
            "agency_id",
        ),
        (
            "referrals_sent",
            Referral.objects.filter(from_agency_id__in=wanted, sent_at__gte=start, sent_at__lt=end),
            "from_agency_id",
        ),
        (
            "referrals_received",
            Referral.objects.filter(to_agency_id__in=wanted, sent_at__gte=start, sent_at__lt=end),
            "to_agency_id",
        ),
    ):
        raw[key] = Counter(
            dict(queryset.order_by().values_list(by).annotate(n=Count("pk")).values_list(by, "n"))
        )
    low = threshold()
    for agency_id, figures in out.items():
        figures["cases"] = {
            key: {"value": None if is_primary(counts[agency_id], low) else counts[agency_id]}
            for key, counts in raw.items()
        }
    return out


def has_case_work(figures: Figures) -> bool:
    return any(cell["value"] != 0 for cell in figures.get("cases", {}).values())


def editable_figures(figures: Figures) -> Figures:
    """The part of ``figures`` a reporter may type: the editable columns of each table."""
    out: Figures = {}
    for name, spec in TABLES.items():
        if not spec["editable"]:
            continue
        out[name] = {
            row: {col: figures.get(name, {}).get(row, {}).get(col, 0) for col in spec["editable"]}
            for row, _label in spec["rows"]
        }
    return out


def differences(entered: Figures, recorded: Figures) -> list[dict[str, Any]]:
    """Every typed number that contradicts the records, with the difference (typed minus
    recorded). A reporter may keep such a number (an activity not yet entered, say); the
    coordinator sees the flag."""
    found = []
    for name, rows in entered.items():
        for row, cols in rows.items():
            for col, value in cols.items():
                have = recorded.get(name, {}).get(row, {}).get(col)
                if value is None or have is None or value == have:
                    continue
                found.append(
                    {
                        "table": name,
                        "row": row,
                        "column": col,
                        "entered": value,
                        "recorded": have,
                        "difference": value - have,
                    }
                )
    return found
