"""All reads of programme data, scoped to the acting user.

Who sees what (docs/programme.md): a programme reporter sees the activities of the agencies
they report for; the coordinator sees every activity; analysts and managers see totals only
(the plan page's figures, budget execution, the models registry). Activities hold no survivor
data, but the rule is the same as everywhere: a missing and a forbidden id both answer 404.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.core.permissions import agency_ids_with, has_perm
from antoan.places.models import Place
from antoan.programme import clock
from antoan.programme.choices import PlanStatus, YearReportStatus
from antoan.programme.models import (
    Activity,
    Assignment,
    BudgetLine,
    CommunityModel,
    DutyTransfer,
    Influencer,
    Plan,
    Spending,
    Task,
    YearReport,
)


def may_view_programme(user: Any) -> bool:
    return any(
        has_perm(user, p)
        for p in (Perm.PROGRAMME_VIEW, Perm.PROGRAMME_REPORT, Perm.PROGRAMME_COORDINATE)
    )


def sees_all_activities(user: Any) -> bool:
    return has_perm(user, Perm.PROGRAMME_COORDINATE)


def reporting_agency_ids(user: Any) -> set[int]:
    """The agencies the user records activities for."""
    return agency_ids_with(user, Perm.PROGRAMME_REPORT)


def plan_list(user: Any) -> QuerySet[Plan]:
    """Plans the user may look at: every published plan, for anyone working on the programme;
    drafts only for those who build or approve them (the coordinator; a commune's reporters
    and leaders for their commune's local plan)."""
    if not may_view_programme(user):
        return Plan.objects.none()
    qs = Plan.objects.select_related("issuing_agency", "report_to", "parent")
    if sees_all_activities(user):
        return qs
    communes = reporting_agency_ids(user) | agency_ids_with(user, Perm.LOCAL_PLAN_APPROVE)
    return qs.filter(Q(status=PlanStatus.PUBLISHED) | Q(issuing_agency_id__in=communes))


def provincial_plans(user: Any) -> QuerySet[Plan]:
    """Published plans of the province (not the communes' local plans): the ones activities
    find by date."""
    return plan_list(user).filter(parent__isnull=True, status=PlanStatus.PUBLISHED)


def plan_get_for_user(user: Any, plan_id: Any) -> Plan:
    """One plan, or 404."""
    try:
        return plan_list(user).get(pk=int(plan_id))
    except (Plan.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def plan_current(user: Any, on: dt.date | None = None) -> Plan | None:
    """The plan in force on ``on`` (today by default), else the latest one."""
    day = on or clock.today()
    plans = provincial_plans(user)
    return (
        plans.filter(period_start__lte=day, period_end__gte=day).first()
        or plans.order_by("-period_end").first()
    )


@dataclass(frozen=True)
class PlanGap:
    """No provincial plan covers today: the last one ended, the next is not published yet."""

    ended: Plan  # the provincial plan that ended last
    year: int  # today's year, which no plan covers
    draft: Plan | None = None  # the next plan being built (only the coordinator sees drafts)


def plan_gap(user: Any, on: dt.date | None = None) -> PlanGap | None:
    """Whether ``on`` (today) falls after the last provincial plan, in one query."""
    day = on or clock.today()
    plans = list(
        plan_list(user)
        .filter(parent__isnull=True, status__in=[PlanStatus.PUBLISHED, PlanStatus.DRAFT])
        .order_by("-period_end", "-pk")
    )
    published = [p for p in plans if p.status == PlanStatus.PUBLISHED]
    if any(p.period_start <= day <= p.period_end for p in published):
        return None
    ended = next((p for p in published if p.period_end < day), None)
    if ended is None:
        return None
    draft = next((p for p in plans if p.status == PlanStatus.DRAFT), None)
    return PlanGap(ended=ended, year=day.year, draft=draft)


def activity_list(user: Any) -> QuerySet[Activity]:
    """Activities the user may see: all for the coordinator, their agencies' for a reporter."""
    qs = Activity.objects.select_related("agency", "place", "plan")
    if sees_all_activities(user):
        return qs
    ids = reporting_agency_ids(user)
    return qs.filter(agency_id__in=ids) if ids else qs.none()


def activity_get_for_user(user: Any, activity_id: Any) -> Activity:
    """One activity the user may see, or 404."""
    try:
        return activity_list(user).get(pk=int(activity_id))
    except (Activity.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


@dataclass
class ActivityFilter:
    plan: Plan | None = None
    task: Task | None = None  # the task and everything under it
    kind: str = ""
    agency_id: int | None = None
    place_code: str = ""
    year: int | None = None
    q: str = ""
    flagged: bool = False


def activity_filter(qs: QuerySet[Activity], f: ActivityFilter) -> QuerySet[Activity]:
    """Narrow an already scoped list."""
    if f.plan is not None:
        # A provincial plan's activities include the communes' under their local plans.
        qs = qs.filter(Q(plan=f.plan) | Q(plan__parent=f.plan, plan__status=PlanStatus.PUBLISHED))
    if f.task is not None:
        ids = task_subtree_ids(f.task)
        carried = Task.objects.filter(carries_id__in=ids, plan__status=PlanStatus.PUBLISHED)
        qs = qs.filter(Q(tasks__in=ids) | Q(tasks__in=carried.values("pk"))).distinct()
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.agency_id:
        qs = qs.filter(agency_id=f.agency_id)
    if f.place_code:
        qs = qs.filter(Q(place__code=f.place_code) | Q(place__parent__code=f.place_code))
    if f.year:
        qs = qs.filter(start_date__year=f.year)
    if f.q:
        qs = qs.filter(title__icontains=f.q)
    if f.flagged:
        qs = qs.exclude(flags=[])
    return qs


def _task_parents(plan_id: int) -> dict[int, int | None]:
    return dict(Task.objects.filter(plan_id=plan_id).values_list("pk", "parent_id"))


def _subtree(parents: dict[int, int | None], root: int) -> set[int]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in parents.items():
        children[parent].append(pk)
    out, stack = set(), [root]
    while stack:
        pk = stack.pop()
        out.add(pk)
        stack.extend(children[pk])
    return out


def task_subtree_ids(task: Task) -> set[int]:
    """The task and all its descendants."""
    return _subtree(_task_parents(task.plan_id), task.pk)


# --- Who is responsible for a task ----------------------------------------------------------


@dataclass
class Responsible:
    """An assignment as the plan wrote it, and who carries it today."""

    assignment: Assignment
    name: str
    current: list[tuple[Agency, str]] = field(default_factory=list)  # (agency, duties)


def transfers_by_agency() -> dict[int, list[DutyTransfer]]:
    out: dict[int, list[DutyTransfer]] = defaultdict(list)
    for t in DutyTransfer.objects.select_related("to_agency"):
        out[t.from_agency_id].append(t)
    return out


def responsible_for(
    assignments: Iterable[Assignment],
    transfers: dict[int, list[DutyTransfer]],
    on: dt.date | None = None,
) -> list[Responsible]:
    day = on or timezone.localdate()
    out = []
    for a in assignments:
        if a.agency is None:
            out.append(Responsible(a, a.label or a.get_group_display()))
            continue
        r = Responsible(a, a.agency.name)
        if not a.agency.is_valid_on(day):
            r.current = [(t.to_agency, t.duties) for t in transfers.get(a.agency.pk, [])]
        out.append(r)
    return out


def agency_assigned(agency: Agency, tasks: Iterable[Task]) -> bool:
    """Is ``agency`` named (itself, by its kind, or as heir of a merged agency) on any of the
    tasks, their ancestors (a section's duties cover its items) or their sub-tasks (whoever
    carries a bullet of II.3.a works under II.3.a)?"""
    tasks = list(tasks)
    if not tasks:
        return False
    parents = _task_parents(tasks[0].plan_id)  # one query for the tree, however deep
    task_ids: set[int] = set()
    for task in tasks:
        task_ids |= _subtree(parents, task.pk)
        node: int | None = task.pk
        while node is not None:
            task_ids.add(node)
            node = parents.get(node)
    assignments = Assignment.objects.filter(task_id__in=task_ids)
    heirs_of = set(
        DutyTransfer.objects.filter(to_agency=agency).values_list("from_agency_id", flat=True)
    )
    return assignments.filter(
        Q(agency=agency) | Q(group=agency.kind) | Q(agency_id__in=heirs_of)
    ).exists()


# --- The plan page ---------------------------------------------------------------------------


@dataclass
class TaskRow:
    task: Task
    responsible: list[Responsible]
    activities: int = 0
    people: int = 0
    female: int = 0
    spent: int = 0
    # Communes whose approved local plan carries this task (or one under it), and what they
    # did under it (already inside the figures above, counted once).
    communes: int = 0
    local_activities: int = 0
    local_people: int = 0


def plan_task_rows(user: Any, plan: Plan, *, year: int | None = None) -> list[TaskRow]:
    """The task tree in plan order with, for each task, its responsible agencies and the
    activities logged under it or its sub-tasks (each activity counted once per task). For a
    provincial plan, an activity logged against a commune's local task counts, once, for the
    provincial task the local task carries."""
    if not may_view_programme(user):
        raise Http404
    tasks = list(plan.tasks.order_by("order"))
    assignments: dict[int, list[Assignment]] = defaultdict(list)
    for a in Assignment.objects.filter(task__plan=plan).select_related("agency"):
        assignments[a.task_id].append(a)
    transfers = transfers_by_agency()

    # Local tasks of the approved local plans under this plan → (provincial task, local plan).
    carried: dict[int, tuple[int, int]] = {
        pk: (carries, local_plan)
        for pk, carries, local_plan in Task.objects.filter(
            plan__parent=plan, plan__status=PlanStatus.PUBLISHED, carries__isnull=False
        ).values_list("pk", "carries_id", "plan_id")
    }
    activities = Activity.objects.filter(
        Q(plan=plan) | Q(plan__parent=plan, plan__status=PlanStatus.PUBLISHED)
    )
    if year:
        activities = activities.filter(start_date__year=year)
    figures = {
        row["pk"]: row
        for row in activities.values("pk", "participants_total", "participants_female", "plan_id")
    }
    spent = dict(
        Spending.objects.filter(activity__in=activities)
        .values("activity_id")
        .annotate(total=Sum("amount"))
        .values_list("activity_id", "total")
    )
    direct: dict[int, set[int]] = defaultdict(set)
    adopted: dict[int, set[int]] = defaultdict(set)
    for carries, local_plan in carried.values():
        adopted[carries].add(local_plan)
    for task_id, activity_id in Activity.tasks.through.objects.filter(
        activity_id__in=list(figures)
    ).values_list("task_id", "activity_id"):
        target = carried[task_id][0] if task_id in carried else task_id
        direct[target].add(activity_id)

    by_pk = {t.pk: t for t in tasks}
    under: dict[int, set[int]] = {t.pk: set(direct.get(t.pk, ())) for t in tasks}
    plans_under: dict[int, set[int]] = {t.pk: set(adopted.get(t.pk, ())) for t in tasks}
    for t in sorted(tasks, key=lambda t: -t.depth):
        if t.parent_id in under:
            under[t.parent_id] |= under[t.pk]
            plans_under[t.parent_id] |= plans_under[t.pk]

    rows = []
    for t in tasks:
        ids = under[t.pk]
        local = [i for i in ids if figures[i]["plan_id"] != plan.pk]
        rows.append(
            TaskRow(
                task=by_pk[t.pk],
                responsible=responsible_for(assignments.get(t.pk, []), transfers),
                activities=len(ids),
                people=sum(figures[i]["participants_total"] for i in ids),
                female=sum(figures[i]["participants_female"] for i in ids),
                spent=sum(spent.get(i, 0) for i in ids),
                communes=len(plans_under[t.pk]),
                local_activities=len(local),
                local_people=sum(figures[i]["participants_total"] for i in local),
            )
        )
    return rows


def task_activities(user: Any, task: Task) -> QuerySet[Activity]:
    """The activities under a task (and its sub-tasks) that the user may see."""
    return activity_filter(activity_list(user), ActivityFilter(task=task))


# --- Budget ----------------------------------------------------------------------------------


@dataclass
class BudgetRow:
    agency: Agency
    year: int
    source: str
    planned: int = 0
    allocated: int = 0
    spent: int = 0
    line: BudgetLine | None = None

    @property
    def execution_rate(self) -> float | None:
        """Spent as a percentage of what was allocated; None when nothing was allocated."""
        return round(100 * self.spent / self.allocated, 1) if self.allocated else None


def budget_rows(
    user: Any, plan: Plan, *, year: int | None = None, agency_id: int | None = None
) -> list[BudgetRow]:
    """Planned, allocated and spent per agency, year and source. Spending comes from the
    activities themselves, so a row may exist with nothing planned (spent without a line)."""
    if not may_view_programme(user):
        raise Http404
    lines = BudgetLine.objects.filter(plan=plan).select_related("agency")
    spending = Spending.objects.filter(activity__plan=plan)
    if year:
        lines = lines.filter(year=year)
        spending = spending.filter(activity__start_date__year=year)
    if agency_id:
        lines = lines.filter(agency_id=agency_id)
        spending = spending.filter(activity__agency_id=agency_id)
    rows: dict[tuple[int, int, str], BudgetRow] = {}
    for line in lines:
        rows[(line.agency_id, line.year, line.source)] = BudgetRow(
            line.agency, line.year, line.source, line.planned, line.allocated, line=line
        )
    sums = spending.values("activity__agency_id", "activity__start_date__year", "source").annotate(
        total=Sum("amount")
    )
    agencies = Agency.objects.in_bulk({s["activity__agency_id"] for s in sums})
    for s in sums:
        key = (s["activity__agency_id"], s["activity__start_date__year"], s["source"])
        row = rows.get(key) or BudgetRow(agencies[key[0]], key[1], key[2])
        row.spent = s["total"] or 0
        rows[key] = row
    return sorted(rows.values(), key=lambda r: (r.year, r.agency.name, r.source))


@dataclass
class AgencyBudget:
    agency: Agency
    planned: int = 0
    allocated: int = 0
    spent: int = 0

    @property
    def execution_rate(self) -> float | None:
        return round(100 * self.spent / self.allocated, 1) if self.allocated else None


def budget_by_agency(rows: Iterable[BudgetRow]) -> list[AgencyBudget]:
    """Execution rate per agency, all sources and years of ``rows`` together."""
    out: dict[int, AgencyBudget] = {}
    for r in rows:
        a = out.setdefault(r.agency.pk, AgencyBudget(r.agency))
        a.planned += r.planned
        a.allocated += r.allocated
        a.spent += r.spent
    return sorted(out.values(), key=lambda a: a.agency.name)


# --- Models registry, influencers, yearly reports --------------------------------------------


def community_model_list(user: Any) -> QuerySet[CommunityModel]:
    """The models registry: public within the programme (no personal data)."""
    if not may_view_programme(user):
        return CommunityModel.objects.none()
    return CommunityModel.objects.select_related("place", "agency").annotate(
        activity_count=Count("activities")
    )


def community_model_get_for_user(user: Any, model_id: Any) -> CommunityModel:
    try:
        return community_model_list(user).get(pk=int(model_id))
    except (CommunityModel.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def influencer_list(user: Any) -> QuerySet[Influencer]:
    """Named influencers: the coordinator sees all, a reporter their agencies'."""
    qs = Influencer.objects.select_related("place", "agency")
    if sees_all_activities(user):
        return qs
    ids = reporting_agency_ids(user)
    return qs.filter(agency_id__in=ids) if ids else qs.none()


def influencer_counts(user: Any) -> list[dict[str, Any]]:
    """Influencers by commune and group: the totals analysts and managers may see."""
    if not may_view_programme(user):
        return []
    return list(
        Influencer.objects.filter(active=True)
        .values("place__code", "place__name", "group")
        .annotate(count=Count("pk"))
        .order_by("place__name", "group")
    )


def reporting_year_of(day: dt.date) -> int:
    """The reporting year a day falls in by default: 1/12/2025 belongs to 2026's report when
    the reporting year starts in December (``ANTOAN_REPORTING_START_MONTH``)."""
    start = int(getattr(settings, "ANTOAN_REPORTING_START_MONTH", 12))
    return day.year + 1 if start != 1 and day.month >= start else day.year


def _submitted_reports(plan_id: int, agency_id: int) -> QuerySet[YearReport]:
    return YearReport.objects.filter(
        Q(plan_id=plan_id) | Q(plan__local_plans__pk=plan_id),
        agency_id=agency_id,
        status=YearReportStatus.SUBMITTED,
    )


def locked_report_year(plan_id: int, agency_id: int, day: dt.date) -> int | None:
    """The year of the submitted report that covers ``day``, freezing the agency's
    activities of that day, if any. A commune reports on its local plan in its yearly report
    on the provincial plan above it."""
    return (
        _submitted_reports(plan_id, agency_id)
        .filter(
            Q(period_start__lte=day, period_end__gte=day)
            | Q(period_start__isnull=True, year=reporting_year_of(day))
        )
        .values_list("year", flat=True)
        .first()
    )


def is_year_locked(plan_id: int, agency_id: int, year: int | dt.date) -> bool:
    """Given a day: whether the agency's activities of that day are frozen by a submitted
    report. Given a year: whether that year's report is submitted (freezing its budget)."""
    if isinstance(year, dt.date):
        return locked_report_year(plan_id, agency_id, year) is not None
    return _submitted_reports(plan_id, agency_id).filter(year=year).exists()


def submitting_agencies(user: Any) -> list[Agency]:
    """Agencies whose yearly report the user submits (reporters, through reports.submit)."""
    ids = agency_ids_with(user, Perm.REPORTS_SUBMIT) & reporting_agency_ids(user)
    return list(Agency.objects.filter(pk__in=ids).order_by("name")) if ids else []


def year_reports(user: Any, plan: Plan) -> QuerySet[YearReport]:
    """Submitted and returned reports the user may see: their own agencies', or all for the
    coordinator, analysts and managers (a report's status holds no activity detail)."""
    qs = YearReport.objects.filter(plan=plan).select_related(
        "agency", "submitted_by", "returned_by"
    )
    if not may_view_programme(user):
        return qs.none()
    own = reporting_agency_ids(user)
    if own and not sees_all_activities(user):
        return qs.filter(agency_id__in=own)
    return qs


# --- Local plans and their coverage -----------------------------------------------------------


def local_plans(user: Any, plan: Plan) -> QuerySet[Plan]:
    """The local plans under a provincial plan that the user may see."""
    return plan_list(user).filter(parent=plan).select_related("issuing_agency", "place")


@dataclass
class CoverageRow:
    """One commune, for one year of a provincial plan."""

    commune: Place
    agency: Agency | None = None
    plan: Plan | None = None  # its local plan covering the year (the approved one first)
    budget: int = 0  # what the local plan's budget lines plan for the year
    activities: int = 0  # activities logged in the year under the local plan
    report_submitted: bool = False
    # Whether the user may open the local plan (a draft is its builders' and approvers').
    visible: bool = False

    @property
    def shown_plan_id(self) -> int | None:
        """The local plan's id where the user may open it; a draft's state alone otherwise."""
        return self.plan.pk if self.plan is not None and self.visible else None

    @property
    def has_plan(self) -> bool:
        return self.plan is not None

    @property
    def approved(self) -> bool:
        return self.plan is not None and self.plan.status == PlanStatus.PUBLISHED

    @property
    def reporting(self) -> bool:
        return self.approved and (self.activities > 0 or self.report_submitted)

    @property
    def complete(self) -> bool:
        """An approved plan with a budget for the year, and reporting: nothing missing."""
        return self.approved and self.budget > 0 and self.reporting


def local_plan_coverage(user: Any, plan: Plan, year: int) -> list[CoverageRow]:
    """Every commune of the plan's province in ``year`` (its communes as they were at the end
    of the year, or today for the current year): whether it has a local plan for the year,
    approved, with a budget, and reporting. Totals and plan states only: no activity detail,
    so every programme viewer may see it."""
    if not may_view_programme(user) or plan.is_local:
        raise Http404
    day = min(dt.date(year, 12, 31), timezone.localdate())
    # Codes outlive reorganisations (province 33 is old and new Hưng Yên): the province as it
    # was on the day, and its communes, directly or (before 07/2025) through a district.
    province = (
        Place.objects.valid_on(day).filter(code=plan.place.code, level=Place.Level.PROVINCE).first()
        or plan.place
    )
    communes = list(
        Place.objects.valid_on(day)
        .filter(level=Place.Level.COMMUNE)
        .filter(Q(parent=province) | Q(parent__parent=province))
        .order_by("search_name", "code")
    )
    ids = [c.pk for c in communes]
    committees: dict[int, Agency] = {}
    for a in Agency.objects.filter(kind=Agency.Kind.COMMUNE_COMMITTEE, place_id__in=ids).order_by(
        "valid_to", "pk"
    ):
        if a.is_valid_on(day) or a.place_id not in committees:
            committees.setdefault(a.place_id, a)
    year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    plans: dict[int, Plan] = {}
    rank: dict[str, int] = {PlanStatus.PUBLISHED: 0, PlanStatus.SUBMITTED: 1, PlanStatus.DRAFT: 2}
    for p in Plan.objects.filter(
        parent=plan, period_start__lte=year_end, period_end__gte=year_start
    ).select_related("issuing_agency"):
        current = plans.get(p.place_id)
        if current is None or rank[p.status] < rank[current.status]:
            plans[p.place_id] = p
    plan_ids = [p.pk for p in plans.values()]
    budgets = dict(
        BudgetLine.objects.filter(plan_id__in=plan_ids, year=year)
        .values("plan_id")
        .annotate(total=Sum("planned"))
        .values_list("plan_id", "total")
    )
    counts = dict(
        Activity.objects.filter(plan_id__in=plan_ids, start_date__year=year)
        .values("plan_id")
        .annotate(n=Count("pk"))
        .values_list("plan_id", "n")
    )
    reported = set(
        YearReport.objects.filter(
            plan=plan, year=year, status=YearReportStatus.SUBMITTED
        ).values_list("agency_id", flat=True)
    )
    visible = set(local_plans(user, plan).filter(pk__in=plan_ids).values_list("pk", flat=True))
    rows = []
    for commune in communes:
        local = plans.get(commune.pk)
        agency = committees.get(commune.pk)
        rows.append(
            CoverageRow(
                commune=commune,
                agency=agency,
                plan=local,
                budget=budgets.get(local.pk, 0) if local else 0,
                activities=counts.get(local.pk, 0) if local else 0,
                report_submitted=bool(agency and agency.pk in reported),
                visible=bool(local and local.pk in visible),
            )
        )
    return rows


def coverage_totals(rows: list[CoverageRow]) -> dict[str, int]:
    """How many communes have a plan, approved, funded for the year, reporting, complete."""
    return {
        "communes": len(rows),
        "with_plan": sum(r.has_plan for r in rows),
        "approved": sum(r.approved for r in rows),
        "with_budget": sum(r.approved and r.budget > 0 for r in rows),
        "reporting": sum(r.reporting for r in rows),
        "complete": sum(r.complete for r in rows),
        "missing": sum(not r.complete for r in rows),
    }


def communes_missing_local_plan(user: Any, plan: Plan, year: int) -> list[CoverageRow]:
    """Communes that lack an approved local plan with a budget for ``year``, or have not
    reported under it: the reporting cycle's "missing" list."""
    return [row for row in local_plan_coverage(user, plan, year) if not row.complete]
