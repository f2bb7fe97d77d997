"""All writes of the privacy records: requests, access packages, breaches."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from antoan.accounts.models import Membership, User
from antoan.accounts.roles import Perm
from antoan.accounts.selectors import holders
from antoan.cases.models import Case
from antoan.cases.services.common import can_edit, case_place_code, choice, choices_of
from antoan.core.audit import audit_record
from antoan.core.mail import send_after_commit
from antoan.core.permissions import grant
from antoan.privacy import choices as p
from antoan.privacy import rules
from antoan.privacy.models import AccessPackage, Breach, DataRequest, DataRequestEvent


def now() -> dt.datetime:
    """The services' clock (tests move it)."""
    return timezone.now()


class StaleVersion(Exception):
    """A change based on a version of the record that is no longer current."""


# --- Who may do what ------------------------------------------------------------------------


def supervisors_of(agency_id: int) -> list[User]:
    """Active users who manage data subjects' requests in an agency today."""
    return holders(agency_id, Perm.PRIVACY_DSR_MANAGE)


def _require_edit(actor: Any, case: Case) -> Membership:
    membership = can_edit(actor, case)
    if membership is None:
        raise PermissionDenied
    return membership


def _require_manage(actor: Any, case: Case) -> Membership:
    membership = grant(actor, Perm.PRIVACY_DSR_MANAGE, agency_id=case.agency_id)
    if membership is None:
        raise PermissionDenied
    return membership


def _audit(
    *,
    action: str,
    actor: Any,
    membership: Membership | None,
    data_request: DataRequest,
    request: Any,
    event: str,
    changed_fields: Iterable[str] = (),
    extra: dict[str, Any] | None = None,
) -> None:
    audit_record(
        action=action,
        request=request,
        user=actor,
        membership=membership,
        object_type="data_request",
        object_id=data_request.pk,
        place_code=case_place_code(data_request.case),
        changed_fields=changed_fields,
        extra={"event": event, "case": data_request.case_id, **(extra or {})},
    )


def _notify(users: Iterable[User], data_request: DataRequest) -> None:
    """Email after commit: the request's number and where to look, nothing identifying."""
    addresses = sorted({u.email for u in users if u.email})
    if not addresses:
        return
    with translation.override(settings.LANGUAGE_CODE):
        link = reverse("privacy:request_detail", args=[data_request.pk])
        subject = _("[An Toàn] Yêu cầu mới của chủ thể dữ liệu: %(number)s") % {
            "number": data_request.number
        }
        body = _(
            "Có yêu cầu mới của chủ thể dữ liệu (%(number)s) cần xác nhận tiếp nhận trước "
            "%(due)s.\n\nĐăng nhập hệ thống An Toàn để xem: %(link)s\n\n"
            "Thư này không chứa thông tin về người bị bạo lực."
        ) % {
            "number": data_request.number,
            "due": timezone.localtime(data_request.acknowledge_due).strftime("%d/%m/%Y %H:%M"),
            "link": link,
        }

    send_after_commit([(subject, body, addresses)], what="data request")


def _move(
    data_request: DataRequest, *, actor: Any, version: int, kind: str, **fields: Any
) -> DataRequest:
    """Apply ``fields`` and raise the version, refusing a stale ``version``; write history."""
    # Locked, compared, then saved through the model: encrypted fields are sealed for their
    # row on save(), which update() cannot do.
    current = DataRequest.objects.select_for_update().get(pk=data_request.pk)
    if current.version != version:
        raise StaleVersion
    before = current.status
    for name, value in fields.items():
        setattr(current, name, value)
    current.version = version + 1
    current.save(update_fields=[*fields, "version"])
    data_request.refresh_from_db()
    DataRequestEvent.objects.create(
        request=data_request,
        at=now(),
        actor=actor,
        kind=kind,
        from_status=before,
        to_status=data_request.status,
    )
    return data_request


def _locked(data_request: DataRequest) -> DataRequest:
    return DataRequest.objects.select_for_update().select_related("case").get(pk=data_request.pk)


# --- Requests -------------------------------------------------------------------------------


@dataclass
class RequestInput:
    kind: str
    channel: str
    requester: str
    details: str = ""
    received_at: dt.datetime | None = None


