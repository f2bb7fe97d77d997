"""Help for the survivor: services given directly or through referrals, protection measures.

About 87 % of the cases that need help and consent to services receive at least one; the
first is recorded a log-normal time after the case's agency takes it on (median about a day).
A referral is answered a few hours after it is sent (log-normal, by urgency), most are
delivered and then closed by the sender; some are declined or revoked, a few stall until
the case closes. What would happen after the cutoff is not written, so recent referrals are
still sent or accepted.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from antoan.cases.models import ProtectionMeasure
from antoan.indicators.synthetic import names
from antoan.indicators.synthetic.common import ceil_minute, unsaved
from antoan.indicators.synthetic.world import ProviderRef
from antoan.referrals.models import Referral, ReferralEvent, ServiceDelivery
from antoan.referrals.rules import due_at

if TYPE_CHECKING:
    from antoan.indicators.synthetic.cases import CaseBuilder

SERVED = 0.92
OTHER_NEEDS_SERVED = 0.75
FIRST_SERVICE_MEDIAN_HOURS = 12.0
# Share of each need the case's own agency meets itself rather than by referral.
DIRECT = {
    "commune": {"psychosocial": 0.45, "legal": 0.2, "safety": 0.6, "social_assistance": 0.7},
    "hotline": {"psychosocial": 1.0, "legal": 0.2, "safety": 0.3, "social_assistance": 1.0},
    "womens_union": {"psychosocial": 0.8, "legal": 0.3, "safety": 0.4, "social_assistance": 0.3},
}
NEVER_DIRECT = {"health", "shelter"}
# Which providers a need is referred to, by agency code prefix, and how often. Providers not
# named here get no referrals for it: two of Hưng Yên's four social assistance facilities run
# no GBV work at all (GE-03 counts those that do).
PREFERENCE = {
    "health": [("bv-da-khoa", 1.0)],
    "psychosocial": [("ctxh", 5.0), ("hoi-lhpn", 2.0), ("bv-da-khoa", 1.0), ("btxh-tinh", 1.0)],
    "legal": [("tro-giup-phap-ly", 8.0), ("cong-an", 1.0)],
    "safety": [("cong-an", 1.0)],
    "shelter": [("nha-tam-lanh", 3.0), ("btxh-tinh", 1.0), ("dctc", 0.5)],
    "social_assistance": [("btxh-tinh", 3.0), ("ctxh", 2.0)],
    "livelihood": [("hoi-lhpn", 1.0)],
}
Step = tuple[dt.datetime, int | None, str]  # when, who (None: the escalation job), what
FATES = [("delivered", 0.87), ("declined", 0.08), ("revoked", 0.02), ("stalled", 0.03)]
ANSWER_MEDIAN_HOURS = {"immediate": 0.75, "high": 5.0, "normal": 12.0}
# (type, share of DV cases, deciding body); Law 13/2022 Art. 23.
MEASURES = [
    ("no_contact_commune", 0.30, "commune_chair"),
    ("education", 0.55, "commune_chair"),
    ("preventive", 0.10, "police"),
    ("stop_violence", 0.15, "commune_chair"),
    ("medical", 0.15, "other"),
    ("legal_aid", 0.12, "other"),
    ("summon", 0.10, "commune_chair"),
    ("community_criticism", 0.05, "commune_chair"),
    ("shelter", 0.04, "other"),
    ("no_contact_court", 0.02, "court"),
]


def _owner_kind(b: CaseBuilder) -> str:
    if b.owner is b.desk.hotline:
        return "hotline"
    if b.owner is b.desk.womens_union:
        return "womens_union"
    return "commune"


def routes(b: CaseBuilder) -> dict[str, ProviderRef | None]:
    """For each need, the provider it will be referred to, or None (the agency helps itself)."""
    kind = _owner_kind(b)
    chosen: dict[str, ProviderRef | None] = {}
    for need in b.case.needs:
        direct = 0.0 if need in NEVER_DIRECT else DIRECT[kind].get(need, 1.0)
        chosen[need] = None if b.rng.chance(direct) else _provider(b, need)
    return chosen


def _provider(b: CaseBuilder, need: str) -> ProviderRef | None:
    rng, commune = b.rng, b.commune.unit.id
    if need == "health":
        centre = b.desk.health_centres.get(commune)
        if centre is not None and rng.chance(0.6):
            return centre
    candidates = [p for p in b.desk.providers.get(need, []) if p.agency_id != b.owner.agency_id]
    weighted = []
    for provider in candidates:
        weight = next(
            (w for prefix, w in PREFERENCE.get(need, []) if provider.code.startswith(prefix)), 0.0
        )
        if need == "shelter" and provider.code.startswith("dctc") and provider.place_id == commune:
            weight = 6.0  # the commune's own trusted address first
        if weight:
            weighted.append((provider, weight))
    return rng.weighted(weighted) if weighted else None


def services(b: CaseBuilder) -> None:
    """Services for the case's needs, if the survivor consents to services."""
    rng = b.rng
    if not b.case.needs or not b.consent_services:
        return
    served = rng.chance(SERVED)
    first = b.start + max(rng.hours(FIRST_SERVICE_MEDIAN_HOURS, 1.1), dt.timedelta(minutes=15))
    for index, need in enumerate(b.case.needs):
        if index and not rng.chance(OTHER_NEEDS_SERVED):
            continue
        provider = b.routes[need]
        at = first if index == 0 else first + rng.hours(72, 0.9)
        if not served:
            # An unmet need: sometimes the referral that was tried was declined.
            if provider is not None and rng.chance(0.2):
                _referral(b, need, provider, at, fate="declined")
            continue
        if provider is None:
            _direct(b, need, at)
        else:
            _referral(b, need, provider, at)


