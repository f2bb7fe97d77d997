"""Cases: the survivor, what happened, consent, and the case's course from intake to closure.

Openings are spread over 2021-01-01 → yesterday with a gentle upward trend and the bumps of
the DV action month (June) and the GBV action month (15/11-15/12). Every case is simulated
forward from its opening (transfer, assessment, plan, services, follow-ups, closure); what
would happen after the cutoff is not written, so recent cases are open at the stage they have
reached, and every timestamp is in the past.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from antoan.cases import rules
from antoan.cases.models import (
    Assessment,
    Case,
    CaseEvent,
    CaseNumberSequence,
    CasePlan,
    CasePlanItem,
    CaseStageChange,
    CaseTransfer,
    ClosureRequest,
    Consent,
    FollowUp,
    Incident,
    Perpetrator,
    ProtectionMeasure,
    SafetyPlan,
    SearchToken,
    Survivor,
)
from antoan.core.crypto import blind_index, name_tokens, phone_index
from antoan.hotline.models import Call, CallNotification
from antoan.indicators.synthetic import names, people
from antoan.indicators.synthetic.common import (
    START,
    Batch,
    Clock,
    Rng,
    split_exactly,
    unsaved,
)
from antoan.indicators.synthetic.geography import Commune, Geography, Unit
from antoan.indicators.synthetic.world import Desk, ProviderRef, Staff, World
from antoan.referrals.models import Referral, ReferralEvent, ServiceDelivery

# Foreign-key order of the rows a chunk writes.
ORDER = [
    Survivor,
    SearchToken,
    Case,
    CaseEvent,
    CaseStageChange,
    Incident,
    Perpetrator,
    Consent,
    Assessment,
    SafetyPlan,
    CasePlan,
    CasePlanItem,
    FollowUp,
    ProtectionMeasure,
    ClosureRequest,
    CaseTransfer,
    Referral,
    ReferralEvent,
    ServiceDelivery,
    Call,
    CallNotification,
]

# Relative number of cases opened in each month of the year: the DV action month (June), the
# GBV action month (15/11-15/12) and fewer around Tết.
SEASON = {1: 0.9, 2: 0.8, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.3, 7: 1.05, 8: 1.0, 9: 1.0, 10: 1.05}
SEASON |= {11: 1.35, 12: 1.3}
TREND = 0.6  # the last month has 60 % more cases than the first, other things equal
WEEKDAY = (1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 0.5)


@dataclass
class Context:
    """What the chunk writers share: the draws, the clock, the map, the world, the counters."""

    rng: Rng
    clock: Clock
    geo: Geography
    world: World
    prefix: str
    numbers: dict[int, int]  # year → last case number given
    counts: Counter[str] = field(default_factory=Counter)
    # (province code, year) → cases whose survivor consents to statistics (for the estimates).
    consenting: Counter[tuple[str, int]] = field(default_factory=Counter)
    # Today's communes named by a record dated from 1/7/2025 (the demo shows every commune).
    seen: set[int] = field(default_factory=set)
    linked_calls: int = 0  # calls cases were opened from, so far
    audit: Any = None  # an audit.AuditWriter: the chunk's audit events, sealed on the chain


def month_weights(clock: Clock) -> list[tuple[dt.date, dt.date, float]]:
    """(first day, last day, weight) of every month from January 2021 to yesterday's month."""
    months = []
    day = START
    last_day = clock.today - dt.timedelta(days=1)
    while day <= last_day:
        following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        end = min(following - dt.timedelta(days=1), last_day)
        months.append((day, end))
        day = following
    total = len(months)
    weighted = []
    for index, (first, end) in enumerate(months):
        days = (end - first).days + 1  # all of it, or up to yesterday in the current month
        trend = 1 + TREND * index / max(total - 1, 1)
        weighted.append((first, end, trend * SEASON[first.month] * days))
    return weighted


# Who takes the case: the commune's People's Committee itself (~38 %), the committee after a
# hotline intake and transfer (~32 %), the provincial hotline (~20 %), the women's union (~10 %).
ROUTES = [("commune", 0.385), ("transfer", 0.315), ("hotline", 0.20), ("womens_union", 0.10)]


