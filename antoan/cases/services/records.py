"""Records added to a case: incidents, consents, assessments, plans, follow-ups, notes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency, Membership
from antoan.cases import choices as c
from antoan.cases import facts, rules
from antoan.cases.models import (
    Assessment,
    Case,
    CaseNote,
    CasePlan,
    CasePlanItem,
    Consent,
    FollowUp,
    Incident,
    Perpetrator,
    SafetyPlan,
    counted_first_refresh,
)
from antoan.cases.services.common import (
    advance,
    choice,
    choices_of,
    commune_on,
    lock,
    now,
    require_edit,
    writable,
)


def _today() -> dt.date:
    return timezone.localdate(now())


def _authorised(actor: Any, case: Case, membership: Membership | None) -> Membership:
    """``membership`` when the caller (case_open) already authorised the write."""
    if membership is not None:
        lock(case)
        return membership
    return require_edit(actor, case)


def _stage_after(case: Case, target: str) -> dict[str, str]:
    """Move forward to ``target`` unless the case is already past it (or closing)."""
    order: list[str] = [
        c.Stage.INTAKE,
        c.Stage.REOPENED,
        c.Stage.ASSESSMENT,
        c.Stage.CASE_PLAN,
        c.Stage.SERVICES,
        c.Stage.FOLLOW_UP,
    ]
    if case.stage in order and order.index(case.stage) < order.index(target):
        return {"stage": target}
    return {}


# --- Incidents ------------------------------------------------------------------------------


@dataclass
class PerpetratorInput:
    sex: str
    age_group: str
    relationship: str
    occupation: str = ""
    details: str = ""


@dataclass
class IncidentInput:
    occurred_on: dt.date
    first_reported_on: dt.date
    gbv_type: str | None = None
    acts: Sequence[str] = ()
    dv_forms: Sequence[str] = ()
    contexts: Sequence[str] = ()
    commune: str | None = None  # a commune code valid on occurred_on (pre-2025 accepted)
    description: str = ""
    consent_statistics: bool | None = None
    perpetrators: Sequence[PerpetratorInput] = field(default_factory=list)


@transaction.atomic
def incident_add(
    *,
    case: Case,
    actor: Any,
    incident: IncidentInput,
    version: int | None = None,
    request: Any = None,
    _membership: Membership | None = None,
) -> Incident:
    """Record an incident, classified by the GBVIMS ordered rule when acts are given."""
    membership = _authorised(actor, case, _membership)
    writable(case)
    survivor = case.survivor
    rules.check_incident_dates(
        occurred_on=incident.occurred_on,
        first_reported_on=incident.first_reported_on,
        today=_today(),
        date_of_birth=dt.date.fromisoformat(survivor.date_of_birth)
        if survivor.date_of_birth
        else None,
        birth_year=survivor.birth_year,
    )
    gbv_type = _incident_type(incident)
    commune = (
        commune_on(incident.commune, on=incident.occurred_on, field="commune")
        if incident.commune
        else None
    )
    if incident.consent_statistics is None:
        statistics = _current_grant(case, c.ConsentPurpose.REPORTING)
    else:
        statistics = incident.consent_statistics
    record = Incident(
        case=case,
        gbv_type=gbv_type,
        dv_forms=choices_of(incident.dv_forms, c.DvForm, "dv_forms"),
        contexts=choices_of(incident.contexts, c.Context, "contexts"),
        occurred_on=incident.occurred_on,
        commune=commune,
        first_reported_on=incident.first_reported_on,
        description=rules.clean_text(
            incident.description, field="description", max_length=10_000, multiline=True
        ),
        consent_statistics=statistics,
        created_by=actor,
    )
    record.full_clean()
    record.save()
    for index, person in enumerate(incident.perpetrators):
        Perpetrator.objects.create(
            incident=record,
            sex=choice(person.sex, c.Sex, f"perpetrators.{index}.sex"),
            age_group=choice(person.age_group, c.AgeGroup, f"perpetrators.{index}.age_group"),
            relationship=choice(
                person.relationship, c.Relationship, f"perpetrators.{index}.relationship"
            ),
            occupation=rules.clean_text(
                person.occupation, field=f"perpetrators.{index}.occupation", max_length=80
            ),
            details=rules.clean_text(
                person.details,
                field=f"perpetrators.{index}.details",
                max_length=2000,
                multiline=True,
            ),
        )
    advance(
        case,
        actor=actor,
        version=version,
        kind="incident_added",
        membership=membership,
        request=request,
        changed_fields=["incidents"],
        data={
            "gbv_type": gbv_type,
            "occurred_on": incident.occurred_on.isoformat(),
            "perpetrators": len(incident.perpetrators),
        },
    )
    return record


def _incident_type(incident: IncidentInput) -> str:
    if incident.acts:
        classified = rules.classify_gbv(incident.acts)
        if incident.gbv_type and incident.gbv_type != classified:
            raise ValidationError(
                {
                    "gbv_type": [
                        _(
                            "Loại bạo lực không khớp với các hành vi đã chọn (theo quy tắc "
                            "GBVIMS phải là %(type)s)."
                        )
                        % {"type": classified}
                    ]
                }
            )
        return classified
    if not incident.gbv_type:
        raise ValidationError({"gbv_type": [_("Chọn loại bạo lực hoặc các hành vi đã xảy ra.")]})
    return choice(incident.gbv_type, c.GbvType, "gbv_type")


# --- Consent --------------------------------------------------------------------------------


@dataclass
class ConsentInput:
    services: bool
    reporting: bool
    given_by: str = c.ConsentGivenBy.SURVIVOR
    child_agreed: bool | None = None
    method: str = c.ConsentMethod.VERBAL
    sharing_agencies: Sequence[Agency] = ()


def _current_grant(case: Case, purpose: str) -> bool:
    latest = (
        Consent.objects.filter(case=case, purpose=purpose, withdrawn_at__isnull=True)
        .order_by("-given_at", "-pk")
        .first()
    )
    return bool(latest and latest.granted)


@transaction.atomic
def consent_record(
    *,
    case: Case,
    actor: Any,
    consent: ConsentInput,
    version: int | None = None,
    request: Any = None,
    _membership: Membership | None = None,
) -> list[Consent]:
    """Record the survivor's (or guardian's) decision for each purpose; it replaces earlier."""
    membership = _authorised(actor, case, _membership)
    age = _survivor_age(case)
    choice(consent.given_by, c.ConsentGivenBy, "given_by")
    choice(consent.method, c.ConsentMethod, "method")
    decisions = [
        (c.ConsentPurpose.SERVICES, consent.services),
        (c.ConsentPurpose.REPORTING, consent.reporting),
    ]
    if consent.sharing_agencies:
        decisions.append((c.ConsentPurpose.SHARING, True))
    for _purpose, granted in decisions:
        rules.check_consent_giver(
            age=age, given_by=consent.given_by, child_agreed=consent.child_agreed, granted=granted
        )
    moment = now()
    records = []
    for purpose, granted in decisions:
        record = Consent.objects.create(
            case=case,
            purpose=purpose,
            granted=granted,
            given_by=consent.given_by,
            child_agreed=consent.child_agreed,
            method=consent.method,
            given_at=moment,
            recorded_by=actor,
        )
        if purpose == c.ConsentPurpose.SHARING:
            record.agencies.set(consent.sharing_agencies)
        records.append(record)
    # The latest decision on statistics applies to every incident of the case: a refusal
    # takes them out of every figure computed afterwards, as a withdrawal does.
    changed = (
        Incident.objects.filter(case=case)
        .exclude(consent_statistics=consent.reporting)
        .update(consent_statistics=consent.reporting)
    )
    if changed:
        counted_first_refresh([case.pk])
        facts.refresh([case.pk])  # an update() sends no signal
    if changed and not consent.reporting:
        # A refusal: cached dashboard figures that still count the case are not served again.
        from antoan.indicators import figure_cache

        transaction.on_commit(figure_cache.forget)
    advance(
        case,
        actor=actor,
        version=version,
        kind="consent_recorded",
        membership=membership,
        request=request,
        changed_fields=["consents"],
        data={
            "services": consent.services,
            "reporting": consent.reporting,
            "given_by": consent.given_by,
        },
    )
    return records


@transaction.atomic
def consent_withdraw(
    *, case: Case, actor: Any, purpose: str, version: int | None = None, request: Any = None
) -> int:
    """Withdraw consent for a purpose, effective at once; returns how many were withdrawn."""
    membership = require_edit(actor, case)
    choice(purpose, c.ConsentPurpose, "purpose")
    moment = now()
    withdrawn = Consent.objects.filter(case=case, purpose=purpose, withdrawn_at__isnull=True)
    effects = _withdrawal_effects(case, purpose, withdrawn)
    count = withdrawn.update(withdrawn_at=moment, withdrawn_by=actor, withdrawal_effects=effects)
    if purpose == c.ConsentPurpose.REPORTING:
        # Statistics count only incidents whose survivor consents: stop counting at once.
        Incident.objects.filter(case=case).update(consent_statistics=False)
        counted_first_refresh([case.pk])
        facts.refresh([case.pk])  # an update() sends no signal
        # Cached dashboard figures that still count the case are not served again.
        from antoan.indicators import figure_cache

        transaction.on_commit(figure_cache.forget)
    advance(
        case,
        actor=actor,
        version=version,
        kind="consent_withdrawn",
        membership=membership,
        request=request,
        changed_fields=["consents"],
        data={"purpose": purpose},
    )
    return count


def _withdrawal_effects(case: Case, purpose: str, withdrawn: Any) -> dict[str, Any]:
    """What withdrawing ``purpose`` changes, as the consent ledger shows it (docs/cases.md).

    Statistics: the incidents that leave every figure. Services: the referrals still open
    (new ones need consent again, or an emergency override). Sharing: the agencies that were
    named, which stop receiving the survivor's phone, and the open referrals to them.
    """
    open_referrals = case.referrals.filter(status__in=["sent", "accepted"])
    if purpose == c.ConsentPurpose.REPORTING:
        counted = Incident.objects.filter(case=case, consent_statistics=True).count()
        return {"incidents_excluded": counted}
    if purpose == c.ConsentPurpose.SHARING:
        agencies = sorted(
            {a for a in withdrawn.values_list("agencies", flat=True) if a is not None}
        )
        referrals = open_referrals.filter(to_agency_id__in=agencies)
        return {
            "agencies": agencies,
            "open_referrals": sorted(referrals.values_list("pk", flat=True)),
        }
    return {"open_referrals": sorted(open_referrals.values_list("pk", flat=True))}


def _survivor_age(case: Case) -> int | None:
    from antoan.cases.services.intake import survivor_age

    return survivor_age(case.survivor, on=_today(), intake_on=timezone.localdate(case.opened_at))


# --- Assessments and plans ------------------------------------------------------------------


@transaction.atomic
def assessment_add(
    *,
    case: Case,
    actor: Any,
    needs: Sequence[str],
    answers: dict[str, bool],
    immediate_danger: bool = False,
    notes: str = "",
    version: int | None = None,
    request: Any = None,
) -> Assessment:
    """Assess needs and risk; the computed risk raises the case's level, never lowers it."""
    membership = require_edit(actor, case)
    writable(case)
    level = rules.compute_risk(answers=answers, immediate_danger=immediate_danger)
    record = Assessment.objects.create(
        case=case,
        needs=choices_of(needs, c.Need, "needs"),
        answers=dict(answers),
        immediate_danger=immediate_danger,
        risk_level=level,
        notes=rules.clean_text(notes, field="notes", max_length=10_000, multiline=True),
        assessed_at=now(),
        assessed_by=actor,
    )
    fields: dict[str, Any] = {
        # An assessment raises the case's risk, never lowers it: lowering is a deliberate
        # decision (case_update), not a side effect of a shorter questionnaire.
        "risk_level": rules.max_risk(case.risk_level, level),
        "immediate_danger": case.immediate_danger or immediate_danger,
        "needs": list(dict.fromkeys([*case.needs, *record.needs])),
        **_stage_after(case, c.Stage.ASSESSMENT),
    }
    advance(
        case,
        actor=actor,
        version=version,
        kind="assessed",
        membership=membership,
        request=request,
        fields=fields,
        data={"risk_level": level, "needs": record.needs, "immediate_danger": immediate_danger},
    )
    return record