def _delivered(b: CaseBuilder, need: str, at: dt.datetime) -> None:
    b.last = max(b.last, at)
    item = b.plan_items.get(need)
    if item is not None and b.plan_at is not None and at > b.plan_at:
        item.status = "done"
        b.event(at, b.worker, None, {}, "services")  # a stage, no timeline event


def _direct(b: CaseBuilder, need: str, at: dt.datetime) -> None:
    if not b.past(at):
        return
    b.batch.add(
        unsaved(
            ServiceDelivery,
            case=b.case,
            service=need,
            delivered_on=b.clock.local_day(at),
            description=b.rng.choice(names.DELIVERY_TEXTS[need]),
            agency_id=b.owner.agency_id,
            recorded_by_id=b.worker,
            recorded_at=at,
        )
    )
    _delivered(b, need, at)


def _urgency(b: CaseBuilder) -> str:
    risk = b.case.risk_level
    if risk == "immediate":
        return "immediate"
    if b.rng.chance(0.7 if risk == "high" else 0.15):
        return "high"
    return "normal"


def _referral(
    b: CaseBuilder, need: str, provider: ProviderRef, deliver_at: dt.datetime, fate: str = ""
) -> None:
    rng = b.rng
    sent = max(b.start + dt.timedelta(minutes=10), deliver_at - rng.hours(20, 0.8))
    urgency = _urgency(b)
    answered = sent + rng.hours(ANSWER_MEDIAN_HOURS[urgency], 1.1)
    # A late answer delays the service, it does not hurry the answer.
    deliver_at = max(deliver_at, answered + rng.hours(3, 0.8))
    fate = fate or rng.weighted(FATES)
    closes = rng.chance(0.75)
    closed = (deliver_at if fate == "delivered" else answered) + rng.hours(96, 0.8)
    recipient = rng.choice(provider.staff)
    note = rng.choice(names.REFERRAL_NOTES)
    if not b.past(sent):
        return
    referral = unsaved(
        Referral,
        case=b.case,
        provider_id=provider.id,
        from_agency_id=b.owner.agency_id,
        to_agency_id=provider.agency_id,
        service=need,
        urgency=urgency,
        note=note,
        status="sent",
        sent_at=sent,
        sent_by_id=b.worker,
        due_at=due_at(urgency=urgency, sent_at=sent),
    )
    b.batch.add(referral)
    steps: list[Step] = [(sent, b.worker, "sent")]
    if fate == "revoked":
        steps.append((sent + rng.hours(10, 0.8), b.worker, "revoked"))
    else:
        steps.append((answered, recipient, "declined" if fate == "declined" else "accepted"))
        if fate == "delivered":
            steps.append((deliver_at, recipient, "delivered"))
        if closes and fate in ("delivered", "declined"):
            steps.append((closed, b.worker, "closed"))
    escalation = referral.due_at + dt.timedelta(minutes=rng.randint(1, 10))
    if steps[1][0] > escalation:
        steps.insert(1, (escalation, None, "escalated"))
    _apply(b, referral, steps, until=b.clock.cutoff)
    b.last = max([b.last, *(at for at, _, _ in steps if b.past(at))])
    if referral.status in ("sent", "accepted"):
        b.open_referrals.append((referral, max(at for at, _, _ in steps if b.past(at))))


