"""The course of a case after intake: assessment, plan, follow-ups, consent withdrawn,
closure, and the stage history and timeline that follow from what happened.

Assessments for ~80 % (within five days), case plans for ~60 %, follow-ups for ~50 %. Most
cases close some weeks after their last activity (a median of about two months after
opening), a few stay open for long; 4 % of closures are first returned by the supervisor.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from antoan.cases import rules
from antoan.cases.models import (
    Assessment,
    CaseEvent,
    CasePlan,
    CasePlanItem,
    CaseStageChange,
    ClosureRequest,
    FollowUp,
    SafetyPlan,
)
from antoan.indicators.synthetic import names, people
from antoan.indicators.synthetic.common import unsaved

if TYPE_CHECKING:
    from antoan.indicators.synthetic.cases import CaseBuilder

CLOSURE_CHECKLIST = dict.fromkeys(rules.CLOSURE_CHECKLIST, True)


def assessment_and_plan(b: CaseBuilder) -> None:
    """An assessment for ~80 % (within 5 days), a case plan for ~60 %."""
    rng, case = b.rng, b.case
    if not rng.chance(0.80):
        return
    at = b.start + min(max(rng.hours(30, 1.0), dt.timedelta(minutes=20)), dt.timedelta(days=5))
    answers = people.risk_answers(rng, case.risk_level)
    level = rules.compute_risk(answers=answers, immediate_danger=case.immediate_danger)
    if not b.past(at):
        return
    b.assessed_at = at
    b.batch.add(
        unsaved(
            Assessment,
            case=case,
            needs=list(case.needs),
            answers=answers,
            immediate_danger=case.immediate_danger,
            risk_level=level,
            notes=rng.choice(names.ASSESSMENT_NOTES) if rng.chance(0.6) else "",
            assessed_at=at,
            assessed_by_id=b.worker,
        )
    )
    case.risk_level = rules.max_risk(case.risk_level, level)
    data = {
        "risk_level": level,
        "needs": list(case.needs),
        "immediate_danger": case.immediate_danger,
    }
    b.event(at, b.worker, "assessed", data, "assessment")
    if case.risk_level in ("high", "immediate") and rng.chance(0.6):
        written = at + dt.timedelta(minutes=rng.randint(10, 90))
        if b.past(written):
            b.batch.add(
                unsaved(
                    SafetyPlan,
                    case=case,
                    content=rng.choice(names.SAFETY_PLANS),
                    created_at=written,
                    created_by_id=b.worker,
                )
            )
            b.event(written, b.worker, "safety_plan_added", {})
    if not case.needs or not rng.chance(0.85):
        return
    planned = at + rng.days(0.05, 7)
    if not b.past(planned):
        return
    b.plan_at = planned
    plan = unsaved(
        CasePlan,
        case=case,
        goals=rng.choice(names.PLAN_GOALS),
        created_at=planned,
        created_by_id=b.worker,
    )
    b.batch.add(plan)
    for need in case.needs:
        provider = b.routes.get(need)
        item = unsaved(
            CasePlanItem,
            plan=plan,
            service=need,
            responsible_agency_id=provider.agency_id if provider else b.owner.agency_id,
            due_on=b.clock.local_day(planned) + dt.timedelta(days=rng.randint(3, 30)),
            status="pending",
        )
        b.plan_items[need] = item
        b.batch.add(item)
    b.event(planned, b.worker, "case_plan_added", {"services": list(case.needs)}, "case_plan")


def follow_ups(b: CaseBuilder) -> None:
    """Follow-ups for ~50 %: one to three, a few weeks apart."""
    rng = b.rng
    if not rng.chance(0.5):
        return
    day = b.clock.local_day(b.plan_at or b.assessed_at or b.start)
    day += dt.timedelta(days=rng.randint(7, 40))
    count = rng.choice((1, 1, 2, 2, 3))
    for index in range(count):
        written = b.clock.at(day, rng.uniform(8, 17) * 3600)
        if not b.past(written):
            return
        method = rng.weighted(
            [("phone", 0.5), ("home_visit", 0.35), ("office", 0.1), ("other", 0.05)]
        )
        following = day + dt.timedelta(days=rng.randint(14, 45))
        b.batch.add(
            unsaved(
                FollowUp,
                case=b.case,
                done_on=day,
                method=method,
                notes=rng.choice(names.FOLLOW_UP_NOTES) if rng.chance(0.7) else "",
                next_due=following if index < count - 1 or rng.chance(0.3) else None,
                created_by_id=b.worker,
                created_at=written,
            )
        )
        data = {"method": method, "done_on": day.isoformat()}
        b.event(written, b.worker, "followed_up", data, "follow_up")
        day = following


def withdrawal(b: CaseBuilder) -> None:
    """~2 % of those who consented to statistics withdraw it later."""
    rng = b.rng
    if not b.reporting or not rng.chance(0.02):
        return
    at = b.start + rng.days(2, 90)
    if not b.past(at):
        return
    b.reporting_consent.withdrawn_at = at
    b.reporting_consent.withdrawn_by_id = b.worker
    b.reporting = False
    for incident in b.incidents:
        incident.consent_statistics = False
    b.event(at, b.worker, "consent_withdrawn", {"purpose": "reporting"})


def closure(b: CaseBuilder) -> None:
    """Most cases close a few weeks to months after their last activity; a few stay open."""
    rng = b.rng
    if b.frozen or rng.chance(0.03):
        return
    target = b.opened_at + rng.hours(24 * 60, 0.7)
    requested = max(target, b.last + rng.days(1, 20))
    supervisor = b.owner.supervisor(rng)
    if rng.chance(0.04):
        returned = requested + rng.hours(18, 0.8)
        closure_request(b, requested, returned, supervisor, approved=False)
        requested = returned + rng.days(2, 10)
    b.closure_at = requested
    closure_request(b, requested, requested + rng.hours(18, 0.8), supervisor, approved=True)


def closure_request(b: CaseBuilder, requested, decided, supervisor: int, *, approved: bool) -> None:
    if not b.past(requested):
        return
    done = b.past(decided)
    b.batch.add(
        unsaved(
            ClosureRequest,
            case=b.case,
            reason=b.rng.choice(names.CLOSURE_REASONS),
            checklist=CLOSURE_CHECKLIST,
            requested_at=requested,
            requested_by_id=b.worker,
            decision=("approved" if approved else "returned") if done else "pending",
            decided_at=decided if done else None,
            decided_by_id=supervisor if done else None,
            comment="" if approved or not done else b.rng.choice(names.RETURN_COMMENTS),
        )
    )
    b.event(requested, b.worker, "closure_requested", {"reason": "closure"}, "closure_requested")
    if done:
        stage = "closed" if approved else "returned"
        b.event(decided, supervisor, "closure_decided", {"approved": approved}, stage)
        if approved:
            b.case.closed_at = decided


def finish(b: CaseBuilder) -> None:
    """Stage history, timeline versions and the case's final state, from the events."""
    case = b.case
    b.events.sort(key=lambda e: e[0])  # stable: the opening events keep their order
    stage, before_request = "intake", "intake"
    version = 0
    for at, actor, kind, data, target in b.events:
        new = _next_stage(stage, target, before_request)
        if new != stage:
            if new == "closure_requested":
                before_request = stage
            b.batch.add(
                unsaved(
                    CaseStageChange,
                    case=case,
                    from_stage=stage,
                    to_stage=new,
                    changed_at=at,
                    changed_by_id=actor,
                    reason="closure" if new == "closure_requested" else "",
                )
            )
            stage = new
        if kind is None:
            continue  # a stage reached without a timeline event (services delivered)
        version += 1
        b.batch.add(
            unsaved(
                CaseEvent, case=case, at=at, actor_id=actor, kind=kind, version=version, data=data
            )
        )
    case.stage = stage
    case.status = "closed" if stage == "closed" else "open"
    if case.status != "closed":
        case.closed_at = None
    case.version = version
    case.updated_at = b.events[-1][0]
    if b.reporting and b.first.gbv_type != "non_gbv":
        # GBV-01 counts survivors of GBV who consent to statistics, by the year of opening.
        b.ctx.consenting[(b.commune.province, b.open_day.year)] += 1


FORWARD = ["intake", "reopened", "assessment", "case_plan", "services", "follow_up"]


def _next_stage(stage: str, target: str | None, before_request: str) -> str:
    """The stage after an event, by the services' rules (see cases.services.records)."""
    if target is None or stage == "closed":
        return stage
    if target == "closure_requested":
        return target
    if target == "closed":
        return "closed" if stage == "closure_requested" else stage
    if target == "returned":
        return before_request if stage == "closure_requested" else stage
    if target == "follow_up" and stage not in ("case_plan", "services"):
        return stage
    if stage in FORWARD and FORWARD.index(stage) < FORWARD.index(target):
        return target
    return stage
