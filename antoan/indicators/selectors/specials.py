"""Measures that are not counts of a cohort over time: things that exist at a moment (communes
with a model, facilities, open cases, overdue work), whole-year figures of the programme
(budget, yearly reports) and medians.

Each gives the same reading interface as ``engine.MeasureFigures``: ``at(place, period)``,
``by(place, dim)`` and ``trend(place)``. Counts of people's records (open cases, overdue work,
medians' counts) are protected like the cohorts' (a line per breakdown, suppression.py);
counts of communes, facilities, reports and money are not about people and are shown as they
are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections
from django.db.models import Case as Case_
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Least
from django.utils import timezone

from antoan.accounts.models import Agency
from antoan.cases import choices as c
from antoan.cases import rules
from antoan.cases.models import Assessment, Case, CasePlan, FollowUp, Incident, ProtectionMeasure
from antoan.core.routers import read_alias
from antoan.hotline.models import Call
from antoan.indicators import suppression
from antoan.indicators.periods import Period, period_for
from antoan.indicators.selectors.breakdowns import categories
from antoan.indicators.selectors.engine import (
    Figure,
    MeasureFigures,
    NotAvailable,
    Scope,
    in_period,
)
from antoan.indicators.selectors.measures import REFERRALS, SURVIVORS, Cohort
from antoan.indicators.selectors.places import UNKNOWN
from antoan.indicators.suppression import TOTAL
from antoan.programme.choices import ModelStatus, PlanStatus, YearReportStatus
from antoan.programme.models import (
    Activity,
    Assignment,
    BudgetLine,
    CommunityModel,
    Plan,
    Spending,
    YearReport,
)
from antoan.referrals.models import ServiceDelivery

COUNTED = Exists(Incident.objects.filter(case_id=OuterRef("pk"), consent_statistics=True))


def moment(period: Period, today: dt.date) -> dt.datetime:
    """The end of the period, or now if it has not ended: when a snapshot is taken."""
    end = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))
    return min(end, timezone.now()) if period.end >= today else end


@dataclass
class Snapshot:
    """Values by commune (``TOTAL`` for the province), for one period; breakdowns are counted
    only when asked for (``by_dim`` holds the functions that count them)."""

    values: dict[str, Any]
    by_dim: dict[str, Callable[[], dict[str, Any]]]
    personal: bool = False


class SpecialFigures:
    """Figures computed per period by ``compute(period) -> Snapshot``."""

    def __init__(self, scope: Scope, compute: Callable[[Period], Snapshot], placed: bool) -> None:
        self.scope = scope
        self.compute = compute
        self.placed = placed
        self._snapshots: dict[str, Snapshot] = {}
        self.years = list(range(scope.first_year, scope.today.year + 1))

    def _snapshot(self, period: Period) -> Snapshot:
        if period.id not in self._snapshots:
            self._snapshots[period.id] = self.compute(period)
        return self._snapshots[period.id]

    def _protected(self, snap: Snapshot) -> bool:
        return self.scope.suppress and snap.personal

    def at(self, place: str, period: Period) -> Figure:
        if place != TOTAL and not self.placed:
            raise NotAvailable("not_by_commune")
        snap = self._snapshot(period)
        value = snap.values.get(place, 0)
        if not self._protected(snap):
            return Figure(value)
        parts = {k: int(v) for k, v in snap.values.items() if k != TOTAL}
        hidden = (
            suppression.protect_line(
                parts,
                threshold=self.scope.threshold,
                fixed={
                    TOTAL: suppression.is_primary(
                        int(snap.values.get(TOTAL, 0)), self.scope.threshold
                    )
                },
            )
            if place != TOTAL
            else frozenset(
                [TOTAL] if suppression.is_primary(int(value), self.scope.threshold) else []
            )
        )
        return Figure(value, place in hidden)

    def by(self, place: str, dim: str, year: int | None = None) -> dict[str, Figure]:
        if place != TOTAL:
            raise NotAvailable("not_by_commune")
        snap = self._snapshot(period_for(year) if year else self.scope.period)
        if dim not in snap.by_dim:
            raise NotAvailable("breakdown")
        values = snap.by_dim[dim]()
        cats = categories(dim, sorted(values))
        if not self._protected(snap):
            return {cat: Figure(values.get(cat, 0)) for cat in cats}
        total = int(snap.values.get(TOTAL, 0))
        hidden = suppression.protect_line(
            {cat: int(values.get(cat, 0)) for cat in cats},
            threshold=self.scope.threshold,
            fixed={TOTAL: suppression.is_primary(total, self.scope.threshold)},
        )
        return {cat: Figure(values.get(cat, 0), cat in hidden) for cat in cats}

    def trend(self, place: str) -> dict[int, Figure]:
        return {y: self.at(place, period_for(y)) for y in self.years}


# --- Communes and their models (DV-03, OP-11) ------------------------------------------------


def communes(scope: Scope) -> SpecialFigures:
    def compute(period: Period) -> Snapshot:
        if scope.national:  # each province's communes
            values: dict[str, float | int] = {
                code: len(scope.rollup.communes_of(code)) for code in scope.communes
            }
            values[TOTAL] = sum(values.values())
            return Snapshot(values, {})
        values = dict.fromkeys(scope.communes, 1)
        values[TOTAL] = len(scope.communes)
        return Snapshot(values, {})

    return SpecialFigures(scope, compute, placed=True)


def communes_with_model(scope: Scope) -> SpecialFigures:
    # Read once (the models registry is small), then counted for each period asked.
    models = list(
        CommunityModel.objects.filter(
            scope.places_q("place_id"), status=ModelStatus.ACTIVE
        ).values_list("place_id", "founded_on")
    )
    roll = scope.rollup
    communes_now = set(roll.communes) if scope.national else set(scope.communes)

    def compute(period: Period) -> Snapshot:
        with_model = {
            roll.commune_of.get(place_id, UNKNOWN)
            for place_id, founded in models
            if founded is None or founded <= period.end
        } & communes_now
        values: dict[str, float | int]
        if scope.national:  # communes with a model, per province
            values = dict.fromkeys(scope.communes, 0)
            for code in with_model:
                province = roll.province_of.get(roll.communes[code].pk)
                if province in values:
                    values[province] += 1
        else:
            values = {code: int(code in with_model) for code in scope.communes}
        values[TOTAL] = len(with_model)
        return Snapshot(values, {})

    return SpecialFigures(scope, compute, placed=True)


# --- Social assistance facilities (GE-03) ----------------------------------------------------


def _facilities(scope: Scope) -> list[tuple[int, dt.date | None, dt.date | None]]:
    return list(
        Agency.objects.filter(
            scope.places_q("place_id"), kind=Agency.Kind.SOCIAL_ASSISTANCE
        ).values_list("pk", "valid_from", "valid_to")
    )


def _in_operation(facilities: list, day: dt.date) -> set[int]:
    return {
        pk
        for pk, start, end in facilities
        if (start is None or start <= day) and (end is None or end >= day)
    }


def social_facilities(scope: Scope) -> SpecialFigures:
    facilities = _facilities(scope)

    def compute(period: Period) -> Snapshot:
        return Snapshot({TOTAL: len(_in_operation(facilities, period.end))}, {})

    return SpecialFigures(scope, compute, placed=False)


def social_facilities_active(scope: Scope) -> SpecialFigures:
    facilities = _facilities(scope)
    ids = [pk for pk, _start, _end in facilities]
    # The months in which each facility did something: organised or co-organised an activity,
    # delivered a service, took on a case. A few rows per facility and month.
    months: set[tuple[int, int, int]] = set()
    sources = [
        (Activity.objects.filter(agency_id__in=ids), "agency_id", "start_date"),
        (
            Activity.partners.through.objects.filter(agency_id__in=ids),
            "agency_id",
            "activity__start_date",
        ),
        (ServiceDelivery.objects.filter(agency_id__in=ids), "agency_id", "delivered_on"),
        (Case.objects.filter(agency_id__in=ids), "agency_id", "opened_at"),
    ]
    for qs, agency, day in sources:
        rows = (
            qs.annotate(_y=ExtractYear(day), _m=ExtractMonth(day))
            .values_list(agency, "_y", "_m")
            .distinct()
            .order_by()
        )
        months.update(rows)

    def compute(period: Period) -> Snapshot:
        wanted = set(period.months)
        active = {pk for pk, y, m in months if (y, m) in wanted}
        return Snapshot({TOTAL: len(active & _in_operation(facilities, period.end))}, {})

    return SpecialFigures(scope, compute, placed=False)


# --- Open cases and case workers (OP-05), overdue work (OP-06) -------------------------------


def _open_at(scope: Scope, at: dt.datetime) -> Any:
    return Case.objects.filter(
        COUNTED, scope.places_q("agency__place_id"), opened_at__lt=at
    ).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=at))


def _by_agency(qs: Any) -> dict[str, int]:
    return {
        str(row["agency_id"]): row["n"]
        for row in qs.values("agency_id").annotate(n=Count("pk")).order_by()
    }


def open_cases(scope: Scope) -> SpecialFigures:
    def compute(period: Period) -> Snapshot:
        at = moment(period, scope.today)
        qs = _open_at(scope, at).filter(assigned_to__isnull=False)
        return Snapshot({TOTAL: qs.count()}, {"agency": lambda: _by_agency(qs)}, personal=True)

    return SpecialFigures(scope, compute, placed=False)


def case_workers(scope: Scope) -> SpecialFigures:
    def compute(period: Period) -> Snapshot:
        at = moment(period, scope.today)
        qs = _open_at(scope, at).filter(assigned_to__isnull=False)

        def by_agency() -> dict[str, Any]:
            rows = qs.values("agency_id").annotate(n=Count("assigned_to", distinct=True))
            return {str(row["agency_id"]): row["n"] for row in rows.order_by()}

        total = qs.values("assigned_to").distinct().count()
        return Snapshot({TOTAL: total}, {"agency": by_agency})

    return SpecialFigures(scope, compute, placed=False)


def overdue_counts(cases: Any, at: dt.datetime, group: str | None = None) -> Any:
    """Late work at ``at`` per kind (cases.rules deadlines), in one query, per ``group`` value
    when given: not assessed after 3 days, no plan after 7, follow-up past its date, no-contact
    request undecided after 12 hours."""
    at_date = timezone.localdate(at)
    next_due = (
        FollowUp.objects.filter(case_id=OuterRef("pk"), created_at__lt=at)
        .order_by("-done_on", "-pk")
        .values("next_due")[:1]
    )
    no_contact_deadline = dt.timedelta(hours=rules.COMMUNE_NO_CONTACT_DECISION_HOURS)
    # Correlated EXISTS, as the cohorts' flags (measures.py): ``pk IN (subquery)`` could only
    # hash the whole table, and rescanned it for every case once the hash outgrew work_mem.
    assessed = Exists(Assessment.objects.filter(case_id=OuterRef("pk"), assessed_at__lt=at))
    planned = Exists(CasePlan.objects.filter(case_id=OuterRef("pk"), created_at__lt=at))
    undecided = Exists(
        ProtectionMeasure.objects.filter(
            case_id=OuterRef("pk"),
            type=c.MeasureType.NO_CONTACT_COMMUNE,
            requested_at__lt=at - no_contact_deadline,
        ).filter(Q(decided_at__isnull=True) | Q(decided_at__gte=at))
    )
    conditions = {
        "assessment": Q(opened_at__lt=at - dt.timedelta(days=rules.ASSESSMENT_DUE_DAYS))
        & Q(assessed=False),
        "case_plan": Q(opened_at__lt=at - dt.timedelta(days=rules.CASE_PLAN_DUE_DAYS))
        & Q(planned=False),
        "follow_up": Q(next_follow_up__lt=at_date),
        "measure_decision": Q(undecided=True),
    }
    # Annotated first: the aggregate may read them from a subquery of the cases.
    qs = cases.annotate(
        next_follow_up=Subquery(next_due),
        assessed=assessed,
        planned=planned,
        undecided=undecided,
    )
    counts = {kind: Count("pk", filter=condition) for kind, condition in conditions.items()}
    if group is None:
        return qs.aggregate(**counts)
    return list(qs.values(group).annotate(**counts).order_by())


def overdue_work(scope: Scope) -> SpecialFigures:
    def compute(period: Period) -> Snapshot:
        at = moment(period, scope.today)
        cases = _open_at(scope, at)
        by_kind = overdue_counts(cases, at)

        def by_agency() -> dict[str, Any]:
            rows = overdue_counts(cases, at, "agency_id")
            return {str(r["agency_id"]): sum(r[k] for k in by_kind) for r in rows}

        return Snapshot(
            {TOTAL: sum(by_kind.values())},
            {"overdue": lambda: by_kind, "agency": by_agency},
            personal=True,
        )

    return SpecialFigures(scope, compute, placed=False)


# --- Yearly reports (OP-07) and budget (OP-08) -----------------------------------------------


def _plan_of_year(scope: Scope, year: int) -> Plan | None:
    """The province's published plan running in ``year`` (not a commune's local plan)."""
    return (
        Plan.objects.filter(
            period_start__year__lte=year,
            period_end__year__gte=year,
            parent__isnull=True,
            status=PlanStatus.PUBLISHED,
        )
        .order_by("-period_start")
        .first()
    )


def expected_reporters(plan: Plan, year: int, day: dt.date | None = None) -> set[int]:
    """Agencies the plan assigns tasks to, as they are on ``day`` (31/12 of the year unless
    given): the heirs of dissolved ones, and every commune People's Committee where a task is
    assigned to them as a group."""
    from antoan.programme.services.plan_build import heirs

    day = day or dt.date(year, 12, 31)
    valid = Agency.objects.valid_on(day)
    direct = Agency.objects.filter(
        pk__in=Assignment.objects.filter(task__plan=plan, agency__isnull=False).values("agency_id")
    ).select_related("successor")
    ids = {heir.pk for agency in direct for heir in heirs(agency, day)}
    groups = set(
        Assignment.objects.filter(task__plan=plan, agency__isnull=True).values_list(
            "group", flat=True
        )
    )
    # Localities report; facilities assigned as a group (hospitals, schools) report through
    # their department, which the plan assigns too.
    if Agency.Kind.COMMUNE_COMMITTEE in groups:
        ids |= set(
            valid.filter(kind=Agency.Kind.COMMUNE_COMMITTEE, place__level="commune").values_list(
                "pk", flat=True
            )
        )
    return ids


def _expected(scope: Scope, plan: Plan, year: int) -> set[int]:
    """``expected_reporters``, read once per question (two indicators need it)."""
    cache = scope.__dict__.setdefault("_expected_reporters", {})
    if (plan.pk, year) not in cache:
        cache[(plan.pk, year)] = expected_reporters(plan, year)
    return cache[(plan.pk, year)]


def _due(plan: Plan, year: int) -> dt.datetime:
    day = dt.date(year, plan.report_due_month or 12, plan.report_due_day or 10)
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def reports_expected(scope: Scope) -> SpecialFigures:
    def compute(period: Period) -> Snapshot:
        plan = _plan_of_year(scope, period.year)
        return Snapshot({TOTAL: len(_expected(scope, plan, period.year)) if plan else 0}, {})

    return SpecialFigures(scope, compute, placed=False)


def reports_on_time(scope: Scope) -> SpecialFigures:
    def compute(period: Period) -> Snapshot:
        plan = _plan_of_year(scope, period.year)
        if plan is None:
            return Snapshot({TOTAL: 0}, {})
        on_time = YearReport.objects.filter(
            plan=plan,
            year=period.year,
            agency_id__in=_expected(scope, plan, period.year),
            submitted_at__lt=_due(plan, period.year),
        ).exclude(status=YearReportStatus.RETURNED)
        return Snapshot({TOTAL: on_time.count()}, {})

    return SpecialFigures(scope, compute, placed=False)


def _money(qs: Any, column: str, agency: str) -> Callable[[Scope], SpecialFigures]:
    """Money of a year: the total, and by agency and funding source on demand."""

    def figures(scope: Scope) -> SpecialFigures:
        def compute(period: Period) -> Snapshot:
            year = qs(period.year)
            return Snapshot(
                {TOTAL: year.aggregate(n=Sum(column, default=0))["n"]},
                {
                    "agency": lambda: _sums(year, agency, column),
                    "source": lambda: _sums(year, "source", column),
                },
            )

        return SpecialFigures(scope, compute, placed=False)

    return figures


budget_allocated = _money(lambda y: BudgetLine.objects.filter(year=y), "allocated", "agency_id")
budget_spent = _money(
    lambda y: Spending.objects.filter(activity__start_date__year=y), "amount", "activity__agency_id"
)


def _sums(qs: Any, key: str, column: str) -> dict[str, int]:
    return {
        str(row[key]): row["n"] or 0 for row in qs.values(key).annotate(n=Sum(column)).order_by()
    }


# --- Medians (OP-01, OP-02) ------------------------------------------------------------------


def _hours_sql(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier})) / 3600.0"
    return f"(julianday({later}) - julianday({earlier})) * 24.0"


def medians(qs: Any, group: Any, later: str, earlier: str) -> dict[str, float]:
    """Median hours between two datetime columns of ``qs``, per value of ``group``, computed in
    the database (window functions, both PostgreSQL and SQLite). ``qs`` must hold only rows
    where both are known (its flags see to that)."""
    inner = qs.annotate(_g=group, _later=F(later), _earlier=F(earlier)).values(
        "_g", "_later", "_earlier"
    )
    sql, params = inner.query.sql_with_params()
    hours = _hours_sql("t._later", "t._earlier")
    query = (
        "SELECT g, AVG(h) FROM ("  # noqa: S608 - our own compiled SQL, values are parameters
        f" SELECT t._g AS g, {hours} AS h,"
        f" ROW_NUMBER() OVER (PARTITION BY t._g ORDER BY {hours}) AS rn,"
        " COUNT(*) OVER (PARTITION BY t._g) AS n"
        f" FROM ({sql}) t"
        ") s WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY g"
    )
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(query, params)
        return {str(g): round(float(v), 1) for g, v in cursor.fetchall()}


def commune_case(scope: Scope) -> Any:
    """A SQL expression naming the row of ``stat_place``: today's commune (today's province
    nationally), UNKNOWN otherwise."""
    rows = set(scope.communes)
    whens = [
        When(stat_place__in=ids, then=Value(code))
        for code, ids in sorted(scope.ids_by_row.items())
        if code in rows
    ]
    return Case_(*whens, default=Value(UNKNOWN), output_field=CharField())


class MedianFigures:
    """A median whose count (``counts``) says whether it may be shown: hidden when its count
    is, or when nothing was counted."""

    def __init__(
        self,
        scope: Scope,
        counts: MeasureFigures,
        cohort: Cohort,
        rows: Callable[[], Any],
        later: str,
        earlier: str,
        dims: dict[str, str],
        placed: bool,
    ) -> None:
        self.scope = scope
        self.counts = counts
        self.cohort = cohort
        self.rows = rows
        self.later, self.earlier = later, earlier
        self.dims = dims
        self.placed = placed
        self._cache: dict[tuple[str, str], dict[str, float]] = {}
        self.years = counts.years

    def _medians(self, period: Period, grouping: str) -> dict[str, float]:
        key = (period.id, grouping)
        if key not in self._cache:
            where = self.scope.cohort_places(self.cohort)
            qs = in_period(
                self.rows().filter(where), "stat_date", period.start, period.end, dated=True
            )
            if grouping == "total":
                group: Any = Value("*")
            elif grouping == "commune":
                group = commune_case(self.scope)
            else:
                group = F(self.dims[grouping])
            self._cache[key] = medians(qs, group, self.later, self.earlier)
        return self._cache[key]

    def at(self, place: str, period: Period) -> Figure:
        n = self.counts.at(place, period)
        if n.hidden or not n.value:
            return Figure(None, n.hidden)
        found = self._medians(period, "total" if place == TOTAL else "commune")
        return Figure(found.get("*" if place == TOTAL else place))

    def by(self, place: str, dim: str, year: int | None = None) -> dict[str, Figure]:
        if place != TOTAL or dim not in self.dims:
            raise NotAvailable("breakdown")
        year = year or self.scope.year
        counts = self.counts.by(place, dim, year)
        found = self._medians(period_for(year), dim)
        return {
            cat: Figure(None, n.hidden) if n.hidden or not n.value else Figure(found.get(cat))
            for cat, n in counts.items()
        }

    def trend(self, place: str) -> dict[int, Figure]:
        return {y: self.at(place, period_for(y)) for y in self.years}


def _first_contact_rows() -> Any:
    first_call = Subquery(
        Call.objects.filter(case_id=OuterRef("case_id"))
        .order_by("received_at")
        .values("received_at")[:1]
    )
    first_service = Subquery(
        ServiceDelivery.objects.filter(case_id=OuterRef("case_id"))
        .order_by("recorded_at")
        .values("recorded_at")[:1]
    )
    return (
        SURVIVORS.with_flags("gbv", "dv", "served")
        .filter(Q(gbv=True) | Q(dv=True), served=True)
        .annotate(
            first_service=first_service,
            first_contact=Least(Coalesce(first_call, "case__opened_at"), "case__opened_at"),
        )
    )


def first_service_hours(scope: Scope, counts: MeasureFigures) -> MedianFigures:
    return MedianFigures(
        scope,
        counts,
        SURVIVORS,
        _first_contact_rows,
        "first_service",
        "first_contact",
        SURVIVORS.dims,
        placed=True,
    )


def referral_acceptance_hours(scope: Scope, counts: MeasureFigures) -> MedianFigures:
    return MedianFigures(
        scope,
        counts,
        REFERRALS,
        lambda: REFERRALS.with_flags("accepted").filter(accepted=True),
        "answered_at",
        "sent_at",
        REFERRALS.dims,
        placed=False,
    )


# Specials by name; medians also need the figures of their count.
SPECIALS: dict[str, Callable[[Scope], SpecialFigures]] = {
    "communes": communes,
    "communes_with_model": communes_with_model,
    "social_facilities": social_facilities,
    "social_facilities_active": social_facilities_active,
    "open_cases": open_cases,
    "case_workers": case_workers,
    "overdue_work": overdue_work,
    "reports_expected": reports_expected,
    "reports_on_time": reports_on_time,
    "budget_allocated": budget_allocated,
    "budget_spent": budget_spent,
}
MEDIANS: dict[str, tuple[Callable[[Scope, MeasureFigures], MedianFigures], str]] = {
    "first_service_hours": (first_service_hours, "victims_served"),
    "referral_acceptance_hours": (referral_acceptance_hours, "referrals_accepted"),
}