@dataclass(frozen=True)
class Month:
    """A month of openings: its days, how many cases, and the case number before its first."""

    first: dt.date
    end: dt.date
    count: int
    number: int  # the year's last case number before this month's cases

    @property
    def key(self) -> str:
        return f"{self.first:%Y-%m}"


def months(clock: Clock, total: int, numbers: dict[int, int]) -> list[Month]:
    """The months from January 2021 to yesterday's with their share of ``total`` openings, and
    where each month's case numbers start (after ``numbers``, the numbers given before the
    run): known in advance, so that the months can be generated in any order, or at once."""
    weighted = month_weights(clock)
    given = dict(numbers)
    out = []
    for (first, end, _), count in zip(
        weighted, split_exactly(total, [w for *_, w in weighted]), strict=True
    ):
        out.append(Month(first, end, count, given.get(first.year, 0)))
        given[first.year] = given.get(first.year, 0) + count
    return out


def openings(rng: Rng, clock: Clock, month: Month) -> list[tuple[dt.datetime, str]]:
    """The month's (opening moment, route), in time order. Hotline intakes come at the
    hotline's hours, the others mostly in office hours."""
    span = (month.end - month.first).days
    moments = []
    for _ in range(month.count):
        route = rng.weighted(ROUTES)
        while True:
            day = month.first + dt.timedelta(days=rng.randint(0, span))
            if route in ("hotline", "transfer") or rng.random() < WEEKDAY[day.weekday()]:
                break
        office = route not in ("hotline", "transfer") and rng.chance(0.85)
        moments.append((clock.at(day, people.time_of_day(rng, office=office)), route))
    return sorted(moments)


