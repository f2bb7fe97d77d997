"""Protection measures, closure, reopening and transfer between agencies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.cases import choices as c
from antoan.cases import rules, selectors
from antoan.cases.models import (
    Case,
    CaseStageChange,
    CaseTransfer,
    ClosureRequest,
    Incident,
    ProtectionMeasure,
)
from antoan.cases.services.common import (
    advance,
    choice,
    counted_place_refresh,
    now,
    require_approve,
    require_edit,
)
from antoan.core.permissions import grant

# --- Protection measures (Law 13/2022 Art. 23) ----------------------------------------------


@transaction.atomic
def measure_request(
    *,
    case: Case,
    actor: Any,
    type: str,
    deciding_body: str,
    requested_at: dt.datetime | None = None,
    version: int | None = None,
    request: Any = None,
) -> ProtectionMeasure:
    """Record that a measure was requested; a no-contact order's decision clock starts."""
    membership = require_edit(actor, case)
    if case.status == c.Status.CLOSED:
        raise ValidationError(_("Hồ sơ đã đóng; hãy mở lại trước khi cập nhật."))
    moment = now()
    requested_at = requested_at or moment
    if requested_at > moment + dt.timedelta(minutes=5):
        raise ValidationError({"requested_at": [_("Thời điểm đề nghị không thể ở tương lai.")]})
    choice(type, c.MeasureType, "type")
    choice(deciding_body, c.DecidingBody, "deciding_body")
    rules.check_measure_decision(
        measure_type=type,
        deciding_body=deciding_body,
        requested_at=requested_at,
        decided_at=None,
        decision=c.MeasureDecision.PENDING,
        refusal_reason="",
        late_reason="",
        starts_at=None,
        ends_at=None,
        now=moment,
    )
    measure = ProtectionMeasure.objects.create(
        case=case,
        type=type,
        deciding_body=deciding_body,
        requested_at=requested_at,
        created_by=actor,
    )
    advance(
        case,
        actor=actor,
        version=version,
        kind="measure_requested",
        membership=membership,
        request=request,
        changed_fields=["measures"],
        data={"type": type},
    )
    return measure


@transaction.atomic
def measure_decide(
    *,
    measure: ProtectionMeasure,
    actor: Any,
    decision: str,
    decided_at: dt.datetime,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    refusal_reason: str = "",
    late_reason: str = "",
    version: int | None = None,
    request: Any = None,
) -> ProtectionMeasure:
    """Record the decision on a requested measure, within the law's limits."""
    case = measure.case
    membership = require_edit(actor, case)
    if measure.decision != c.MeasureDecision.PENDING:
        raise ValidationError(_("Biện pháp này đã có quyết định."))
    if decision not in (c.MeasureDecision.GRANTED, c.MeasureDecision.REFUSED):
        raise ValidationError(
            {"decision": [_("Giá trị không hợp lệ: %(value)s.") % {"value": decision}]}
        )
    refusal_reason = rules.clean_text(refusal_reason, field="refusal_reason", max_length=500)
    late_reason = rules.clean_text(late_reason, field="late_reason", max_length=500)
    rules.check_measure_decision(
        measure_type=measure.type,
        deciding_body=measure.deciding_body,
        requested_at=measure.requested_at,
        decided_at=decided_at,
        decision=decision,
        refusal_reason=refusal_reason,
        late_reason=late_reason,
        starts_at=starts_at,
        ends_at=ends_at,
        now=now(),
    )
    measure.decision = decision
    measure.decided_at = decided_at
    measure.starts_at = starts_at
    measure.ends_at = ends_at
    measure.refusal_reason = refusal_reason
    measure.late_reason = late_reason
    measure.save()
    advance(
        case,
        actor=actor,
        version=version,
        kind="measure_decided",
        membership=membership,
        request=request,
        changed_fields=["measures"],
        data={"type": measure.type, "decision": decision, "late": bool(late_reason)},
    )
    return measure


# --- Closure and reopening ------------------------------------------------------------------