def _apply(b: CaseBuilder, referral: Referral, steps: list[Step], *, until: dt.datetime) -> None:
    """Walk the referral through its steps that happened before ``until``."""
    for at, actor, kind in steps:
        if at >= until:
            return
        before = referral.status if kind != "sent" else ""
        if kind == "escalated":
            referral.escalated_at = at
        elif kind in ("accepted", "declined"):
            referral.answered_at, referral.answered_by_id = at, actor
            if kind == "declined":
                referral.decline_reason = b.rng.choice(names.DECLINE_REASONS)
        elif kind == "delivered":
            description = b.rng.choice(names.DELIVERY_TEXTS[referral.service])
            referral.delivered_on = b.clock.local_day(at)
            referral.delivered_by_id = actor
            referral.delivery_description = description
            b.batch.add(
                unsaved(
                    ServiceDelivery,
                    case=b.case,
                    service=referral.service,
                    delivered_on=referral.delivered_on,
                    description=description,
                    agency_id=referral.to_agency_id,
                    referral=referral,
                    recorded_by_id=actor or referral.sent_by_id,
                    recorded_at=at,
                )
            )
            _delivered(b, referral.service, at)
        elif kind == "closed":
            referral.closed_at = at
        elif kind == "revoked":
            referral.revoked_at = at
            referral.revoke_reason = b.rng.choice(names.REVOKE_REASONS)
        if kind not in ("sent", "escalated"):
            referral.status = kind
            referral.version += 1  # every answer of the services raises it; "sent" is 1
        b.batch.add(
            unsaved(
                ReferralEvent,
                referral=referral,
                at=at,
                actor_id=actor,
                kind=kind,
                from_status=before,
                to_status=referral.status,
            )
        )


def finish_referrals(b: CaseBuilder) -> None:
    """Referrals still open when the case's closure is asked for are revoked just before."""
    closure = b.closure_at
    for referral, latest in b.open_referrals:
        if closure is None or not b.past(closure):
            continue
        revoke = max(latest + dt.timedelta(minutes=30), closure - b.rng.hours(4, 0.5))
        if revoke >= closure:
            revoke = latest + (closure - latest) / 2
        _apply(b, referral, [(revoke, b.worker, "revoked")], until=closure)


def measures(b: CaseBuilder) -> None:
    """Protection measures of a DV case: requested after intake, decided by the law's body."""
    rng = b.rng
    for measure_type, share, body in MEASURES:
        if not rng.chance(share):
            continue
        if measure_type == "no_contact_commune":
            requested = b.start + rng.hours(10, 1.0)
            late = rng.chance(0.12)
            decided = requested + dt.timedelta(
                hours=rng.uniform(13, 40) if late else rng.uniform(0.5, 11.5)
            )
        else:
            late = False
            requested = b.start + rng.hours(48, 1.0)
            days = (
                rng.uniform(3, 20)
                if body == "court"
                else rng.hours(24, 1.0).total_seconds() / 86400
            )
            decided = requested + dt.timedelta(days=days)
        refused = rng.chance(0.10 if measure_type == "no_contact_commune" else 0.03)
        if not b.past(requested):
            continue
        measure = unsaved(
            ProtectionMeasure,
            case=b.case,
            type=measure_type,
            deciding_body=body,
            requested_at=requested,
            created_by_id=b.worker,
        )
        b.batch.add(measure)
        b.event(requested, b.worker, "measure_requested", {"type": measure_type})
        if not b.past(decided):
            continue  # still pending
        measure.decision = "refused" if refused else "granted"
        measure.decided_at = decided
        measure.late_reason = rng.choice(names.LATE_REASONS) if late else ""
        if refused:
            measure.refusal_reason = rng.choice(names.REFUSAL_REASONS)
        elif measure_type in ("no_contact_commune", "no_contact_court", "education"):
            measure.starts_at = ceil_minute(decided)
            length = {"no_contact_commune": (1, 3), "no_contact_court": (30, 110)}
            low, high = length.get(measure_type, (30, 90))
            measure.ends_at = measure.starts_at + dt.timedelta(days=rng.randint(low, high))
        data = {"type": measure_type, "decision": measure.decision, "late": late}
        b.event(decided, b.worker, "measure_decided", data)