class CaseBuilder:
    """One case and everything recorded about it, appended to the chunk's batch."""

    def __init__(self, ctx: Context, batch: Batch, opened_at: dt.datetime, route: str):
        self.ctx, self.batch, self.rng, self.clock = ctx, batch, ctx.rng, ctx.clock
        self.opened_at, self.route = opened_at, route
        self.open_day = self.clock.local_day(opened_at)
        self.commune: Commune = ctx.geo.pick(self.rng)
        self.old_home: Unit | None = self.commune.pick_old(self.rng)
        self.desk: Desk = ctx.world.desks[self.commune.province]
        self.committee: Staff = ctx.world.communes[self.commune.unit.id]
        # (when, who, timeline kind or None for a stage alone, data, stage it moves to)
        self.events: list[tuple[dt.datetime, int, str | None, dict[str, Any], str | None]] = []
        self.last = opened_at  # the latest thing that happened in the case
        self.dv = False
        self.consent_services = self.reporting = True
        # Who holds the case and works it (set by _route and _responsibility).
        self.owner: Staff = self.committee
        self.via_hotline = self.transfer = self.frozen = False
        self.start = opened_at  # when the agency holding it took it on
        self.creator = self.worker = 0
        self.risk = "low"
        # What happened (set as the case unfolds; see course.py and care.py).
        self.incidents: list[Incident] = []
        self.second: tuple[people.IncidentKind, dt.date, dt.datetime] | None = None
        self.routes: dict[str, ProviderRef | None] = {}
        self.assessed_at: dt.datetime | None = None
        self.plan_at: dt.datetime | None = None
        self.plan_items: dict[str, CasePlanItem] = {}
        # Referrals still sent or accepted, with the time of their last step.
        self.open_referrals: list[tuple[Referral, dt.datetime]] = []
        self.closure_at: dt.datetime | None = None

    # --- helpers ---------------------------------------------------------------------------

    def past(self, moment: dt.datetime | None) -> bool:
        return self.clock.past(moment)

    def event(
        self, at: dt.datetime, actor: int, kind: str | None, data: dict, stage: str | None = None
    ) -> None:
        """A timeline event (and the stage it moves the case to), if it happened by now."""
        if self.past(at):
            self.events.append((at, actor, kind, data, stage))
            self.last = max(self.last, at)

    def commune_on(self, day: dt.date) -> Unit | None:
        unit = self.commune.on(day, self.old_home)
        if unit is not None and unit.id == self.commune.unit.id:
            self.ctx.seen.add(unit.id)
        return unit

    # --- the case --------------------------------------------------------------------------

    def build(self) -> Case:
        from antoan.indicators.synthetic import care, course
        from antoan.indicators.synthetic.calls import linked_call

        self._route()
        self.person = people.survivor_profile(self.rng, self.open_day)
        self.survivor = self._survivor()
        self.case = self._case()
        self._incidents()
        self._consents()
        self._responsibility()
        self.routes = care.routes(self)
        if not self.frozen:
            course.assessment_and_plan(self)
            care.services(self)
            if self.dv:
                care.measures(self)
            self._second_incident()
            course.follow_ups(self)
        course.withdrawal(self)
        self._counted_first()
        course.closure(self)
        care.finish_referrals(self)
        course.finish(self)
        if self.via_hotline:
            linked_call(self)
        return self.case

    def _route(self) -> None:
        """Whose case it is (see ``ROUTES``)."""
        route, desk = self.route, self.desk
        self.via_hotline = route in ("hotline", "transfer")
        self.transfer = route == "transfer"
        owners = {"commune": self.committee, "womens_union": desk.womens_union}
        self.owner = owners.get(route, desk.hotline)

    def _survivor(self) -> Survivor:
        p, rng = self.person, self.rng
        residence = self.commune_on(self.open_day)
        place_name = (residence or self.commune.unit).name
        full_name = names.full_name(rng, p.sex, young=p.age < 30)
        other = rng.choice(names.NICKNAMES) if rng.chance(0.05) else ""
        phone = names.phone_number(rng) if rng.chance(0.68 if p.age >= 16 else 0.1) else ""
        guardian = names.full_name(rng, "female") if p.child else ""
        survivor = unsaved(
            Survivor,
            full_name=full_name,
            other_names=other,
            date_of_birth=p.date_of_birth.isoformat() if p.date_of_birth else "",
            phone=phone,
            address=names.address(rng, place_name) if rng.chance(0.85) else "",
            guardian_name=guardian,
            guardian_phone=names.phone_number(rng) if guardian and rng.chance(0.7) else "",
            sex=p.sex,
            birth_year=p.birth_year,
            age_at_intake=p.age_at_intake,
            ethnicity=rng.weighted(names.ETHNICITIES) if rng.chance(0.9) else "",
            disability=p.disability,
            marital_status=p.marital_status,
            occupation=rng.choice(names.OCCUPATIONS) if rng.chance(0.6) and not p.child else "",
            commune_id=residence.id if residence else None,
            created_at=self.opened_at,
            name_index=blind_index(full_name, purpose="name"),
            phone_index=phone_index(phone),
        )
        self.batch.add(survivor)
        for digest in sorted(name_tokens(full_name) | name_tokens(other)):
            self.batch.add(unsaved(SearchToken, survivor=survivor, digest=digest))
        return survivor

    def _case(self) -> Case:
        rng, ctx = self.rng, self.ctx
        year = self.open_day.year
        ctx.numbers[year] = ctx.numbers.get(year, 0) + 1
        immediate = rng.chance(0.05)
        self.risk = "immediate" if immediate else rng.weighted(people.RISK_AT_INTAKE)
        if self.via_hotline:
            self.creator = rng.choice(self.desk.operators)
            source = "hotline"
        else:
            self.creator = self.owner.worker(rng)
            source = people.source(rng, womens_union=self.owner is self.desk.womens_union)
        case = unsaved(
            Case,
            number=f"{ctx.prefix}-{year}-{ctx.numbers[year]:06d}",
            survivor=self.survivor,
            agency_id=self.owner.agency_id,
            assigned_to_id=None if self.via_hotline else self.creator,
            risk_level=self.risk,
            immediate_danger=immediate,
            source=source,
            needs=[],
            opened_at=self.opened_at,
            created_by_id=self.creator,
            synthetic=True,
        )
        self.batch.add(case)
        return case

    def _incidents(self) -> None:
        rng, p = self.rng, self.person
        lag = 0 if self.via_hotline or rng.chance(0.75) else rng.randint(1, 5)
        reported = self.open_day - dt.timedelta(days=lag)
        occurred = reported - dt.timedelta(days=people.reporting_delay(rng))
        if not p.born_on(occurred):  # a baby: nothing happened before birth
            occurred = reported = self.open_day
        kind = people.incident_kind(rng, p)
        self.first = self._incident(kind, occurred, reported, self.opened_at)
        self.event(self.opened_at, self.creator, "incident_added", _summary(kind, occurred))
        self.case.needs = people.needs(rng, p, kind, self.risk)
        if rng.chance(0.10):
            # A second incident, later: most often the same violence again.
            again = kind if rng.chance(0.7) else people.incident_kind(rng, p)
            occurred2 = occurred + dt.timedelta(days=rng.randint(15, 200))
            recorded = self.clock.at(
                occurred2 + dt.timedelta(days=rng.randint(0, 3)), rng.uniform(8, 17) * 3600
            )
            self.second = (again, occurred2, recorded)

    def _incident(
        self,
        kind: people.IncidentKind,
        occurred: dt.date,
        reported: dt.date,
        recorded: dt.datetime,
    ) -> Incident:
        rng = self.rng
        self.dv = self.dv or kind.dv
        commune = self.commune_on(occurred)
        incident = unsaved(
            Incident,
            case=self.case,
            gbv_type=kind.gbv_type,
            dv_forms=kind.dv_forms,
            contexts=kind.contexts,
            occurred_on=occurred,
            commune_id=commune.id if commune else None,
            first_reported_on=reported,
            description=rng.choice(names.DESCRIPTIONS[kind.gbv_type]).format(
                who=names.PERPETRATOR_WORDS[kind.perpetrators[0].relationship]
            )
            if rng.chance(0.7)
            else "",
            consent_statistics=True,  # settled by _consents and _withdrawal
            created_at=recorded,
            created_by_id=self.creator,
        )
        self.batch.add(incident)
        for person in kind.perpetrators:
            self.batch.add(
                unsaved(
                    Perpetrator,
                    incident=incident,
                    sex=person.sex,
                    age_group=person.age_group,
                    relationship=person.relationship,
                    occupation=rng.choice(names.PERPETRATOR_OCCUPATIONS) if rng.chance(0.4) else "",
                )
            )
        self.incidents.append(incident)
        return incident

    def _consents(self) -> None:
        rng, p = self.rng, self.person
        self.consent_services = rng.chance(0.97)
        self.reporting = rng.chance(0.88)
        given_by = "guardian" if p.child else "survivor"
        agreed = True if p.child and p.age_known >= rules.CHILD_OWN_CONSENT_AGE else None
        method = (
            "phone"
            if self.via_hotline and rng.chance(0.7)
            else rng.choice(("verbal", "verbal", "written"))
        )
        for purpose, granted in (
            ("services", self.consent_services),
            ("reporting", self.reporting),
        ):
            consent = unsaved(
                Consent,
                case=self.case,
                purpose=purpose,
                granted=granted,
                given_by=given_by,
                child_agreed=agreed,
                method=method,
                given_at=self.opened_at,
                recorded_by_id=self.creator,
            )
            self.batch.add(consent)
            if purpose == "reporting":
                self.reporting_consent = consent
        data = {
            "services": self.consent_services,
            "reporting": self.reporting,
            "given_by": given_by,
        }
        # case_open writes these three first, in this order (versions 1, 2, 3).
        self.events.insert(0, (self.opened_at, self.creator, "consent_recorded", data, None))
        self.events.insert(
            0,
            (
                self.opened_at,
                self.creator,
                "opened",
                {"stage": "intake", "risk_level": self.risk, "source": self.case.source},
                None,
            ),
        )
        for incident in self.incidents:
            incident.consent_statistics = self.reporting

    def _counted_first(self) -> None:
        """The incident that counts the survivor, as ``Incident.save`` keeps it: the first one
        recorded with statistics consent (the batch writes a case's incidents in this order)."""
        first = next((i for i in self.incidents if i.consent_statistics), None)
        for incident in self.incidents:
            incident.counted_first = incident is first

    def _responsibility(self) -> None:
        """Hotline intakes are left unassigned for the hotline's supervisors, who assign a case
        worker or transfer the case to the commune's People's Committee."""
        rng = self.rng
        self.worker = self.creator
        if not self.via_hotline:
            return
        hotline = self.desk.hotline
        self.worker = hotline.supervisor(rng)  # until someone is assigned
        if self.transfer:
            asked = self.opened_at + rng.hours(5, 0.8)
            decided = asked + rng.hours(20, 0.8)
            worker = self.committee.worker(rng)
            decider = self.committee.supervisor(rng)
            if not self.past(asked):
                self.transfer = False
                return
            accepted = self.past(decided)
            self.batch.add(
                unsaved(
                    CaseTransfer,
                    case=self.case,
                    from_agency_id=hotline.agency_id,
                    to_agency_id=self.committee.agency_id,
                    reason="Người bị bạo lực cư trú tại địa phương; chuyển để hỗ trợ tại chỗ.",
                    requested_at=asked,
                    requested_by_id=self.worker,
                    status="accepted" if accepted else "pending",
                    decided_at=decided if accepted else None,
                    decided_by_id=decider if accepted else None,
                )
            )
            data = {"to_agency": self.committee.agency_id}
            self.event(asked, self.worker, "transfer_requested", data)
            if not accepted:
                self.frozen = True  # nothing more happens until the commune accepts
                return
            self.event(decided, decider, "transfer_decided", {"accepted": True, **data})
            self.owner = self.committee
            self.case.agency_id, self.case.assigned_to_id = self.committee.agency_id, worker
            self.start, self.worker = decided, worker
            return
        assigned = self.opened_at + rng.hours(3, 1.0)
        if self.past(assigned) and rng.chance(0.9):
            supervisor = self.worker
            self.worker = hotline.worker(rng)
            self.case.assigned_to_id = self.worker
            self.event(assigned, supervisor, "updated", {"fields": ["assigned_to"]})
            self.start = assigned

    def _second_incident(self) -> None:
        if self.second is None:
            return
        kind, occurred, recorded = self.second
        if not self.past(recorded) or self.clock.local_day(recorded) < occurred:
            return
        reported = self.clock.local_day(recorded)
        incident = self._incident(kind, occurred, reported, recorded)
        incident.consent_statistics = self.reporting
        incident.created_by_id = self.worker
        self.event(recorded, self.worker, "incident_added", _summary(kind, occurred))


