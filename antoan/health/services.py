"""All writes of health-facility contacts (pages and the API call these; the demo writes its
fixed set in bulk, unaudited) and the audit of report downloads.

A health worker records a contact for a facility where they hold ``health.contact_record``
(a hospital, medical centre or commune health station). Every field is a code or a yes/no:
anything else is refused with a message keyed to the field and nothing is saved. A retried
request with the same ``client_uuid`` returns the first contact.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.accounts.models import HEALTH_KINDS, Agency, Membership
from antoan.accounts.roles import Perm
from antoan.cases import choices as c
from antoan.core.audit import audit_record
from antoan.core.permissions import memberships
from antoan.health.models import ServiceContact
from antoan.referrals.models import Referral, ReferralStatus

# "CG-000123", "cg 123" or "123": the number printed on a referral.
_REFERRAL_NUMBER = re.compile(r"^(?:CG[-\s]?)?0*(\d{1,12})$", re.IGNORECASE)
SERVICES = (
    "emergency_care",
    "forensic_exam",
    "counselling",
    "contraception_pep",
    "referral_offered",
    "referral_accepted",
    "case_opened",
)


@dataclass
class ContactInput:
    contact_date: Any
    sex: Any
    age_band: Any
    gbv_type: Any
    facility: Any = None  # an agency id; None: the only facility the actor records for
    violence_forms: Sequence[Any] = field(default_factory=list)
    perpetrator_relation: Any = ""
    emergency_care: Any = False
    forensic_exam: Any = False
    counselling: Any = False
    contraception_pep: Any = False
    referral_offered: Any = False
    referral_accepted: Any = False
    case_opened: Any = False
    referral_number: Any = ""
    client_uuid: uuid.UUID | None = None


@dataclass(frozen=True)
class RecordResult:
    contact: ServiceContact
    created: bool


def recording_memberships(actor: Any) -> list[Membership]:
    """The actor's memberships through which they record contacts: health facilities only."""
    return [
        m
        for m in memberships(actor)
        if m.agency.kind in HEALTH_KINDS and Perm.HEALTH_CONTACT_RECORD in _perms(m)
    ]


def _perms(membership: Membership) -> frozenset[Perm]:
    from antoan.accounts.roles import role_permissions

    return role_permissions(membership.role)


def recording_facilities(actor: Any) -> list[Agency]:
    seen: dict[int, Agency] = {}
    for m in recording_memberships(actor):
        seen.setdefault(m.agency_id, m.agency)
    return sorted(seen.values(), key=lambda a: a.name)


def _membership_for(actor: Any, facility: Any) -> Membership:
    """The membership recording for ``facility`` (an id); another facility, a missing one or
    none at all are refused alike (403), so facility ids cannot be probed."""
    found = recording_memberships(actor)
    if facility is None or facility == "":
        ids = {m.agency_id for m in found}
        if len(ids) == 1:
            return found[0]
        if not ids:
            raise PermissionDenied
        raise ValidationError({"facility": [_("Bạn làm việc ở nhiều cơ sở: hãy chọn cơ sở.")]})
    try:
        pk = int(facility)
    except (TypeError, ValueError):
        raise PermissionDenied from None
    for m in found:
        if m.agency_id == pk:
            return m
    raise PermissionDenied


def _code(value: Any, choices: type[models.TextChoices], *, blank: bool = False) -> str:
    if blank and value in ("", None):
        return ""
    if not isinstance(value, str) or value not in choices.values:
        raise ValueError
    return value


def _forms(value: Any) -> list[str]:
    if not isinstance(value, list | tuple):
        raise ValueError
    return sorted({_code(x, c.DvForm) for x in value})


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError
    return value


def _referral(number: Any, facility: Agency, day: dt.date | None) -> Referral | None:
    """A referral this facility received, by its number. Any other number (unknown, sent to
    another facility, revoked, sent after the contact) gets the same answer: no oracle."""
    if number in ("", None):
        return None
    match = _REFERRAL_NUMBER.match(number.strip()) if isinstance(number, str) else None
    found = None
    if match:
        found = (
            Referral.objects.filter(pk=int(match.group(1)), to_agency=facility)
            .exclude(status=ReferralStatus.REVOKED)
            .first()
        )
    if found is not None and day is not None and timezone.localdate(found.sent_at) > day:
        found = None
    if found is None:
        raise ValidationError(
            {
                "referral_number": [
                    _("Không có chuyển gửi đến cơ sở này với số đã nhập (ví dụ CG-000123).")
                ]
            }
        )
    return found


