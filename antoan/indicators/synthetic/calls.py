"""Hotline calls: about 1.3 for every case, 40 % of them the call a case was opened from.

The other calls give information, counsel on the phone, refer or send the police. They come
mostly in the evening and at night, from every commune of the province (one in seven callers
does not say where), and cluster in time like the cases do.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from antoan.hotline.models import Call, CallNotification
from antoan.indicators.synthetic import names, people
from antoan.indicators.synthetic.common import NEW_ERA, START, Batch, unsaved

if TYPE_CHECKING:
    from antoan.indicators.synthetic.cases import CaseBuilder, Context

CALLS_PER_CASE = 1.3
CATEGORIES = [
    ("dv", 0.30),
    ("gbv", 0.14),
    ("child_abuse", 0.08),
    ("trafficking", 0.02),
    ("information_request", 0.34),
    ("other", 0.12),
]
VIOLENCE = {"dv", "gbv", "child_abuse", "trafficking"}
CHANNELS = [("phone", 0.82), ("zalo", 0.08), ("sms", 0.04), ("walk_in", 0.04), ("letter", 0.02)]
CALLERS = [
    ("survivor", 0.45),
    ("relative", 0.20),
    ("neighbour", 0.15),
    ("official", 0.06),
    ("perpetrator", 0.02),
    ("other", 0.12),
]
OUTCOMES = [("phone_counselling", 0.55), ("referred", 0.33), ("information_given", 0.12)]


def _category(b: CaseBuilder) -> str:
    first = b.first
    if "trafficking" in first.contexts:
        return "trafficking"
    if b.person.child:
        return "child_abuse"
    return "dv" if first.dv_forms else "gbv"


def linked_call(b: CaseBuilder) -> None:
    """The call a hotline intake was opened from, minutes before the case."""
    rng = b.rng
    received = b.opened_at - dt.timedelta(minutes=rng.uniform(5, 45))
    duration = min(rng.hours(0.25, 0.5), b.opened_at - received + dt.timedelta(minutes=20))
    closed = b.opened_at + dt.timedelta(minutes=rng.uniform(2, 30))
    done = b.past(closed)
    day = b.clock.local_day(received)
    commune = b.commune_on(day)
    call = unsaved(
        Call,
        received_at=received,
        # Answered at once and over after its duration: a generated call is never left in the
        # live queue (no extra random draw, so the rest of the data stays the same).
        answered_at=received,
        ended_at=received + duration,
        channel=rng.weighted([c for c in CHANNELS if c[0] != "letter"]),
        operator_id=b.creator,
        agency_id=b.desk.hotline.agency_id,
        caller_type=rng.weighted([c for c in CALLERS if c[0] != "perpetrator"]),
        anonymous=False,
        commune_id=commune.id if commune else None,
        category=_category(b),
        summary=rng.choice(names.CALL_SUMMARIES[_category(b)]),
        immediate_danger=b.case.immediate_danger,
        outcome="case_opened",
        duration_seconds=int(duration.total_seconds()),
        status="closed" if done else "open",
        closed_at=closed if done else None,
        case=b.case,
        version=3 if done else 2,
        created_at=received,
        updated_at=closed if done else b.opened_at,
    )
    b.batch.add(call)
    b.ctx.linked_calls += 1
    if call.immediate_danger:
        _notices(b.ctx, b.batch, call, b.committee.agency_id, b.desk.police_agency_id)


def _notices(ctx: Context, batch: Batch, call: Call, commune_agency, police_agency) -> None:
    """Who was told about a call in immediate danger: the police and the commune chair."""
    at = call.received_at
    for role, agency in (("police", police_agency), ("commune_chair", commune_agency)):
        at = at + dt.timedelta(minutes=ctx.rng.uniform(2, 12))
        if not ctx.clock.past(at):
            return
        batch.add(
            unsaved(
                CallNotification,
                call=call,
                agency_id=agency,
                person_name="" if agency else "Chủ tịch UBND xã",
                role=role,
                method="phone",
                notified_at=at,
                notified_by_id=call.operator_id,
                created_at=at,
            )
        )


def unlinked_calls(ctx: Context, batch: Batch, moments: list[dt.datetime], linked: int) -> None:
    """The chunk's other calls, near the chunk's cases in time, so that calls number about
    1.3 a case; communes not yet named by a recent record come first (so every commune of
    the demo shows up somewhere)."""
    rng, clock, geo = ctx.rng, ctx.clock, ctx.geo
    wanted = round(CALLS_PER_CASE * len(moments)) - linked
    unseen = [c for c in geo.communes if c.unit.id not in ctx.seen]
    for _ in range(max(wanted, 0)):
        near = clock.local_day(rng.choice(moments)) + dt.timedelta(days=rng.randint(-3, 3))
        day = min(max(near, START), clock.today - dt.timedelta(days=1))
        received = clock.at(day, people.time_of_day(rng, office=False))
        commune = geo.spread.pick(rng)
        named = rng.chance(0.85)  # one caller in seven does not say where
        if day >= NEW_ERA and unseen and rng.chance(0.5):
            commune, named = unseen.pop(0), True
        desk = ctx.world.desks[commune.province]
        unit = commune.on(day, commune.pick_old(rng)) if named else None
        if unit is not None and unit.id == commune.unit.id:
            ctx.seen.add(unit.id)
        category = rng.weighted(CATEGORIES)
        danger = category in VIOLENCE and rng.chance(0.09)  # ~5 % of all calls, with linked ones
        if danger:
            outcome = "police_dispatched"
        elif category in VIOLENCE:
            outcome = rng.weighted(OUTCOMES)
        else:
            outcome = "referred" if rng.chance(0.1) else "information_given"
        duration = rng.hours(0.12, 0.7)
        closed = received + duration + dt.timedelta(minutes=rng.uniform(1, 20))
        done = clock.past(closed) and (
            received < clock.cutoff - dt.timedelta(days=2) or rng.chance(0.6)
        )
        call = unsaved(
            Call,
            received_at=received,
            answered_at=received,
            ended_at=received + duration,
            channel=rng.weighted(CHANNELS),
            operator_id=rng.choice(desk.operators),
            agency_id=desk.hotline.agency_id,
            caller_type=rng.weighted(CALLERS),
            anonymous=rng.chance(0.3),
            commune_id=unit.id if unit else None,
            category=category,
            summary=rng.choice(names.CALL_SUMMARIES[category]) if rng.chance(0.9) else "",
            immediate_danger=danger,
            outcome=outcome if done or rng.chance(0.5) else "",
            duration_seconds=int(duration.total_seconds()),
            status="closed" if done else "open",
            closed_at=closed if done else None,
            version=2 if done else 1,
            created_at=received,
            updated_at=closed if done else received,
        )
        batch.add(call)
        if danger:
            committee = ctx.world.communes[commune.unit.id].agency_id if unit else None
            _notices(ctx, batch, call, committee, desk.police_agency_id)