def _summary(kind: people.IncidentKind, occurred: dt.date) -> dict[str, Any]:
    """The timeline's record of an incident: codes and numbers only, as incident_add writes."""
    return {
        "gbv_type": kind.gbv_type,
        "occurred_on": occurred.isoformat(),
        "perpetrators": len(kind.perpetrators),
    }


def month_context(base: Context, seed: int, month: Month) -> Context:
    """A month's own context: its own draws (``cases/<YYYY-MM>``, ``audit/<YYYY-MM>``), its
    numbers and counters, so that a month writes the same whichever process writes it and
    whatever was written before."""
    if base.audit is not None:
        base.audit.rng = Rng(seed, f"audit/{month.key}")
    return Context(
        rng=Rng(seed, f"cases/{month.key}"),
        clock=base.clock,
        geo=base.geo,
        world=base.world,
        prefix=base.prefix,
        numbers={month.first.year: month.number},
        audit=base.audit,
    )


def write_month(base: Context, seed: int, month: Month, *, chunk: int, progress=None) -> Context:
    """Generate the month's cases in time order and write them ``chunk`` at a time, each chunk
    in its own transaction with the case number counter it advanced. Returns the month's
    context (its counters)."""
    from antoan.indicators.synthetic.calls import unlinked_calls

    ctx = month_context(base, seed, month)
    batch = Batch(ORDER)
    moments: list[dt.datetime] = []
    linked_before = ctx.linked_calls
    for opened_at, route in openings(ctx.rng, ctx.clock, month):
        CaseBuilder(ctx, batch, opened_at, route).build()
        moments.append(opened_at)
        if len(moments) == chunk:
            unlinked_calls(ctx, batch, moments, ctx.linked_calls - linked_before)
            _flush(ctx, batch)
            if progress:
                progress(len(moments))
            batch, moments, linked_before = Batch(ORDER), [], ctx.linked_calls
    if moments:
        unlinked_calls(ctx, batch, moments, ctx.linked_calls - linked_before)
        _flush(ctx, batch)
        if progress:
            progress(len(moments))
    return ctx


