"""Opening a case, and changing the case's own fields."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.cases import choices as c
from antoan.cases import rules, search_index
from antoan.cases.models import Case, CaseNumberSequence, SearchToken, Survivor
from antoan.cases.selectors import DuplicateReport, cases_for_user, duplicates_for
from antoan.cases.services import duplicates
from antoan.cases.services.common import (
    advance,
    choice,
    commune_on,
    now,
    require_edit,
    writable,
)
from antoan.cases.services.records import (
    ConsentInput,
    IncidentInput,
    consent_record,
    incident_add,
)
from antoan.core.audit import audit_record
from antoan.core.crypto import blind_index, name_tokens, phone_index
from antoan.core.permissions import grant


@dataclass
class SurvivorInput:
    full_name: str
    sex: str
    birth_year: int | None = None
    date_of_birth: dt.date | None = None
    age_at_intake: int | None = None
    phone: str = ""
    other_names: str = ""
    national_id: str = ""
    address: str = ""
    guardian_name: str = ""
    guardian_phone: str = ""
    ethnicity: str = ""
    disability: bool = False
    marital_status: str = ""
    occupation: str = ""
    commune: str | None = None  # a current commune code


@dataclass
class OpenResult:
    case: Case
    created: bool
    duplicates: DuplicateReport
    # False when a replayed ``client_uuid`` names a case the user may no longer open (after a
    # transfer or reassignment): callers show its id and number, nothing else.
    in_scope: bool = True


def survivor_prepare(data: SurvivorInput, *, today: dt.date) -> Survivor:
    """A validated, unsaved Survivor with its blind indexes (raises ValidationError)."""
    full_name = rules.clean_text(data.full_name, field="full_name", max_length=200, required=True)
    rules.check_person_dates(
        date_of_birth=data.date_of_birth, birth_year=data.birth_year, today=today
    )
    birth_year = data.birth_year or (data.date_of_birth.year if data.date_of_birth else None)
    if data.age_at_intake is not None and not 0 <= data.age_at_intake <= 120:
        raise ValidationError({"age_at_intake": [_("Tuổi không hợp lệ.")]})
    commune = commune_on(data.commune, on=today, field="commune") if data.commune else None
    survivor = Survivor(
        full_name=full_name,
        other_names=rules.clean_text(data.other_names, field="other_names", max_length=300),
        date_of_birth=data.date_of_birth.isoformat() if data.date_of_birth else "",
        phone=rules.clean_phone(data.phone, field="phone"),
        national_id=rules.clean_text(data.national_id, field="national_id", max_length=20),
        address=rules.clean_text(data.address, field="address", max_length=500, multiline=True),
        guardian_name=rules.clean_text(data.guardian_name, field="guardian_name", max_length=200),
        guardian_phone=rules.clean_phone(data.guardian_phone, field="guardian_phone"),
        sex=choice(data.sex, c.Sex, "sex"),
        birth_year=birth_year,
        age_at_intake=data.age_at_intake,
        ethnicity=rules.clean_text(data.ethnicity, field="ethnicity", max_length=40),
        disability=bool(data.disability),
        marital_status=choice(data.marital_status, c.MaritalStatus, "marital_status", blank=True),
        occupation=rules.clean_text(data.occupation, field="occupation", max_length=80),
        commune=commune,
    )
    survivor.name_index = blind_index(full_name, purpose="name")
    survivor.phone_index = phone_index(survivor.phone)
    return survivor


def survivor_age(survivor: Survivor, *, on: dt.date, intake_on: dt.date) -> int | None:
    return rules.age_on(
        on=on,
        date_of_birth=dt.date.fromisoformat(survivor.date_of_birth)
        if survivor.date_of_birth
        else None,
        birth_year=survivor.birth_year,
        age_at_intake=survivor.age_at_intake,
        intake_on=intake_on,
    )


def index_survivor(survivor: Survivor) -> None:
    """(Re)compute the survivor's blind indexes: whole name, phone and each word of the names."""
    Survivor.objects.filter(pk=survivor.pk).update(
        name_index=blind_index(survivor.full_name, purpose="name"),
        phone_index=phone_index(survivor.phone or ""),
    )
    digests = name_tokens(survivor.full_name) | name_tokens(survivor.other_names or "")
    SearchToken.objects.filter(survivor=survivor).delete()
    SearchToken.objects.bulk_create(
        [SearchToken(survivor=survivor, digest=digest) for digest in sorted(digests)]
    )
    search_index.refresh(survivor_id=survivor.pk)