@transaction.atomic
def closure_request(
    *,
    case: Case,
    actor: Any,
    reason: str,
    checklist: Mapping[str, bool],
    version: int,
    missing_reason: str = "",
    request: Any = None,
) -> ClosureRequest:
    """The case worker asks to close, with a reason and the completed checklist; with anything
    still missing (``selectors.closure_gaps``), also a written reason for closing anyway."""
    membership = require_edit(actor, case)
    if case.status == c.Status.CLOSED or case.stage == c.Stage.CLOSURE_REQUESTED:
        raise ValidationError(_("Hồ sơ đã đóng hoặc đang chờ duyệt đóng."))
    rules.check_closure_checklist(checklist)
    reason = rules.clean_text(reason, field="reason", max_length=500, required=True)
    missing_reason = rules.clean_text(
        missing_reason, field="missing_reason", max_length=1000, multiline=True
    )
    missing = [gap.code for gap in selectors.closure_gaps(case, now=now())]
    rules.check_missing_reason(missing, missing_reason, field="missing_reason")
    record = ClosureRequest.objects.create(
        case=case,
        reason=reason,
        checklist=dict(checklist),
        missing=missing,
        # A reason given when nothing was missing is not kept: there was nothing to excuse.
        missing_reason=missing_reason if missing else "",
        requested_at=now(),
        requested_by=actor,
    )
    advance(
        case,
        actor=actor,
        version=version,
        kind="closure_requested",
        membership=membership,
        request=request,
        fields={"stage": c.Stage.CLOSURE_REQUESTED},
        # Codes only: the reason itself is encrypted on the request.
        data={"reason": "closure", "missing": missing},
        audit_extra={"missing": missing} if missing else None,
    )
    return record


@transaction.atomic
def closure_decide(
    *,
    case: Case,
    actor: Any,
    approve: bool,
    comment: str = "",
    version: int | None = None,
    request: Any = None,
) -> ClosureRequest:
    """A supervisor approves the closure, or returns it with a comment."""
    membership = require_approve(actor, case)
    pending = (
        ClosureRequest.objects.filter(case=case, decision=c.ClosureDecision.PENDING)
        .select_for_update()
        .first()
    )
    if pending is None or case.stage != c.Stage.CLOSURE_REQUESTED:
        raise ValidationError(_("Không có đề nghị đóng ca nào đang chờ duyệt."))
    comment = rules.clean_text(comment, field="comment", max_length=1000, multiline=True)
    if not approve and not comment:
        raise ValidationError({"comment": [_("Khi trả lại, hãy ghi rõ cần bổ sung gì.")]})
    moment = now()
    missing: list[str] = []
    if approve:
        # What is missing now. What the worker already explained needs no second reason; what
        # was not explained (a request made before this rule, or a gap since) needs the
        # supervisor's own, in the comment.
        missing = [gap.code for gap in selectors.closure_gaps(case, now=moment)]
        explained = set(pending.missing) if pending.missing_reason else set()
        rules.check_missing_reason(
            [code for code in missing if code not in explained], comment, field="comment"
        )
    pending.decision = c.ClosureDecision.APPROVED if approve else c.ClosureDecision.RETURNED
    pending.decided_at = moment
    pending.decided_by = actor
    pending.comment = comment
    pending.save()
    if approve:
        fields: dict[str, Any] = {
            "stage": c.Stage.CLOSED,
            "status": c.Status.CLOSED,
            "closed_at": moment,
        }
    else:
        fields = {"stage": _stage_before_closure_request(case)}
    advance(
        case,
        actor=actor,
        version=version,
        kind="closure_decided",
        membership=membership,
        request=request,
        fields=fields,
        data={"approved": approve, "missing": missing},
        audit_extra={"missing": missing} if missing else None,
    )
    return pending


def _stage_before_closure_request(case: Case) -> str:
    change = (
        CaseStageChange.objects.filter(case=case, to_stage=c.Stage.CLOSURE_REQUESTED)
        .order_by("-changed_at", "-pk")
        .first()
    )
    return change.from_stage if change and change.from_stage else c.Stage.FOLLOW_UP