# What the worker processes share with their parent (set before the fork; see write_cases).
_SHARED: dict[str, Any] = {}


def _month_in_worker(index: int) -> tuple[int, Counter[str], Counter[tuple[str, int]]]:
    base, seed, chunk, month = (
        _SHARED["base"],
        _SHARED["seed"],
        _SHARED["chunk"],
        _SHARED["months"][index],
    )
    ctx = write_month(base, seed, month, chunk=chunk)
    return month.count, ctx.counts, ctx.consenting


def write_cases(
    base: Context, seed: int, total: int, *, chunk: int, progress=None, workers: int = 1
) -> None:
    """Generate ``total`` cases month by month, ``workers`` months at a time (processes of
    their own on PostgreSQL: each month's draws, numbers and ids are its own, and each chunk
    seals its audit events onto the chain under the head's lock). Adds the months' counters
    to ``base``'s."""
    from django.db import connection, connections

    plan = [m for m in months(base.clock, total, base.numbers) if m.count]
    for month in plan:
        year = month.first.year
        base.numbers[year] = max(base.numbers.get(year, 0), month.number + month.count)
    # Every year's counter exists before the months run, so that each chunk only raises it.
    for year in sorted({m.first.year for m in plan}):
        CaseNumberSequence.objects.get_or_create(
            prefix=base.prefix, year=year, defaults={"last": 0}
        )
    parallel = (
        workers > 1
        and len(plan) > 1
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )
    if not parallel:
        for month in plan:
            ctx = write_month(base, seed, month, chunk=chunk, progress=progress)
            base.counts.update(ctx.counts)
            base.consenting.update(ctx.consenting)
        return
    import multiprocessing

    # In time order, so that a run stopped half-way holds a history up to some month.
    order = list(range(len(plan)))
    _SHARED.update(base=base, seed=seed, chunk=chunk, months=plan)
    connections.close_all()  # each process opens its own
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for count, counts, consenting in pool.imap_unordered(_month_in_worker, order, 1):
                base.counts.update(counts)
                base.consenting.update(consenting)
                if progress:
                    progress(count)
    finally:
        _SHARED.clear()