@transaction.atomic
def request_register(
    *, case: Case, actor: Any, data: RequestInput, request: Any = None
) -> DataRequest:
    """Register a data subject's request on a case; the clock starts at its receipt."""
    membership = _require_edit(actor, case)
    choice(data.kind, p.RequestKind, "kind")
    choice(data.channel, p.RequestChannel, "channel")
    choice(data.requester, p.Requester, "requester")
    moment = now()
    received_at = data.received_at or moment
    if received_at > moment:
        raise ValidationError({"received_at": [_("Thời điểm nhận không thể ở tương lai.")]})
    supervisors = supervisors_of(case.agency_id)
    responsible = actor if actor in supervisors else (supervisors[0] if supervisors else None)
    data_request = DataRequest(
        case=case,
        kind=data.kind,
        channel=data.channel,
        requester=data.requester,
        details=data.details.strip(),
        received_at=received_at,
        acknowledge_due=rules.acknowledge_due(received_at),
        response_due=rules.response_due(data.kind, received_at),
        supervisor=responsible,
        created_at=moment,
        created_by=actor,
    )
    data_request.full_clean()
    data_request.save()
    DataRequestEvent.objects.create(
        request=data_request, at=moment, actor=actor, kind="received", to_status="received"
    )
    _audit(
        action="create",
        actor=actor,
        membership=membership,
        data_request=data_request,
        request=request,
        event="data_request_received",
        changed_fields=["kind", "channel", "requester", "details", "received_at"],
        extra={"kind": data.kind},
    )
    _notify(supervisors, data_request)
    return data_request


@transaction.atomic
def request_acknowledge(
    *, data_request: DataRequest, actor: Any, version: int, request: Any = None
) -> DataRequest:
    """Record that the data subject was told their request was received."""
    locked = _locked(data_request)
    membership = _require_manage(actor, locked.case)
    if locked.status != p.RequestStatus.RECEIVED:
        raise ValidationError(_("Yêu cầu này đã được xác nhận tiếp nhận."))
    locked = _move(
        locked,
        actor=actor,
        version=version,
        kind="acknowledged",
        status=p.RequestStatus.ACKNOWLEDGED,
        acknowledged_at=now(),
        acknowledged_by=actor,
    )
    _audit(
        action="update",
        actor=actor,
        membership=membership,
        data_request=locked,
        request=request,
        event="data_request_acknowledged",
        changed_fields=["status"],
    )
    return locked