def _check(data: ContactInput, facility: Agency) -> dict[str, Any]:
    """The contact's values, each checked; every refusal keyed to its field."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    invalid = _("Giá trị không hợp lệ.")

    def take(name: str, check: Any) -> None:
        try:
            values[name] = check(getattr(data, name))
        except (ValueError, TypeError):
            errors.setdefault(name, []).append(invalid)

    take("sex", lambda v: _code(v, c.Sex))
    take("age_band", lambda v: _code(v, c.AgeGroup))
    take("gbv_type", lambda v: _code(v, c.GbvType))
    take("perpetrator_relation", lambda v: _code(v, c.Relationship, blank=True))
    take("violence_forms", _forms)
    for name in SERVICES:
        take(name, _flag)

    day = data.contact_date
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        errors.setdefault("contact_date", []).append(_("Nhập ngày theo dạng ngày/tháng/năm."))
        day = None
    elif day > timezone.localdate():
        errors.setdefault("contact_date", []).append(_("Ngày tiếp nhận không được ở tương lai."))
    elif facility.valid_from and day < facility.valid_from:
        errors.setdefault("contact_date", []).append(
            _("Ngày tiếp nhận trước ngày cơ sở bắt đầu hoạt động (%(day)s).")
            % {"day": facility.valid_from.strftime("%d/%m/%Y")}
        )
    elif facility.valid_to and day > facility.valid_to:
        errors.setdefault("contact_date", []).append(
            _("Ngày tiếp nhận sau ngày cơ sở ngừng hoạt động (%(day)s).")
            % {"day": facility.valid_to.strftime("%d/%m/%Y")}
        )
    values["contact_date"] = day
    if values.get("referral_accepted") and not values.get("referral_offered"):
        errors.setdefault("referral_accepted", []).append(
            _("Chỉ ghi “đồng ý chuyển gửi” khi đã đề nghị chuyển gửi.")
        )
    try:
        values["referral"] = _referral(data.referral_number, facility, day)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if values.get("referral") is not None:
        # They came by referral: a case exists, and it counts them.
        values["case_opened"] = True
    if errors:
        raise ValidationError(errors, code="invalid")
    return values


@transaction.atomic
def contact_record(*, actor: Any, data: ContactInput, request: Any = None) -> RecordResult:
    """Record a contact for one of the actor's facilities. Audited with ids only."""
    if data.client_uuid is not None:
        existing = ServiceContact.objects.filter(client_uuid=data.client_uuid).first()
        if existing is not None:
            return _replay(existing, actor=actor, request=request)
    membership = _membership_for(actor, data.facility)
    facility = membership.agency
    values = _check(data, facility)
    contact = ServiceContact(
        facility=facility,
        recorded_by=actor,
        recorded_at=timezone.now(),
        client_uuid=data.client_uuid,
        **values,
    )
    contact.full_clean(exclude=["facility", "referral", "recorded_by"])
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError:
        # Two retries raced: the loser returns the winner's contact.
        existing = (
            ServiceContact.objects.filter(client_uuid=data.client_uuid).first()
            if data.client_uuid
            else None
        )
        if existing is None:
            raise
        return _replay(existing, actor=actor, request=request)
    audit_record(
        action="create",
        request=request,
        user=actor,
        membership=membership,
        object_type="health_contact",
        object_id=contact.pk,
        place_code=facility.place.code,
        extra={"facility": facility.pk, "referral": contact.referral_id},
    )
    return RecordResult(contact, created=True)


def _replay(existing: ServiceContact, *, actor: Any, request: Any = None) -> RecordResult:
    if existing.recorded_by_id != actor.pk:
        raise ValidationError(
            {"client_uuid": [_("Mã client_uuid này đã được dùng; hãy tạo mã mới.")]},
            code="duplicate",
        )
    return RecordResult(existing, created=False)


def report_downloaded(*, actor: Any, request: Any, place: Any, filters: list[str]) -> None:
    """A monthly report left the system as a file: who, which place, which filters (their
    names). Audited as the indicator tables' downloads are; reads of the page are not."""
    audit_record(
        action="export",
        request=request,
        user=actor,
        object_type="health_report",
        object_id=place,
        extra={"format": "xlsx", "filters": filters},
    )