def _flush(ctx: Context, batch: Batch) -> None:
    from django.db import connection, reset_queries, transaction

    from antoan.cases.services.common import counted_place_refresh

    def bulk_load() -> None:
        if connection.vendor == "postgresql":
            # A bulk load: a crash means starting again from a fresh database anyway, so the
            # commit need not wait for the disk (the database stays consistent either way).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO off")

    with transaction.atomic():
        bulk_load()
        written = batch.flush(ctx.counts)
        # Where the statistics count the chunk's incidents, as the case services keep it.
        counted_place_refresh(
            Incident.objects.filter(pk__in=[row.pk for row in written.get(Incident, [])])
        )
        for year, last in sorted(ctx.numbers.items()):
            # Only ever raised: another process may have written a later month of the year.
            CaseNumberSequence.objects.filter(prefix=ctx.prefix, year=year, last__lt=last).update(
                last=last
            )
    if ctx.audit is not None:
        # The chunk's audit events, after its rows: sealed in a short transaction of their own
        # (the chain head's lock is held only while the sequence numbers and hashes are
        # given), then written in another, so that two processes do not wait on each other
        # while the database checks foreign keys or copies events.
        events = ctx.audit.events(written)
        with transaction.atomic():
            bulk_load()
            ctx.audit.seal(events)
        with transaction.atomic():
            bulk_load()
            ctx.audit.insert(events, ctx.counts)
    reset_queries()  # with DEBUG on, Django keeps every statement: bulk inserts are long


def first_numbers(prefix: str) -> dict[int, int]:
    """The last case number given in each year so far (generated ones continue after it)."""
    return dict(CaseNumberSequence.objects.filter(prefix=prefix).values_list("year", "last"))