@transaction.atomic
def safety_plan_add(
    *, case: Case, actor: Any, content: str, version: int | None = None, request: Any = None
) -> SafetyPlan:
    membership = require_edit(actor, case)
    writable(case)
    record = SafetyPlan.objects.create(
        case=case,
        content=rules.clean_text(
            content, field="content", max_length=10_000, multiline=True, required=True
        ),
        created_at=now(),
        created_by=actor,
    )
    advance(
        case,
        actor=actor,
        version=version,
        kind="safety_plan_added",
        membership=membership,
        request=request,
        changed_fields=["safety_plans"],
    )
    return record


@dataclass
class PlanItemInput:
    service: str
    responsible_agency: Agency
    due_on: dt.date


@transaction.atomic
def case_plan_add(
    *,
    case: Case,
    actor: Any,
    goals: str,
    items: Sequence[PlanItemInput],
    version: int | None = None,
    request: Any = None,
) -> CasePlan:
    """Plan with the survivor: goals and the services needed, who provides them, by when."""
    membership = require_edit(actor, case)
    writable(case)
    if not items:
        raise ValidationError({"items": [_("Kế hoạch cần ít nhất một dịch vụ.")]})
    plan = CasePlan.objects.create(
        case=case,
        goals=rules.clean_text(
            goals, field="goals", max_length=10_000, multiline=True, required=True
        ),
        created_at=now(),
        created_by=actor,
    )
    for index, item in enumerate(items):
        if item.due_on < timezone.localdate(case.opened_at):
            raise ValidationError(
                {f"items.{index}.due_on": [_("Hạn không thể trước ngày tiếp nhận.")]}
            )
        CasePlanItem.objects.create(
            plan=plan,
            service=choice(item.service, c.Need, f"items.{index}.service"),
            responsible_agency=item.responsible_agency,
            due_on=item.due_on,
        )
    advance(
        case,
        actor=actor,
        version=version,
        kind="case_plan_added",
        membership=membership,
        request=request,
        fields=_stage_after(case, c.Stage.CASE_PLAN),
        changed_fields=["case_plans"],
        data={"services": [i.service for i in items]},
    )
    return plan