@transaction.atomic
def case_reopen(*, case: Case, actor: Any, reason: str, version: int, request: Any = None) -> Case:
    """Reopen a closed case; its history stays."""
    membership = require_approve(actor, case)
    if case.status != c.Status.CLOSED:
        raise ValidationError(_("Chỉ mở lại được hồ sơ đã đóng."))
    reason = rules.clean_text(reason, field="reason", max_length=300, required=True)
    return advance(
        case,
        actor=actor,
        version=version,
        kind="reopened",
        membership=membership,
        request=request,
        data={"reason": reason},
        fields={"stage": c.Stage.REOPENED, "status": c.Status.OPEN, "closed_at": None},
    )


# --- Transfer -------------------------------------------------------------------------------


@transaction.atomic
def transfer_request(
    *,
    case: Case,
    actor: Any,
    to_agency: Agency,
    reason: str,
    version: int,
    request: Any = None,
) -> CaseTransfer:
    """Ask another agency to take the case over; its supervisor accepts or declines."""
    membership = require_approve(actor, case)
    if case.status == c.Status.CLOSED:
        raise ValidationError(_("Hồ sơ đã đóng; hãy mở lại trước khi cập nhật."))
    if to_agency.pk == case.agency_id or not to_agency.is_valid_on(timezone.localdate(now())):
        raise ValidationError({"to_agency": [_("Chọn một cơ quan khác đang hoạt động.")]})
    if CaseTransfer.objects.filter(case=case, status=c.TransferStatus.PENDING).exists():
        raise ValidationError(_("Hồ sơ đang có một đề nghị chuyển chờ xử lý."))
    record = CaseTransfer.objects.create(
        case=case,
        from_agency=case.agency,
        to_agency=to_agency,
        reason=rules.clean_text(reason, field="reason", max_length=500, required=True),
        requested_at=now(),
        requested_by=actor,
    )
    advance(
        case,
        actor=actor,
        version=version,
        kind="transfer_requested",
        membership=membership,
        request=request,
        data={"to_agency": to_agency.pk},
    )
    return record


@transaction.atomic
def transfer_decide(
    *,
    transfer: CaseTransfer,
    actor: Any,
    accept: bool,
    assign_to: Any = None,
    decline_reason: str = "",
    request: Any = None,
) -> CaseTransfer:
    """The receiving agency's supervisor accepts (and assigns) or declines a transfer."""
    membership = grant(actor, Perm.CASE_APPROVE, agency_id=transfer.to_agency_id)
    if membership is None:
        raise PermissionDenied
    transfer = CaseTransfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.status != c.TransferStatus.PENDING:
        raise ValidationError(_("Đề nghị chuyển này đã được xử lý."))
    case = transfer.case
    transfer.decided_at = now()
    transfer.decided_by = actor
    if accept:
        if assign_to is not None and not grant(
            assign_to, Perm.CASE_VIEW_ASSIGNED, agency_id=transfer.to_agency_id
        ):
            raise ValidationError(
                {"assign_to": [_("Chỉ giao cho cán bộ quản lý ca của cơ quan tiếp nhận.")]}
            )
        transfer.status = c.TransferStatus.ACCEPTED
        fields: dict[str, Any] = {"agency": transfer.to_agency, "assigned_to": assign_to}
    else:
        reason = rules.clean_text(
            decline_reason, field="decline_reason", max_length=500, required=True
        )
        transfer.status = c.TransferStatus.DECLINED
        transfer.decline_reason = reason
        fields = {}
    transfer.save()
    advance(
        case,
        actor=actor,
        version=None,
        kind="transfer_decided",
        membership=membership,
        request=request,
        fields=fields,
        data={"accepted": accept, "to_agency": transfer.to_agency_id},
    )
    if accept:
        # The case's incidents without a commune of their own count where the case now is.
        counted_place_refresh(Incident.objects.filter(case=case))
    return transfer
