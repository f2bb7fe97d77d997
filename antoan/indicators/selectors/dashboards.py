"""What the dashboards show, assembled from the calculator (province) or counted within the
user's own agency (agency and hotline dashboards, where nothing is hidden: their users may
open every case and call behind the figures anyway)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import CharField, Count, F, Q
from django.db.models.functions import Cast, ExtractHour
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency, User
from antoan.accounts.roles import Perm
from antoan.cases import choices as c
from antoan.cases.models import Case, ProtectionMeasure
from antoan.core.permissions import agency_ids_with
from antoan.core.text import search_key
from antoan.hotline.models import Call
from antoan.indicators.models import Indicator, Kind, Unit
from antoan.indicators.periods import Period
from antoan.indicators.selectors.breakdowns import BREAKDOWNS, categories, category_labels
from antoan.indicators.selectors.specials import medians, overdue_counts
from antoan.indicators.selectors.values import Calculator, Query, Value
from antoan.referrals.models import Referral, ReferralStatus

DEFAULT_TABLE_INDICATOR = "GBV-02"


@dataclass
class Card:
    value: Value
    trend: list[Value]

    @property
    def chart_id(self) -> str:
        return f"chart-{self.value.indicator.code}"

    @property
    def chart(self) -> dict[str, Any]:
        """Data for the trend chart (static/js/indicators.js); the table says the same."""
        unit = self.value.indicator.unit
        return {
            "labels": [v.period.id for v in self.trend],
            "values": [None if v.suppressed else v.value for v in self.trend],
            "target": [float(v.target.value) if v.target else None for v in self.trend],
            "unit": "%" if unit == Unit.PERCENT else "",
            "valueLabel": _("Giá trị"),
            "targetLabel": _("Chỉ tiêu"),
        }


@dataclass
class Tile:
    value: Value
    level: str  # "q0".."q4", "hidden", "empty"


@dataclass
class ProvinceDashboard:
    calc: Calculator | None
    cards: list[Card]
    operational: list[Value]
    table_indicator: Indicator | None
    rows: list[Value] = field(default_factory=list)
    tiles: list[Tile] = field(default_factory=list)
    table_note: str = ""
    left_out: list[Indicator] = field(default_factory=list)


def province_dashboard(
    calc: Calculator, *, table_code: str = "", sort: str = "name"
) -> ProvinceDashboard:
    query = calc.query
    cards = [
        Card(calc.value(ind, query.place_key), calc.trend(ind))
        for ind in calc.indicators
        if ind.kind == Kind.TARGET
    ]
    operational = [
        calc.value(ind, query.place_key) for ind in calc.indicators if ind.kind == Kind.OPERATIONAL
    ]
    shown = {ind.code for ind in calc.indicators}
    left_out = [ind for ind in Indicator.objects.filter(active=True) if ind.code not in shown]
    by_commune = [ind for ind in calc.indicators if calc.supports(ind, "commune")]
    chosen = next((i for i in by_commune if i.code == table_code), None) or next(
        (i for i in by_commune if i.code == DEFAULT_TABLE_INDICATOR),
        by_commune[0] if by_commune else None,
    )
    board = ProvinceDashboard(calc, cards, operational, chosen, left_out=left_out)
    if chosen is None:
        return board
    if query.period.kind not in ("year", "quarter"):
        board.table_note = _(
            "Số liệu từng xã, phường có theo năm và theo quý; theo tháng và kỳ báo cáo chỉ có "
            "số liệu toàn tỉnh."
        )
        return board
    rows = [calc.value(chosen, row) for row in calc.commune_rows(chosen)]
    board.rows = sort_rows(rows, sort)
    board.tiles = tiles([r for r in rows if r.place_code is not None])
    return board


def dashboard_figures(
    query: Query, table_code: str = "", sort: str = ""
) -> tuple[ProvinceDashboard, list[Indicator]]:
    """A province's or the country's dashboard as the figure cache keeps it, and the
    indicators its table may show. The board's calculator is dropped: it holds querysets."""
    calc = Calculator(query, places_for=[table_code or DEFAULT_TABLE_INDICATOR])
    choices = [i for i in calc.indicators if calc.supports(i, "commune")]
    chosen = table_code if table_code in {i.code for i in choices} else ""
    board = province_dashboard(calc, table_code=chosen, sort=sort or "name")
    board.calc = None
    return board, choices


def _name_key(v: Value) -> tuple:
    """Alphabetical the Vietnamese way: "Đường Hào" after "Đông", not after "Trần"."""
    return (v.place_code is None, search_key(v.place_name), v.place_name)


