"""Programme data: activities against plan 64/KH-UBND, community models, budget lines and
the agencies' yearly reports.

Activities lie in the plan's period (2021-2025) and before today, by the departments the plan
names (a dissolved department's heir after the 2025 mergers) and by the commune People's
Committees, against tasks that fit their kind. They keep the rules the services enforce (sums
by sex and age add up, a trainee list agrees with the participants, each kind has its own
fields), and carry the same "agency_not_assigned" flag the services would set. Generated
activities have ``import_key`` "synthetic-<n>".
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import partial

from django.db import models, transaction

from antoan.accounts.models import Agency, Membership
from antoan.accounts.roles import Role
from antoan.indicators.synthetic import programme_texts as texts
from antoan.indicators.synthetic.common import (
    NEW_ERA,
    Batch,
    Clock,
    Rng,
    Table,
    insert_rows,
    split_exactly,
    tz,
)
from antoan.indicators.synthetic.geography import HUNG_YEN, Commune, Geography, Unit
from antoan.indicators.synthetic.world import UserSpec, ensure_users
from antoan.programme.choices import YearReportStatus
from antoan.programme.models import (
    Activity,
    Assignment,
    BudgetLine,
    CommunityModel,
    DutyTransfer,
    InspectionMember,
    Plan,
    Recommendation,
    Spending,
    Task,
    Trainee,
    YearReport,
)

PLAN_CODE = "64-KH-UBND-2021"
ORDER: list[type[models.Model]] = [
    Activity,
    Activity.tasks.through,
    Spending,
    Trainee,
    InspectionMember,
    Recommendation,
]
# Provincial agencies that log activities, with how many (relative): the lead department
# most, then the women's union. Social assistance facilities: two of the four run activities.
PROVINCIAL = {
    "so-ldtbxh": 6.0,
    "so-noi-vu": 6.0,
    "hoi-lhpn-tinh": 5.0,
    "so-vhttdl": 2.0,
    "tinh-doan": 2.0,
    "so-y-te": 1.5,
    "so-gd-dt": 1.5,
    "ldld-tinh": 1.5,
    "ubmttq-tinh": 1.0,
    "hoi-nong-dan-tinh": 1.0,
    "cong-an-tinh": 1.0,
    "so-tt-tt": 1.0,
    "so-tu-phap": 0.5,
    "thong-ke-tinh": 0.3,
    "ctxh-tinh": 1.0,
    "btxh-tinh": 0.5,
}
COMMUNE_SHARE = 0.6
# Trainings of people who work on violence (not of survivors or perpetrators): DV-04.
STAFF_TOPICS = {"general", "model_staff", "trainers", "service_providers"}
# Yearly reports: most by the plan's deadline (10 December), some late, a few never.
REPORTS = [("on_time", 0.80), ("late", 0.12), ("missing", 0.08)]
MODEL_KINDS = [
    ("trusted_address", 0.45),
    ("men_pioneers", 0.15),
    ("safe_school", 0.12),
    ("safe_city", 0.08),
    ("disability_club", 0.08),
    ("other", 0.12),
]


@dataclass
class Doer:
    """An agency that logs activities, where, and who records them."""

    agency: Agency
    reporter: int
    commune: Commune | None  # a commune committee's commune
    province: str
    reporter_is_demo: bool = False  # reporter1...: keeps the plan's last year open


def generate(
    rng: Rng, clock: Clock, geo: Geography, total: int, counts: Counter[str]
) -> Counter[tuple[str, int]] | None:
    """Models, activities, budget lines and yearly reports; None when plan 64 is not loaded,
    else the people trained among staff, by province and year (for DV-04's estimate)."""
    plan = Plan.objects.filter(code=PLAN_CODE).first()
    if plan is None:
        return None
    with transaction.atomic():
        doers = _doers(rng, geo, counts)
        models = _models(rng, geo, doers, counts)
    trained = _activities(rng, clock, geo, plan, doers, models, total, counts)
    with transaction.atomic():
        _year_reports(rng, clock, plan, doers, counts)
    return trained


def _doers(rng: Rng, geo: Geography, counts: Counter[str]) -> list[Doer]:
    """The commune committees of the scale and Hưng Yên's provincial agencies that log
    activities, each with a reporter (the demo's where there is one, else a synthetic one)."""
    found = Agency.objects.filter(
        kind=Agency.Kind.COMMUNE_COMMITTEE, place_id__in=list(geo.by_id), valid_to__isnull=True
    )
    committees = {a.place_id: a for a in sorted(found, key=lambda a: a.code, reverse=True)}
    provincial = (
        {a.code: a for a in Agency.objects.filter(code__in=list(PROVINCIAL))}
        if HUNG_YEN in geo.provinces
        else {}
    )
    pairs: list[tuple[Agency, Commune | None, str]] = [
        (committees[c.unit.id], c, c.province) for c in geo.communes if c.unit.id in committees
    ]
    pairs += [(provincial[code], None, HUNG_YEN) for code in PROVINCIAL if code in provincial]
    reporters = (
        Membership.objects.filter(role=Role.PROGRAMME_REPORTER, agency__in=[p[0] for p in pairs])
        .exclude(user__username__startswith="syn-")
        .values_list("user__username", "agency_id", "user_id")
    )
    # The demo's reporters (reporter1...) record their agencies' activities: the first by name.
    named = {agency: user for _, agency, user in sorted(reporters, reverse=True)}
    specs = [UserSpec(f"syn-{a.code}-r1", a, Role.PROGRAMME_REPORTER) for a, _, _ in pairs]
    ids = ensure_users(rng, specs, counts)
    return [
        Doer(
            agency,
            named.get(agency.pk) or ids[f"syn-{agency.code}-r1"],
            commune,
            province,
            reporter_is_demo=agency.pk in named,
        )
        for agency, commune, province in pairs
    ]


def _models(
    rng: Rng, geo: Geography, doers: list[Doer], counts: Counter[str]
) -> dict[int | None, list[CommunityModel]]:
    """About 85 % of communes keep at least one model (a third of those two), founded
    2021-2025; most are active, a few paused or closed."""
    taken = set(CommunityModel.objects.values_list("name", flat=True))
    new = []
    for doer in doers:
        if doer.commune is None or not rng.chance(0.85):
            continue
        for _ in range(2 if rng.chance(0.33) else 1):
            kind = rng.weighted(MODEL_KINDS)
            name = texts.model_name(rng, kind, doer.commune.unit.name)
            # Most models were set up (or first recorded) early in the plan.
            year = rng.weighted(
                [(2021, 0.4), (2022, 0.25), (2023, 0.15), (2024, 0.12), (2025, 0.08)]
            )
            founded = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
            total = rng.randint(8, 40)
            status = rng.weighted([("active", 0.9), ("paused", 0.06), ("closed", 0.04)])
            if name in taken:
                continue
            taken.add(name)
            new.append(
                CommunityModel(
                    kind=kind,
                    name=name,
                    place_id=doer.commune.unit.id,
                    agency=doer.agency,
                    founded_on=founded,
                    status=status,
                    members_total=total,
                    members_female=round(total * rng.uniform(0.5, 0.85)),
                    updated_at=dt.datetime.combine(founded, dt.time(9), tzinfo=tz()),
                )
            )
    CommunityModel.objects.bulk_create(new, batch_size=1000)
    counts[CommunityModel._meta.label] += len(new)
    # Active models by host agency; under None every one, for provincial agencies' visits.
    by_agency: dict[int | None, list[CommunityModel]] = defaultdict(list)
    for model in sorted(CommunityModel.objects.filter(status="active"), key=lambda m: m.name):
        by_agency[model.agency_id].append(model)
        by_agency[None].append(model)
    return by_agency


class Assigned:
    """The services' "agency_not_assigned" check, computed in memory for the whole plan."""

    def __init__(self, plan: Plan):
        rows = list(Task.objects.filter(plan=plan).values_list("pk", "code", "parent_id"))
        self.by_code = {code: pk for pk, code, _ in rows}
        parent = {pk: parent for pk, _, parent in rows}
        children: dict[int, list[int]] = defaultdict(list)
        for pk, parent_id in parent.items():
            if parent_id:
                children[parent_id].append(pk)
        self.reach: dict[int, set[int]] = {}
        for pk in parent:
            found, node = {pk}, parent[pk]
            while node:
                found.add(node)
                node = parent[node]
            stack = list(children[pk])
            while stack:
                child = stack.pop()
                found.add(child)
                stack.extend(children[child])
            self.reach[pk] = found
        self.on_task: dict[int, list[tuple[int | None, str]]] = defaultdict(list)
        for task_id, agency_id, group in Assignment.objects.filter(task__plan=plan).values_list(
            "task_id", "agency_id", "group"
        ):
            self.on_task[task_id].append((agency_id, group))
        self.heir_of: dict[int, set[int]] = defaultdict(set)
        for source, target in DutyTransfer.objects.values_list("from_agency_id", "to_agency_id"):
            self.heir_of[target].add(source)

    def __call__(self, agency: Agency, task_ids: list[int]) -> bool:
        mine = {agency.pk} | self.heir_of[agency.pk]
        return any(
            agency_id in mine or group == agency.kind
            for task_id in task_ids
            for reached in self.reach[task_id]
            for agency_id, group in self.on_task[reached]
        )


def _months(clock: Clock, plan: Plan) -> list[tuple[dt.date, dt.date, float]]:
    """Months of the plan's period up to yesterday, weighted: action months bring more."""
    season = {1: 0.6, 2: 0.6, 6: 1.6, 11: 1.8, 12: 1.4}
    months = []
    day = plan.period_start.replace(day=1)
    last = min(plan.period_end, clock.today - dt.timedelta(days=1))
    while day <= last:
        following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        end = min(following - dt.timedelta(days=1), last)
        start = max(day, plan.period_start)
        trend = 1 + 0.3 * (day.year - plan.period_start.year)
        months.append((start, end, season.get(day.month, 1.0) * trend * ((end - start).days + 1)))
        day = following
    return months


def _activities(rng, clock, geo, plan, doers, models, total, counts) -> Counter[tuple[str, int]]:
    """Activities month by month (each month one transaction); returns the participants of
    staff trainings by province and year."""
    trained: Counter[tuple[str, int]] = Counter()
    months = _months(clock, plan)
    if not months or not doers:
        return trained
    assigned = Assigned(plan)
    tasks = dict(assigned.by_code)
    locked = set(
        YearReport.objects.filter(plan=plan, status=YearReportStatus.SUBMITTED).values_list(
            "agency_id", "year"
        )
    )
    successors = {a.pk: a for a in Agency.objects.filter(predecessors__isnull=False).distinct()}
    weights = []
    commune_doers = sum(1 for d in doers if d.commune is not None)
    provincial_weight = sum(PROVINCIAL.get(d.agency.code, 0) for d in doers if d.commune is None)
    for doer in doers:
        if doer.commune is not None:
            busy = 3.0 if doer.commune.busy and len(geo.communes) > 20 else 1.0
            weights.append(COMMUNE_SHARE * busy / commune_doers)
        else:
            weights.append((1 - COMMUNE_SHARE) * PROVINCIAL[doer.agency.code] / provincial_weight)
    who = Table(doers, weights)
    partners = sorted(
        {d.agency for d in doers if d.commune is None} | set(successors.values()),
        key=lambda a: a.code,
    )
    spent: Counter[tuple[int, int, str]] = Counter()
    reporters = {d.agency.pk: d.reporter for d in doers}
    made = 0
    for (first, end, _), count in zip(
        months, split_exactly(total, [w for *_, w in months]), strict=True
    ):
        batch = Batch(ORDER)
        for _ in range(count):
            day = first + dt.timedelta(days=rng.randint(0, (end - first).days))
            doer = who.pick(rng)
            agency = doer.agency
            if agency.valid_to is not None and day > agency.valid_to:
                agency = successors.get(agency.successor_id, agency)
            if not agency.is_valid_on(day) or (agency.pk, day.year) in locked:
                continue
            made += 1
            activity = texts.activity(
                rng,
                clock,
                plan,
                doer,
                agency,
                day,
                geo,
                tasks,
                partial(assigned, agency),
                models,
                partners,
                made,
            )
            if activity is None:
                continue
            row, task_ids, extras = activity
            row.created_by_id = row.updated_by_id = reporters.get(agency.pk, doer.reporter)
            row.flags = [] if assigned(agency, task_ids) else ["agency_not_assigned"]
            batch.add(row)
            for task_id in task_ids:
                batch.add(Activity.tasks.through(activity=row, task_id=task_id))
            for extra in extras:
                batch.add(extra)
                if isinstance(extra, Spending):
                    spent[(agency.pk, day.year, extra.source)] += extra.amount
            if row.kind == "training" and row.topic in STAFF_TOPICS:
                trained[(doer.province, day.year)] += row.participants_total
        with transaction.atomic():
            batch.flush(counts)
    _budget(
        rng,
        plan,
        spent,
        {d.agency.pk: d.agency.code for d in doers} | {a.pk: a.code for a in partners},
        counts,
    )
    return trained


def _budget(
    rng: Rng, plan: Plan, spent: Counter[tuple[int, int, str]], codes: dict[int, str], counts
) -> None:
    """Budget lines for what was spent: most allocations cover the spending, some fall short."""
    existing = set(BudgetLine.objects.filter(plan=plan).values_list("agency_id", "year", "source"))
    lines = []
    for (agency_id, year, source), amount in sorted(
        spent.items(), key=lambda item: (codes[item[0][0]], *item[0][1:])
    ):
        ratio = rng.uniform(1.0, 1.35) if rng.chance(0.88) else rng.uniform(0.8, 0.98)
        allocated = math.ceil(amount * ratio / 1_000_000) * 1_000_000
        planned = math.ceil(allocated * rng.uniform(1.0, 1.25) / 1_000_000) * 1_000_000
        if (agency_id, year, source) in existing:
            continue
        lines.append(
            BudgetLine(
                plan=plan,
                agency_id=agency_id,
                year=year,
                source=source,
                planned=planned,
                allocated=allocated,
            )
        )
    with transaction.atomic():
        BudgetLine.objects.bulk_create(lines, batch_size=1000)
    counts[BudgetLine._meta.label] += len(lines)


def _year_reports(rng: Rng, clock: Clock, plan: Plan, doers: list[Doer], counts) -> None:
    """Yearly reports of the plan's years whose deadline has passed. The demo reporters'
    agencies leave the plan's last year open, so that the demo can still record activities
    in it (a submitted report freezes them)."""
    existing = set(YearReport.objects.filter(plan=plan).values_list("agency_id", "year"))
    demo = {d.agency.pk for d in doers if d.reporter_is_demo}
    reports = []
    for year in range(plan.period_start.year, plan.period_end.year + 1):
        due = dt.date(year, plan.report_due_month or 12, plan.report_due_day or 10)
        if due >= clock.today:
            continue
        for doer in doers:
            agency = doer.agency
            fate = rng.weighted(REPORTS)
            if fate == "on_time":
                day = due - dt.timedelta(days=rng.randint(0, 24))
            else:
                day = due + dt.timedelta(days=rng.randint(1, 40))
            at = clock.at(min(day, clock.today - dt.timedelta(days=1)), rng.uniform(8, 17) * 3600)
            if fate == "missing" or (agency.pk, year) in existing:
                continue
            if not agency.is_valid_on(dt.date(year, 12, 31)):
                continue  # dissolved: its heir reports
            if agency.pk in demo and year == plan.period_end.year:
                continue
            reports.append(
                YearReport(
                    plan=plan,
                    agency=agency,
                    year=year,
                    status=YearReportStatus.SUBMITTED,
                    submitted_by_id=doer.reporter,
                    submitted_at=at,
                )
            )
    _submissions(plan, reports, counts)


def _submissions(plan: Plan, reports: list[YearReport], counts) -> None:
    """Write the yearly reports with the reporting cycle's side of them: each agency's report,
    accepted, with the figures its records give, so that the boards and the consolidated
    reports of past years show what the indicators count. Written with ``insert_rows`` (COPY
    on PostgreSQL): ``bulk_create`` spent minutes quoting the figures' JSON at national scale."""
    from antoan.reports.models import Submission, SubmissionEvent

    rows = _submission_rows(plan, reports)
    with transaction.atomic():
        if reports:
            insert_rows(YearReport, reports)
        if rows:
            insert_rows(Submission, rows)
            insert_rows(
                SubmissionEvent,
                [
                    SubmissionEvent(
                        submission=sub, action="submit", actor_id=sub.submitted_by_id, late=sub.late
                    )
                    for sub in rows
                ],
            )
    counts[YearReport._meta.label] += len(reports)
    counts[Submission._meta.label] += len(rows)


def _submission_rows(plan: Plan, reports: list[YearReport]) -> list:
    """The accepted submissions of ``reports`` (unsaved; their reports get the cycle's
    period)."""
    from antoan.reports import prefill
    from antoan.reports.models import Submission
    from antoan.reports.services import ensure_cycles
    from antoan.reports.template import sections_of

    if plan.parent_id is not None or plan.status != "published":
        return []
    ensure_cycles(plan)
    cycles = {c.year: c for c in plan.report_cycles.all()}
    required = {
        (link.cycle_id, link.agency_id)
        for link in plan.report_cycles.model.agencies.through.objects.filter(cycle__plan=plan)
    }
    taken = set(Submission.objects.filter(cycle__plan=plan).values_list("cycle_id", "agency_id"))
    due = [
        (cycles[r.year], r)
        for r in reports
        if r.year in cycles
        and (cycles[r.year].pk, r.agency_id) in required
        and (cycles[r.year].pk, r.agency_id) not in taken
    ]
    # Each cycle's figures for all its reporting agencies at once (prefill.recorded_figures
    # per agency was seven queries each: minutes at national scale).
    by_cycle: dict[int, set[int]] = defaultdict(set)
    for cycle, report in due:
        by_cycle[cycle.pk].add(report.agency_id)
    figures = {
        cycle.pk: prefill.recorded_figures_many(cycle, by_cycle[cycle.pk])
        for cycle in cycles.values()
        if cycle.pk in by_cycle
    }
    rows = []
    for cycle, report in due:
        recorded = figures[cycle.pk][report.agency_id]
        text = texts.REPORT_NARRATIVE
        rows.append(
            Submission(
                cycle=cycle,
                agency_id=report.agency_id,
                status="accepted",
                narratives={s["key"]: text for s in sections_of(cycle.template)},
                figures=prefill.editable_figures(recorded),
                recorded=recorded,
                recorded_at=report.submitted_at,
                template_version=cycle.template_version,
                created_by_id=report.submitted_by_id,
                updated_by_id=report.submitted_by_id,
                submitted_by_id=report.submitted_by_id,
                submitted_at=report.submitted_at,
                first_submitted_at=report.submitted_at,
                late=report.submitted_at.date() > cycle.due_date,
                accepted_at=report.submitted_at + dt.timedelta(days=3),
            )
        )
        report.period_start, report.period_end = cycle.period_start, cycle.period_end
    return rows


def place_on(geo: Geography, doer: Doer, day: dt.date, rng: Rng) -> Unit:
    """Where an activity took place: the agency's commune (an old one before 1/7/2025) or
    its province; today's unit where the old one is not loaded."""
    province = geo.provinces[doer.province]
    if doer.commune is not None:
        if day >= NEW_ERA:
            return doer.commune.unit
        old: Unit | None = doer.commune.pick_old(rng)
        return old or province.old or doer.commune.unit
    if rng.chance(0.2):
        commune = geo.spread.pick(rng)
        unit = commune.on(day, commune.pick_old(rng))
        if unit is not None and commune.province == doer.province:
            return unit
    return province.today if day >= NEW_ERA else province.old or province.today