def _next_number(year: int) -> str:
    prefix = settings.ANTOAN_CASE_PREFIX
    CaseNumberSequence.objects.get_or_create(prefix=prefix, year=year)
    sequence = CaseNumberSequence.objects.select_for_update().get(prefix=prefix, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{prefix}-{year}-{sequence.last:06d}"


def _creating_agency(actor: Any, agency: Agency | None) -> Agency:
    membership = grant(actor, Perm.CASE_CREATE, agency_id=agency.pk if agency else None)
    if membership is None:
        raise PermissionDenied
    return membership.agency


def case_open(
    *,
    actor: Any,
    source: str,
    survivor: SurvivorInput,
    consent: ConsentInput,
    incident: IncidentInput | None = None,
    needs: Sequence[str] = (),
    risk_level: str | None = None,
    immediate_danger: bool = False,
    agency: Agency | None = None,
    client_uuid: uuid.UUID | None = None,
    confirm_duplicates: bool = True,
    request: Any = None,
) -> OpenResult:
    """Open a case; a retried call with the same ``client_uuid`` returns the first case.

    The duplicate check runs only on an intake that is otherwise valid: inside the creating
    transaction, after every record was checked. With ``confirm_duplicates=False`` (the
    page's first submission) possible duplicates the user may open raise
    ``DuplicatesToConfirm`` and nothing is created; over the hourly limit of checks,
    ``DuplicateChecksExceeded``. Both are audited, in the caller's transaction.
    """
    if client_uuid is not None:
        existing = Case.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return _replay(existing, actor=actor, request=request)
    agency = _creating_agency(actor, agency)
    prepared = survivor_prepare(survivor, today=timezone.localdate(now()))
    choice(source, c.Source, "source")
    for need in needs:
        choice(need, c.Need, "needs")
    level = choice(risk_level, c.RiskLevel, "risk_level") if risk_level else c.RiskLevel.LOW
    if immediate_danger:
        level = c.RiskLevel.IMMEDIATE
    acting = grant(actor, Perm.CASE_CREATE, agency_id=agency.pk)
    try:
        with transaction.atomic():
            case = _create(
                actor=actor,
                agency=agency,
                source=source,
                survivor=prepared,
                consent=consent,
                incident=incident,
                needs=list(dict.fromkeys(needs)),
                level=level,
                immediate_danger=immediate_danger,
                client_uuid=client_uuid,
                request=request,
            )
            # Everything above was valid: only now may the input be compared with other cases.
            if not duplicates.check_allowed(actor):
                raise duplicates.DuplicateChecksExceeded
            report = duplicates_for(
                actor,
                name_index=prepared.name_index,
                birth_year=prepared.birth_year,
                phone_index=prepared.phone_index,
                exclude=case.pk,
            )
            if report.visible and not confirm_duplicates:
                raise duplicates.DuplicatesToConfirm(report)
            duplicates.reviews_record(case, report)
            duplicates.audit_check(
                actor=actor,
                request=request,
                report=report,
                outcome="created",
                membership=acting,
                case=case,
            )
            return OpenResult(case=case, created=True, duplicates=report)
    except duplicates.DuplicateChecksExceeded:
        # The case above is rolled back; the refusal is recorded where it will stay.
        duplicates.audit_check(
            actor=actor, request=request, report=None, outcome="rate_limited", membership=acting
        )
        raise
    except duplicates.DuplicatesToConfirm as stop:
        duplicates.audit_check(
            actor=actor,
            request=request,
            report=stop.report,
            outcome="asked_to_confirm",
            membership=acting,
        )
        raise
    except IntegrityError:
        # Two retries raced: the loser returns the winner's case.
        existing = Case.objects.filter(client_uuid=client_uuid).first() if client_uuid else None
        if existing is None:
            raise
        return _replay(existing, actor=actor, request=request)


def _replay(existing: Case, *, actor: Any, request: Any = None) -> OpenResult:
    if existing.created_by_id != actor.pk:
        # Someone else's id: never reveal their case.
        raise ValidationError(
            {"client_uuid": [_("Mã client_uuid này đã được dùng cho một hồ sơ khác.")]},
            code="duplicate",
        )
    # The creator may have lost the case since (a transfer, a reassignment, a new role): the
    # replay hands its data out only to someone who may open it now, as a read, audited.
    in_scope = cases_for_user(actor).filter(pk=existing.pk).exists()
    audit_record(
        action="view" if in_scope else "create",
        request=request,
        user=actor,
        membership=grant(actor, Perm.CASE_CREATE),
        object_type="case",
        object_id=existing.pk,
        extra={"replay": True, "in_scope": in_scope},
    )
    return OpenResult(case=existing, created=False, duplicates=DuplicateReport(), in_scope=in_scope)


def _create(
    *,
    actor,
    agency,
    source,
    survivor,
    consent,
    incident,
    needs,
    level,
    immediate_danger,
    client_uuid,
    request,
) -> Case:
    moment = now()
    survivor.save()
    index_survivor(survivor)
    assigned = actor if grant(actor, Perm.CASE_VIEW_ASSIGNED, agency_id=agency.pk) else None
    case = Case.objects.create(
        number=_next_number(timezone.localtime(moment).year),
        survivor=survivor,
        agency=agency,
        assigned_to=assigned,
        source=source,
        needs=needs,
        risk_level=level,
        immediate_danger=immediate_danger,
        opened_at=moment,
        created_by=actor,
        client_uuid=client_uuid,
    )
    search_index.refresh(case_ids=[case.pk])
    membership = grant(actor, Perm.CASE_CREATE, agency_id=agency.pk)
    advance(
        case,
        actor=actor,
        version=None,
        kind="opened",
        membership=membership,
        request=request,
        data={"stage": c.Stage.INTAKE, "risk_level": level, "source": source},
        audit_action="create",
        changed_fields=["survivor", "source", "needs", "risk_level"],
    )
    consent_record(
        case=case,
        actor=actor,
        consent=consent,
        request=request,
        version=None,
        _membership=membership,
    )
    if incident is not None:
        incident_add(
            case=case,
            actor=actor,
            incident=incident,
            request=request,
            version=None,
            _membership=membership,
        )
    case.refresh_from_db()
    return case


EDITABLE_CASE_FIELDS = {"risk_level", "immediate_danger", "needs", "source", "assigned_to"}


@transaction.atomic
def case_update(
    *, case: Case, actor: Any, version: int, changes: dict[str, Any], request: Any = None
) -> Case:
    """Change the case's own fields; a stale ``version`` raises CaseConflict."""
    membership = require_edit(actor, case)
    writable(case)
    unknown = set(changes) - EDITABLE_CASE_FIELDS
    if unknown:
        raise ValidationError({name: [_("Không thể sửa trường này.")] for name in unknown})
    fields: dict[str, Any] = {}
    if "risk_level" in changes:
        fields["risk_level"] = choice(changes["risk_level"], c.RiskLevel, "risk_level")
    if "immediate_danger" in changes:
        fields["immediate_danger"] = bool(changes["immediate_danger"])
        if fields["immediate_danger"]:
            fields["risk_level"] = c.RiskLevel.IMMEDIATE
    if "needs" in changes:
        fields["needs"] = [choice(n, c.Need, "needs") for n in dict.fromkeys(changes["needs"])]
    if "source" in changes:
        fields["source"] = choice(changes["source"], c.Source, "source")
    if "assigned_to" in changes:
        fields["assigned_to"] = _assignee(case, actor, changes["assigned_to"])
    fields = {k: v for k, v in fields.items() if getattr(case, k) != v}
    if not fields:
        return case  # nothing differs: no new version, no event (a repeated save is harmless)
    return advance(
        case,
        actor=actor,
        version=version,
        kind="updated",
        fields=fields,
        membership=membership,
        request=request,
        data={
            "fields": sorted(fields),
            **({"risk_level": fields["risk_level"]} if "risk_level" in fields else {}),
        },
    )


def _assignee(case: Case, actor: Any, user: Any) -> Any:
    """Only a supervisor assigns, and only to a case worker of the case's agency."""
    if not grant(actor, Perm.CASE_VIEW_AGENCY, agency_id=case.agency_id):
        raise PermissionDenied
    if user is None or not grant(user, Perm.CASE_VIEW_ASSIGNED, agency_id=case.agency_id):
        raise ValidationError(
            {"assigned_to": [_("Chỉ giao cho cán bộ quản lý ca của cơ quan quản lý hồ sơ.")]}
        )
    return user