def sort_rows(rows: list[Value], sort: str) -> list[Value]:
    name = _name_key

    if sort in ("value", "-value"):
        known = [r for r in rows if r.value is not None]
        rest = sorted([r for r in rows if r.value is None], key=name)
        known.sort(key=lambda r: (r.value, search_key(r.place_name)), reverse=sort == "-value")
        return known + rest
    if sort == "gap":
        known = sorted(
            [r for r in rows if r.gap is not None], key=lambda r: (r.gap, search_key(r.place_name))
        )
        return known + sorted([r for r in rows if r.gap is None], key=name)
    return sorted(rows, key=name)


def tiles(rows: list[Value]) -> list[Tile]:
    """Communes coloured in five bands of value; the band is also written on the tile."""
    shown = sorted(r.value for r in rows if r.value is not None)
    if not shown:
        return [Tile(r, "hidden" if r.suppressed else "empty") for r in rows]
    if rows[0].indicator.unit == Unit.PERCENT:
        edges = [20.0, 40.0, 60.0, 80.0]
    else:
        edges = [shown[min(len(shown) - 1, len(shown) * k // 5)] for k in range(1, 5)]
    out = []
    for r in sorted(rows, key=_name_key):
        if r.suppressed:
            out.append(Tile(r, "hidden"))
        elif r.value is None:
            out.append(Tile(r, "empty"))
        else:
            band = sum(1 for edge in edges if r.value >= edge)
            if not r.indicator.higher_is_better:
                band = 4 - band
            out.append(Tile(r, f"q{band}"))
    return out


@dataclass
class IndicatorPage:
    value: Value
    trend: list[Value]
    # (breakdown's name, [(category's label, value)]) for each breakdown of the year.
    breakdowns: list[tuple[str, list[tuple[str, Value]]]]


def indicator_page(indicator: Indicator, query: Query) -> IndicatorPage | None:
    """One indicator for the question asked; None when it has no figures for it (a commune
    asked of a provincial indicator, a filter it does not break down by)."""
    asked = replace(query, by="", codes=(indicator.code,))
    try:
        calc = Calculator(asked)
    except ValidationError:
        return None
    breakdowns = []
    if query.period.code == "year" and not query.filter_dim:
        for dim in indicator.disaggregations:
            if dim == "commune":
                continue
            try:
                sub = Calculator(replace(asked, by=dim))
            except ValidationError:
                continue
            cats = sub.categories(indicator, dim)
            labels = category_labels(dim, cats)
            rows = [
                (labels[cat], sub.value(indicator, asked.place_key, dim=dim, category=cat))
                for cat in cats
            ]
            breakdowns.append((str(BREAKDOWNS[dim]), rows))
    return IndicatorPage(calc.value(indicator, asked.place_key), calc.trend(indicator), breakdowns)


# --- A supervisor's agency -------------------------------------------------------------------


@dataclass
class WorkerLoad:
    name: str
    open_cases: int
    high_risk: int


@dataclass
class ReferralPerformance:
    agency: str
    sent: int
    accepted: int
    completed: int
    median_hours: float | None

    @property
    def completion_rate(self) -> float | None:
        return round(100 * self.completed / self.sent, 1) if self.sent else None


@dataclass
class AgencyDashboard:
    agency: Agency
    period: Period
    open_cases: int
    by_stage: list[tuple[str, int]]
    by_risk: list[tuple[str, int]]
    workers: list[WorkerLoad]
    unassigned: int
    overdue: list[tuple[str, int]]
    due_soon: int
    referrals: list[ReferralPerformance]
    opened_in_period: int
    closed_in_period: int


def agencies_supervised(user: Any) -> list[Agency]:
    ids = agency_ids_with(user, Perm.INDICATORS_AGENCY)
    return list(Agency.objects.filter(pk__in=ids).order_by("name")) if ids else []


def agency_dashboard(agency: Agency, period: Period) -> AgencyDashboard:
    now = timezone.now()
    cases = Case.objects.filter(agency=agency)
    open_cases = cases.filter(status=c.Status.OPEN)
    stage_labels = dict(c.Stage.choices)
    by_stage = [
        (str(stage_labels.get(row["stage"], row["stage"])), row["n"])
        for row in open_cases.values("stage").annotate(n=Count("pk")).order_by("stage")
    ]
    risk_labels = dict(c.RiskLevel.choices)
    risk_counts = dict(open_cases.values_list("risk_level").annotate(n=Count("pk")).order_by())
    by_risk = [(str(risk_labels[r]), risk_counts.get(r, 0)) for r in c.RISK_ORDER[::-1]]
    high = [c.RiskLevel.HIGH, c.RiskLevel.IMMEDIATE]
    loads = (
        open_cases.filter(assigned_to__isnull=False)
        .values("assigned_to")
        .annotate(n=Count("pk"), high=Count("pk", filter=Q(risk_level__in=high)))
        .order_by("-n")
    )
    users = User.objects.in_bulk([row["assigned_to"] for row in loads])
    workers = [
        WorkerLoad(
            users[row["assigned_to"]].get_full_name() or users[row["assigned_to"]].get_username(),
            row["n"],
            row["high"],
        )
        for row in loads
    ]
    late = overdue_counts(open_cases, now)
    overdue_labels = category_labels("overdue", list(late))
    overdue = [(overdue_labels[kind], n) for kind, n in late.items()]
    due_soon = ProtectionMeasure.objects.filter(
        case__in=open_cases,
        decision=c.MeasureDecision.PENDING,
        type=c.MeasureType.NO_CONTACT_COMMUNE,
    ).count()
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))
    sent = Referral.objects.filter(from_agency=agency, sent_at__gte=start, sent_at__lt=end).exclude(
        status=ReferralStatus.REVOKED
    )
    rows = (
        sent.values("to_agency")
        .annotate(
            n=Count("pk"),
            accepted=Count(
                "pk", filter=Q(answered_at__isnull=False) & ~Q(status=ReferralStatus.DECLINED)
            ),
            completed=Count("pk", filter=Q(delivered_on__isnull=False)),
        )
        .order_by("-n")
    )
    accepted = sent.filter(answered_at__isnull=False).exclude(status=ReferralStatus.DECLINED)
    hours = medians(accepted, F("to_agency_id"), "answered_at", "sent_at")
    names = dict(
        Agency.objects.filter(pk__in=[r["to_agency"] for r in rows]).values_list("pk", "name")
    )
    referrals = [
        ReferralPerformance(
            names.get(r["to_agency"], "?"),
            r["n"],
            r["accepted"],
            r["completed"],
            hours.get(str(r["to_agency"])),
        )
        for r in rows
    ]
    opened = cases.filter(opened_at__gte=start, opened_at__lt=end).count()
    closed = cases.filter(closed_at__gte=start, closed_at__lt=end).count()
    return AgencyDashboard(
        agency,
        period,
        open_cases.count(),
        by_stage,
        by_risk,
        workers,
        open_cases.filter(assigned_to__isnull=True).count(),
        overdue,
        due_soon,
        referrals,
        opened,
        closed,
    )


# --- A hotline's calls -----------------------------------------------------------------------


@dataclass
class HotlineDashboard:
    agency: Agency
    period: Period
    total: int
    immediate_danger: int
    by_hour: list[tuple[str, int]]
    by_category: list[tuple[str, int]]
    by_outcome: list[tuple[str, int]]

    @property
    def chart(self) -> dict[str, Any]:
        return {
            "labels": [label for label, _n in self.by_hour],
            "values": [n for _label, n in self.by_hour],
            "valueLabel": _("Cuộc gọi"),
            "kind": "bar",
        }


def hotlines_supervised(user: Any) -> list[Agency]:
    ids = agency_ids_with(user, Perm.CALL_VIEW_ALL)
    with_calls = Call.objects.filter(agency_id__in=ids).values("agency_id").distinct()
    return list(Agency.objects.filter(pk__in=with_calls).order_by("name")) if ids else []


def hotline_dashboard(agency: Agency, period: Period) -> HotlineDashboard:
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))
    # Contacts answered (the live queue's unanswered ones are on the hotline's live board).
    calls = Call.objects.filter(
        agency=agency, received_at__gte=start, received_at__lt=end, answered_at__isnull=False
    )
    hours = dict(
        calls.annotate(h=Cast(ExtractHour("received_at"), CharField()))
        .values_list("h")
        .annotate(n=Count("pk"))
        .order_by()
    )
    hour_labels = category_labels("hour", categories("hour"))

    def counted(dim: str, column: str) -> list[tuple[str, int]]:
        found = {
            (row[column] or ("unclassified" if dim == "category" else "pending")): row["n"]
            for row in calls.values(column).annotate(n=Count("pk")).order_by()
        }
        cats = categories(dim, sorted(found))
        labels = category_labels(dim, cats)
        return [(labels[cat], found.get(cat, 0)) for cat in cats]

    return HotlineDashboard(
        agency,
        period,
        calls.count(),
        calls.filter(immediate_danger=True).count(),
        [(hour_labels[h], hours.get(h, 0)) for h in categories("hour")],
        counted("category", "category"),
        counted("outcome", "outcome"),
    )