@transaction.atomic
def request_extend(
    *, data_request: DataRequest, actor: Any, version: int, reason: str, request: Any = None
) -> DataRequest:
    """Extend the response deadline once, by the original period, with reasons."""
    locked = _locked(data_request)
    membership = _require_manage(actor, locked.case)
    if not locked.is_open:
        raise ValidationError(_("Yêu cầu đã được giải quyết; không thể gia hạn."))
    if locked.extended_at is not None:
        raise ValidationError(_("Mỗi yêu cầu chỉ được gia hạn một lần."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Nêu lý do gia hạn để thông báo cho người yêu cầu.")]})
    if now() > locked.response_due:
        raise ValidationError(_("Đã quá hạn trả lời; không thể gia hạn sau khi hết hạn."))
    fields: dict[str, Any] = {
        "status": p.RequestStatus.EXTENDED,
        "extended_at": now(),
        "extended_by": actor,
        "extension_reason": reason.strip(),
        "response_due": rules.extended_due(locked.kind, locked.response_due),
    }
    if locked.acknowledged_at is None:
        fields.update(acknowledged_at=now(), acknowledged_by=actor)
    locked = _move(locked, actor=actor, version=version, kind="extended", **fields)
    _audit(
        action="update",
        actor=actor,
        membership=membership,
        data_request=locked,
        request=request,
        event="data_request_extended",
        changed_fields=["status", "response_due", "extension_reason"],
    )
    return locked


@transaction.atomic
def request_decide(
    *,
    data_request: DataRequest,
    actor: Any,
    version: int,
    outcome: str,
    note: str,
    erase: bool = False,
    request: Any = None,
) -> DataRequest:
    """Close the request: carried out (what was done) or refused (the legal reason).

    ``erase`` with a deletion request carried out anonymises the survivor at once, as
    ``apply_retention`` would after the retention period: every case of theirs must be closed
    and none on legal hold."""
    locked = _locked(data_request)
    membership = _require_manage(actor, locked.case)
    if not locked.is_open:
        raise ValidationError(_("Yêu cầu đã được giải quyết."))
    if erase:
        _check_erasable(locked, outcome)
    note = note.strip()
    if outcome == p.RequestStatus.REFUSED:
        if not note:
            raise ValidationError({"note": [_("Nêu lý do từ chối theo quy định của pháp luật.")]})
        fields: dict[str, Any] = {"refusal_reason": note}
    elif outcome == p.RequestStatus.COMPLETED:
        if not note:
            raise ValidationError({"note": [_("Ghi lại việc đã thực hiện theo yêu cầu.")]})
        released = locked.packages.filter(status=p.PackageStatus.RELEASED).exists()
        if locked.kind == p.RequestKind.ACCESS and not released:
            raise ValidationError(
                _("Yêu cầu xem dữ liệu chỉ hoàn thành khi gói dữ liệu đã được duyệt và giao.")
            )
        fields = {"outcome": note}
    else:
        raise ValidationError({"outcome": [_("Chọn kết quả: đã thực hiện hoặc từ chối.")]})
    moment = now()
    fields.update(status=outcome, decided_at=moment, decided_by=actor)
    if locked.acknowledged_at is None:
        fields.update(acknowledged_at=moment, acknowledged_by=actor)
    locked = _move(locked, actor=actor, version=version, kind=outcome, **fields)
    _audit(
        action="update",
        actor=actor,
        membership=membership,
        data_request=locked,
        request=request,
        event=f"data_request_{outcome}",
        changed_fields=["status", "outcome" if outcome == "completed" else "refusal_reason"],
    )
    if erase:
        from antoan.privacy.erasure import anonymise_survivor

        # The request's own texts go with the rest; its kind, dates and outcome stay.
        anonymise_survivor(
            locked.case.survivor_id, user=actor, request=request, reason="deletion_request"
        )
        locked.refresh_from_db()
    return locked


def _check_erasable(data_request: DataRequest, outcome: str) -> None:
    if data_request.kind != p.RequestKind.DELETION or outcome != p.RequestStatus.COMPLETED:
        raise ValidationError({"erase": [_("Chỉ ẩn danh khi thực hiện một yêu cầu xoá dữ liệu.")]})
    cases = Case.objects.filter(survivor_id=data_request.case.survivor_id)
    if cases.exclude(status="closed").exists():
        raise ValidationError(
            {"erase": [_("Người này còn hồ sơ đang mở: đóng hồ sơ trước khi ẩn danh.")]}
        )
    if cases.filter(legal_hold=True).exists():
        raise ValidationError(
            {"erase": [_("Hồ sơ đang bị giữ theo yêu cầu pháp lý nên chưa thể ẩn danh.")]}
        )
    if cases.filter(anonymised_at__isnull=False).exists():
        raise ValidationError({"erase": [_("Hồ sơ đã được ẩn danh.")]})


# --- The access package: two people ---------------------------------------------------------


@transaction.atomic
def package_prepare(*, data_request: DataRequest, actor: Any, request: Any = None) -> AccessPackage:
    """Build the PDF of the survivor's own data; it waits for a second person's approval."""
    from antoan.privacy.pdf import access_package_pdf

    locked = _locked(data_request)
    membership = _require_edit(actor, locked.case)
    if locked.kind != p.RequestKind.ACCESS:
        raise ValidationError(_("Chỉ yêu cầu xem, nhận bản sao dữ liệu mới có gói dữ liệu."))
    if not locked.is_open:
        raise ValidationError(_("Yêu cầu đã được giải quyết."))
    if locked.packages.filter(status__in=["prepared", "approved"]).exists():
        raise ValidationError(_("Đã có một gói dữ liệu đang chờ duyệt hoặc chờ giao."))
    moment = now()
    pdf, summary = access_package_pdf(locked.case, made_at=moment)
    package = AccessPackage.objects.create(
        request=locked,
        content=base64.b64encode(pdf).decode("ascii"),
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        summary=summary,
        prepared_at=moment,
        prepared_by=actor,
    )
    _audit(
        action="create",
        actor=actor,
        membership=membership,
        data_request=locked,
        request=request,
        event="access_package_prepared",
        extra={"package": package.pk, "sha256": package.sha256},
    )
    return package


def _locked_package(package: AccessPackage) -> AccessPackage:
    return (
        AccessPackage.objects.select_for_update()
        .select_related("request", "request__case")
        .get(pk=package.pk)
    )


@transaction.atomic
def package_approve(*, package: AccessPackage, actor: Any, request: Any = None) -> AccessPackage:
    """The second person: a supervisor other than the one who prepared the package."""
    locked = _locked_package(package)
    membership = _require_manage(actor, locked.request.case)
    if locked.prepared_by_id == actor.pk:
        raise ValidationError(
            _("Người chuẩn bị gói dữ liệu không thể tự duyệt; cần người thứ hai.")
        )
    if locked.status != p.PackageStatus.PREPARED:
        raise ValidationError(_("Gói dữ liệu này không còn chờ duyệt."))
    locked.status = p.PackageStatus.APPROVED
    locked.approved_at = now()
    locked.approved_by = actor
    locked.full_clean()
    locked.save(update_fields=["status", "approved_at", "approved_by"])
    _audit(
        action="update",
        actor=actor,
        membership=membership,
        data_request=locked.request,
        request=request,
        event="access_package_approved",
        changed_fields=["status"],
        extra={"package": locked.pk, "sha256": locked.sha256},
    )
    return locked


@transaction.atomic
def package_reject(
    *, package: AccessPackage, actor: Any, reason: str, request: Any = None
) -> AccessPackage:
    """The second person sends the package back (something is missing or must not be there)."""
    locked = _locked_package(package)
    membership = _require_manage(actor, locked.request.case)
    if locked.prepared_by_id == actor.pk:
        raise ValidationError(
            _("Người chuẩn bị gói dữ liệu không thể tự duyệt; cần người thứ hai.")
        )
    if locked.status != p.PackageStatus.PREPARED:
        raise ValidationError(_("Gói dữ liệu này không còn chờ duyệt."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Nêu lý do không duyệt.")]})
    locked.status = p.PackageStatus.REJECTED
    locked.approved_at = None
    locked.rejection_reason = reason.strip()
    locked.save(update_fields=["status", "rejection_reason"])
    _audit(
        action="update",
        actor=actor,
        membership=membership,
        data_request=locked.request,
        request=request,
        event="access_package_rejected",
        changed_fields=["status", "rejection_reason"],
        extra={"package": locked.pk},
    )
    return locked


@transaction.atomic
def package_release(*, package: AccessPackage, actor: Any, request: Any = None) -> bytes:
    """The download is the release: only of an approved package, by the preparer or a
    supervisor of the case's agency; every download is audited as an export."""
    locked = _locked_package(package)
    case = locked.request.case
    membership = grant(actor, Perm.PRIVACY_DSR_MANAGE, agency_id=case.agency_id) or can_edit(
        actor, case
    )
    if membership is None:
        raise PermissionDenied
    if locked.status not in (p.PackageStatus.APPROVED, p.PackageStatus.RELEASED):
        raise ValidationError(_("Gói dữ liệu chỉ được giao sau khi người thứ hai đã duyệt."))
    pdf = base64.b64decode(locked.content)
    if hashlib.sha256(pdf).hexdigest() != locked.sha256:
        raise ValidationError(_("Gói dữ liệu không khớp với bản đã duyệt; hãy chuẩn bị lại."))
    if locked.status == p.PackageStatus.APPROVED:
        locked.status = p.PackageStatus.RELEASED
        locked.released_at = now()
        locked.released_by = actor
        locked.save(update_fields=["status", "released_at", "released_by"])
    _audit(
        action="export",
        actor=actor,
        membership=membership,
        data_request=locked.request,
        request=request,
        event="access_package_released",
        extra={"package": locked.pk, "sha256": locked.sha256},
    )
    return pdf


# --- Breaches -------------------------------------------------------------------------------


@dataclass
class BreachInput:
    detected_at: dt.datetime
    kind: str
    description: str
    contact_name: str
    occurred_at: dt.datetime | None = None
    data_categories: list[str] = field(default_factory=list)
    subjects_affected: int | None = None
    records_affected: int | None = None
    consequences: str = ""
    measures_taken: str = ""
    measures_proposed: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    status: str = p.BreachStatus.SUSPECTED
    authority_notified_at: dt.datetime | None = None
    authority_reference: str = ""
    late_reason: str = ""
    subjects_notified_at: dt.datetime | None = None


def _breach_fields(data: BreachInput) -> dict[str, Any]:
    choice(data.kind, p.BreachKind, "kind")
    choice(data.status, p.BreachStatus, "status")
    categories = choices_of(data.data_categories, p.DataCategory, "data_categories")
    moment = now()
    errors: dict[str, list[str]] = {}
    if data.detected_at > moment:
        errors["detected_at"] = [_("Thời điểm phát hiện không thể ở tương lai.")]
    if data.occurred_at and data.occurred_at > data.detected_at:
        errors["occurred_at"] = [_("Thời điểm xảy ra phải trước thời điểm phát hiện.")]
    notified = data.authority_notified_at
    if notified and notified < data.detected_at:
        errors["authority_notified_at"] = [_("Thời điểm thông báo phải sau thời điểm phát hiện.")]
    if notified and notified > moment:
        errors["authority_notified_at"] = [_("Thời điểm thông báo không thể ở tương lai.")]
    if data.status == p.BreachStatus.NOTIFIED and not notified:
        errors["authority_notified_at"] = [_("Ghi thời điểm đã thông báo cơ quan chuyên trách.")]
    late = notified and notified > rules.breach_notify_due(data.detected_at)
    if late and not data.late_reason.strip():
        errors["late_reason"] = [_("Thông báo sau 72 giờ phải nêu lý do chậm.")]
    if errors:
        raise ValidationError(errors)
    return {
        "detected_at": data.detected_at,
        "occurred_at": data.occurred_at,
        "kind": data.kind,
        "description": data.description.strip(),
        "data_categories": categories,
        "subjects_affected": data.subjects_affected,
        "records_affected": data.records_affected,
        "consequences": data.consequences.strip(),
        "measures_taken": data.measures_taken.strip(),
        "measures_proposed": data.measures_proposed.strip(),
        "contact_name": data.contact_name.strip(),
        "contact_phone": data.contact_phone.strip(),
        "contact_email": data.contact_email.strip(),
        "status": data.status,
        "authority_notified_at": notified,
        "authority_reference": data.authority_reference.strip(),
        "late_reason": data.late_reason.strip(),
        "subjects_notified_at": data.subjects_notified_at,
    }


def _require_breach(actor: Any) -> Membership:
    membership = grant(actor, Perm.PRIVACY_BREACH_RECORD)
    if membership is None:
        raise PermissionDenied
    return membership


@transaction.atomic
def breach_record(*, actor: Any, data: BreachInput, request: Any = None) -> Breach:
    """Record a suspected breach; its 72-hour clock runs from detection."""
    membership = _require_breach(actor)
    moment = now()
    breach = Breach(
        **_breach_fields(data),
        recorded_at=moment,
        recorded_by=actor,
        updated_at=moment,
        updated_by=actor,
    )
    breach.full_clean()
    breach.save()
    audit_record(
        action="create",
        request=request,
        user=actor,
        membership=membership,
        object_type="breach",
        object_id=breach.pk,
        extra={"status": breach.status},
    )
    return breach


@transaction.atomic
def breach_update(
    *, breach: Breach, actor: Any, version: int, data: BreachInput, request: Any = None
) -> Breach:
    """Update the record (notification sent, measures...), refusing a stale version."""
    membership = _require_breach(actor)
    fields = _breach_fields(data)
    current = Breach.objects.select_for_update().get(pk=breach.pk)
    changed = [name for name, value in fields.items() if getattr(current, name) != value]
    if current.version != version:
        raise StaleVersion
    for name, value in fields.items():
        setattr(current, name, value)
    current.version, current.updated_at, current.updated_by = version + 1, now(), actor
    current.save(update_fields=[*fields, "version", "updated_at", "updated_by"])
    audit_record(
        action="update",
        request=request,
        user=actor,
        membership=membership,
        object_type="breach",
        object_id=current.pk,
        changed_fields=changed,
        extra={"status": current.status},
    )
    return current
