"""The referral lifecycle: send → accept | decline → deliver → close; revoke by the sender.

Every transition locks the referral's row, checks the status it starts from, writes a
``ReferralEvent`` and an audit event in the same transaction, and notifies after commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.accounts.models import Membership
from antoan.accounts.roles import Perm
from antoan.accounts.selectors import holders
from antoan.cases.choices import Need
from antoan.cases.models import Case
from antoan.cases.rules import clean_text
from antoan.cases.selectors import consent_current
from antoan.cases.services import can_edit
from antoan.core.audit import audit_record
from antoan.core.permissions import grant
from antoan.referrals import rules, selectors
from antoan.referrals.clock import now
from antoan.referrals.models import (
    Notification,
    Provider,
    Referral,
    ReferralEvent,
    ReferralStatus,
    ServiceDelivery,
    Urgency,
)
from antoan.referrals.services.notify import notify

S = ReferralStatus


class ConsentRequired(ValidationError):
    """The survivor has not consented to this referral (API: 400 ``consent_required``)."""


class ReferralStateError(ValidationError):
    """The referral is not in a status this action starts from (API: 400 ``invalid_status``)."""


def _text(value: str, *, field: str, required: bool, limit: int = 4000) -> str:
    return clean_text(value or "", field=field, max_length=limit, multiline=True, required=required)


def _audit(referral: Referral, actor: Any, membership: Any, action: str, request: Any, **extra):
    audit_record(
        action=action,
        request=request,
        user=actor,
        membership=membership,
        object_type="referral",
        object_id=referral.pk,
        changed_fields=["status"],
        extra={"case": referral.case_id, **extra},
    )


def _event(referral: Referral, actor: Any, kind: str, before: str) -> None:
    ReferralEvent.objects.create(
        referral=referral,
        at=now(),
        actor=actor,
        kind=kind,
        from_status=before,
        to_status=referral.status,
    )


def _lock(referral: Referral, allowed: tuple[str, ...], message: str) -> Referral:
    locked = Referral.objects.select_for_update().select_related("case").get(pk=referral.pk)
    if locked.status not in allowed:
        raise ReferralStateError(
            message % {"status": locked.get_status_display()}, code="invalid_status"
        )
    return locked


def _as_recipient(actor: Any, referral: Referral) -> Membership:
    membership = grant(actor, Perm.REFERRAL_RECEIVE, referral.to_agency_id)
    if membership is None:
        raise PermissionDenied
    return membership


def _as_sender(actor: Any, referral: Referral) -> Membership:
    membership = grant(actor, Perm.REFERRAL_SEND, referral.from_agency_id)
    if membership is None or can_edit(actor, referral.case) is None:
        raise PermissionDenied
    return membership


def _today() -> dt.date:
    return timezone.localdate(now())


@transaction.atomic
def referral_send(
    *,
    case: Case,
    actor: Any,
    provider: Provider,
    service: str,
    urgency: str,
    note: str = "",
    emergency_override: bool = False,
    override_reason: str = "",
    request: Any = None,
) -> Referral:
    """Refer the case for one service to a provider, if the survivor consented (or override)."""
    membership = grant(actor, Perm.REFERRAL_SEND, case.agency_id)
    if membership is None or can_edit(actor, case) is None:
        raise PermissionDenied
    if emergency_override and grant(actor, Perm.CASE_APPROVE, case.agency_id) is None:
        # Only a supervisor may even ask to send without consent, whether or not it is needed.
        raise PermissionDenied
    if case.status == "closed":
        raise ValidationError(_("Hồ sơ đã đóng; hãy mở lại trước khi chuyển gửi."))
    errors: dict[str, list[str]] = {}
    if service not in Need.values:
        errors["service"] = [_("Dịch vụ không hợp lệ.")]
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Mức khẩn không hợp lệ.")]
    provider = Provider.objects.select_related("agency").get(pk=provider.pk)
    if not provider.active:
        errors["provider"] = [_("Cơ sở này hiện không nhận chuyển gửi.")]
    elif service in Need.values and service not in provider.services:
        errors["service"] = [
            _("%(provider)s không cung cấp dịch vụ này.") % {"provider": provider.agency.name}
        ]
    if errors:
        raise ValidationError(errors)
    note = _text(note, field="note", required=False)

    consented = consent_current(case, "services") and selectors.sharing_allows(
        case, provider.agency_id
    )
    override = False
    if not consented:
        if not emergency_override:
            raise ConsentRequired(
                _(
                    "Người bị bạo lực chưa đồng ý nhận dịch vụ hoặc chia sẻ thông tin với cơ quan "
                    "này. Hãy ghi nhận sự đồng ý trước, hoặc đề nghị giám sát quyết định khẩn cấp."
                ),
                code="consent_required",
            )
        approver = grant(actor, Perm.CASE_APPROVE, case.agency_id)
        if approver is None:
            raise PermissionDenied
        override_reason = _text(override_reason, field="override_reason", required=True)
        membership, override = approver, True

    moment = now()
    referral = Referral(
        case=case,
        provider=provider,
        from_agency_id=case.agency_id,
        to_agency_id=provider.agency_id,
        service=service,
        urgency=urgency,
        note=note,
        sent_at=moment,
        sent_by=actor,
        due_at=rules.due_at(urgency=urgency, sent_at=moment),
        emergency_override=override,
        override_reason=override_reason if override else "",
    )
    referral.full_clean()
    referral.save()
    _event(referral, actor, "sent", "")
    _audit(referral, actor, membership, "create", request, service=service, override=override)
    if override:
        audit_record(
            action="consent_override",
            request=request,
            user=actor,
            membership=membership,
            object_type="case",
            object_id=case.pk,
            extra={"referral": referral.pk},
        )
    notify(holders(provider.agency_id, Perm.REFERRAL_RECEIVE), Notification.Kind.NEW, referral)
    return referral


@transaction.atomic
def referral_accept(*, referral: Referral, actor: Any, request: Any = None) -> Referral:
    """The addressee agency takes the referral on."""
    membership = _as_recipient(actor, referral)
    locked = _lock(
        referral, (S.SENT,), _("Không thể tiếp nhận: chuyển gửi đang ở trạng thái “%(status)s”.")
    )
    locked.status, locked.answered_at, locked.answered_by = S.ACCEPTED, now(), actor
    locked.version += 1
    locked.save()
    _event(locked, actor, "accepted", S.SENT)
    _audit(locked, actor, membership, "update", request, to="accepted")
    notify([locked.sent_by], Notification.Kind.ACCEPTED, locked)
    return locked


@transaction.atomic
def referral_decline(
    *, referral: Referral, actor: Any, reason: str, request: Any = None
) -> Referral:
    """The addressee agency declines, with a reason; its access ends at once."""
    membership = _as_recipient(actor, referral)
    reason = _text(reason, field="reason", required=True)
    locked = _lock(
        referral, (S.SENT,), _("Không thể từ chối: chuyển gửi đang ở trạng thái “%(status)s”.")
    )
    locked.status, locked.answered_at, locked.answered_by = S.DECLINED, now(), actor
    locked.decline_reason = reason
    locked.version += 1
    locked.save()
    _event(locked, actor, "declined", S.SENT)
    _audit(locked, actor, membership, "update", request, to="declined")
    notify([locked.sent_by], Notification.Kind.DECLINED, locked)
    return locked


@transaction.atomic
def referral_deliver(
    *,
    referral: Referral,
    actor: Any,
    delivered_on: dt.date,
    description: str,
    request: Any = None,
) -> Referral:
    """The addressee records the service it gave; the need counts as met for the case."""
    membership = _as_recipient(actor, referral)
    description = _text(description, field="description", required=True)
    locked = _lock(
        referral,
        (S.ACCEPTED,),
        _("Chỉ ghi nhận dịch vụ sau khi đã tiếp nhận (trạng thái hiện tại: “%(status)s”)."),
    )
    if delivered_on > _today():
        raise ValidationError({"delivered_on": [_("Ngày cung cấp không thể ở tương lai.")]})
    if delivered_on < timezone.localdate(locked.sent_at):
        raise ValidationError({"delivered_on": [_("Ngày cung cấp trước ngày chuyển gửi.")]})
    locked.status, locked.delivered_on, locked.delivered_by = S.DELIVERED, delivered_on, actor
    locked.delivery_description = description
    locked.version += 1
    locked.save()
    ServiceDelivery.objects.create(
        case=locked.case,
        service=locked.service,
        delivered_on=delivered_on,
        description=description,
        agency_id=locked.to_agency_id,
        referral=locked,
        recorded_by=actor,
        recorded_at=now(),
    )
    _event(locked, actor, "delivered", S.ACCEPTED)
    _audit(locked, actor, membership, "update", request, to="delivered")
    notify([locked.sent_by], Notification.Kind.DELIVERED, locked)
    return locked


@transaction.atomic
def referral_close(*, referral: Referral, actor: Any, request: Any = None) -> Referral:
    """The sender closes a referral that was answered (delivered or declined)."""
    membership = _as_sender(actor, referral)
    locked = _lock(
        referral,
        (S.DELIVERED, S.DECLINED),
        _("Chỉ đóng chuyển gửi đã được cung cấp dịch vụ hoặc bị từ chối (hiện: “%(status)s”)."),
    )
    before = locked.status
    locked.status, locked.closed_at = S.CLOSED, now()
    locked.version += 1
    locked.save()
    _event(locked, actor, "closed", before)
    _audit(locked, actor, membership, "update", request, to="closed")
    return locked


@transaction.atomic
def referral_revoke(
    *, referral: Referral, actor: Any, reason: str, request: Any = None
) -> Referral:
    """The sender withdraws the referral (e.g. consent withdrawn); the recipient loses access."""
    membership = _as_sender(actor, referral)
    reason = _text(reason, field="reason", required=True)
    locked = _lock(
        referral,
        (S.SENT, S.ACCEPTED, S.DECLINED, S.DELIVERED),
        _("Không thể thu hồi: chuyển gửi đang ở trạng thái “%(status)s”."),
    )
    before = locked.status
    locked.status, locked.revoked_at, locked.revoke_reason = S.REVOKED, now(), reason
    locked.version += 1
    locked.save()
    _event(locked, actor, "revoked", before)
    _audit(locked, actor, membership, "update", request, to="revoked")
    if before in (S.SENT, S.ACCEPTED):
        notify(holders(locked.to_agency_id, Perm.REFERRAL_RECEIVE), "revoked", locked)
    return locked


@transaction.atomic
def service_record(
    *,
    case: Case,
    actor: Any,
    service: str,
    delivered_on: dt.date,
    description: str,
    request: Any = None,
) -> ServiceDelivery:
    """A service the case's own agency delivered directly."""
    membership = can_edit(actor, case)
    if membership is None:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if service not in Need.values:
        errors["service"] = [_("Dịch vụ không hợp lệ.")]
    if delivered_on > _today():
        errors["delivered_on"] = [_("Ngày cung cấp không thể ở tương lai.")]
    elif delivered_on < timezone.localdate(case.opened_at) - dt.timedelta(days=366):
        errors["delivered_on"] = [_("Ngày cung cấp quá xa so với ngày tiếp nhận.")]
    if errors:
        raise ValidationError(errors)
    description = _text(description, field="description", required=True)
    delivery = ServiceDelivery(
        case=case,
        service=service,
        delivered_on=delivered_on,
        description=description,
        agency_id=case.agency_id,
        recorded_by=actor,
        recorded_at=now(),
    )
    delivery.full_clean()
    delivery.save()
    audit_record(
        action="create",
        request=request,
        user=actor,
        membership=membership,
        object_type="service_delivery",
        object_id=delivery.pk,
        extra={"case": case.pk, "service": service},
    )
    return delivery


@transaction.atomic
def referrals_escalate_overdue() -> int:
    """Raise every overdue, unanswered referral to the sender agency's supervisors, once."""
    moment = now()
    count = 0
    overdue = Referral.objects.select_for_update(skip_locked=True).filter(
        status=S.SENT, escalated_at__isnull=True, due_at__lt=moment
    )
    for referral in overdue:
        referral.escalated_at = moment
        referral.save(update_fields=["escalated_at"])
        ReferralEvent.objects.create(
            referral=referral,
            at=moment,
            actor=None,
            kind="escalated",
            from_status=S.SENT,
            to_status=S.SENT,
        )
        audit_record(
            action="escalate",
            object_type="referral",
            object_id=referral.pk,
            username="escalate_referrals",
            extra={"case": referral.case_id},
        )
        users = [*holders(referral.from_agency_id, Perm.CASE_APPROVE), referral.sent_by]
        notify(users, Notification.Kind.OVERDUE, referral)
        count += 1
    return count