@transaction.atomic
def follow_up_add(
    *,
    case: Case,
    actor: Any,
    done_on: dt.date,
    method: str,
    notes: str = "",
    next_due: dt.date | None = None,
    version: int | None = None,
    request: Any = None,
) -> FollowUp:
    membership = require_edit(actor, case)
    writable(case)
    if done_on > _today():
        raise ValidationError({"done_on": [_("Ngày theo dõi không thể ở tương lai.")]})
    if done_on < timezone.localdate(case.opened_at):
        raise ValidationError({"done_on": [_("Ngày theo dõi không thể trước ngày tiếp nhận.")]})
    if next_due is not None and next_due <= done_on:
        raise ValidationError({"next_due": [_("Lần theo dõi tiếp phải sau lần này.")]})
    record = FollowUp.objects.create(
        case=case,
        done_on=done_on,
        method=choice(method, c.FollowUpMethod, "method"),
        notes=rules.clean_text(notes, field="notes", max_length=10_000, multiline=True),
        next_due=next_due,
        created_by=actor,
    )
    advance(
        case,
        actor=actor,
        version=version,
        kind="followed_up",
        membership=membership,
        request=request,
        changed_fields=["follow_ups"],
        fields=_stage_after(case, c.Stage.FOLLOW_UP)
        if case.stage in (c.Stage.CASE_PLAN, c.Stage.SERVICES)
        else {},
        data={"method": method, "done_on": done_on.isoformat()},
    )
    return record


@transaction.atomic
def note_add(
    *, case: Case, actor: Any, body: str, version: int | None = None, request: Any = None
) -> CaseNote:
    membership = require_edit(actor, case)
    writable(case)
    record = CaseNote.objects.create(
        case=case,
        body=rules.clean_text(body, field="body", max_length=20_000, multiline=True, required=True),
        created_at=now(),
        created_by=actor,
    )
    advance(
        case,
        actor=actor,
        version=version,
        kind="note_added",
        membership=membership,
        request=request,
        changed_fields=["notes"],
    )
    return record
