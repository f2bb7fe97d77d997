"""All writes of the call log. Pages, the API and commands call these; nothing else writes.

Who may write a call is who may see it (``selectors.may_see``): its operator, any operator of
the hotline while the call is in the open queue, and the hotline's supervisors.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency, Membership
from antoan.accounts.roles import Perm
from antoan.cases import rules
from antoan.cases.services import (
    ConsentInput,
    IncidentInput,
    IntakeStopped,
    OpenResult,
    SurvivorInput,
    case_open,
)
from antoan.cases.services.common import commune_on
from antoan.core.audit import audit_record
from antoan.core.permissions import grant
from antoan.hotline import choices as h
from antoan.hotline.models import Call, CallNotification

# Clocks of the operator's phone and the server differ a little; more than this is a typo.
FUTURE_TOLERANCE = dt.timedelta(minutes=2)
MAX_DURATION_SECONDS = 24 * 3600
SUMMARY_MAX = 10_000


def now() -> dt.datetime:
    """The services' clock."""
    return timezone.now()


class CallConflict(Exception):
    """A change based on a version of the call that is no longer current."""

    def __init__(self, *, call: Call, loaded_version: int):
        super().__init__(f"call {call.pk}: version {loaded_version} is stale")
        self.call = call
        self.loaded_version = loaded_version


@dataclass
class CallInput:
    channel: str
    caller_type: str
    category: str
    received_at: dt.datetime | None = None  # None: now
    anonymous: bool = False
    commune: str | None = None  # a current commune code
    summary: str = ""
    immediate_danger: bool = False
    outcome: str = ""
    duration_seconds: int | None = None


# Fields a call_update may change (not the operator, agency, status or case).
UPDATABLE = (
    "received_at",
    "channel",
    "caller_type",
    "anonymous",
    "commune",
    "category",
    "summary",
    "immediate_danger",
    "outcome",
    "duration_seconds",
)


# --- Checks -------------------------------------------------------------------------------


def _choice(value: str, choices: type[models.TextChoices], name: str, *, blank: bool = False):
    if blank and value == "":
        return value
    if value not in choices.values:
        raise ValidationError({name: [_("Giá trị không hợp lệ: %(value)s.") % {"value": value}]})
    return value


def _not_future(moment: dt.datetime, name: str) -> dt.datetime:
    if timezone.is_naive(moment):
        raise ValidationError({name: [_("Thời điểm phải kèm múi giờ.")]})
    if moment > now() + FUTURE_TOLERANCE:
        raise ValidationError({name: [_("Thời điểm không được ở tương lai.")]})
    return moment


def _duration(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= MAX_DURATION_SECONDS:
        raise ValidationError({"duration_seconds": [_("Thời lượng không hợp lệ.")]})
    return value


def _apply(call: Call, data: dict[str, Any]) -> None:
    """Validate and set the given fields of ``data`` on ``call`` (raises ValidationError)."""
    errors: dict[str, list[str]] = {}
    checks = {
        "received_at": lambda v: _not_future(v or now(), "received_at"),
        "channel": lambda v: _choice(v, h.Channel, "channel"),
        "caller_type": lambda v: _choice(v, h.CallerType, "caller_type"),
        "category": lambda v: _choice(v, h.Category, "category"),
        "outcome": lambda v: _choice(v or "", h.Outcome, "outcome", blank=True),
        "anonymous": bool,
        "immediate_danger": bool,
        "duration_seconds": _duration,
        "summary": lambda v: rules.clean_text(
            v or "", field="summary", max_length=SUMMARY_MAX, multiline=True
        ),
        "commune": lambda v: (
            commune_on(v, on=timezone.localdate(now()), field="commune") if v else None
        ),
    }
    for name, value in data.items():
        try:
            setattr(call, name, checks[name](value))
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    if call.outcome == h.Outcome.CASE_OPENED and call.case_id is None:
        raise ValidationError(
            {"outcome": [_("Kết quả “Đã mở hồ sơ ca” được ghi khi mở hồ sơ từ cuộc gọi.")]}
        )
    if call.case_id is not None and call.outcome != h.Outcome.CASE_OPENED:
        raise ValidationError(
            {"outcome": [_("Cuộc gọi đã gắn với hồ sơ ca; không đổi được kết quả.")]}
        )


def _hotline_membership(actor: Any) -> Membership:
    membership = grant(actor, Perm.CALL_LOG)
    if membership is None:
        raise PermissionDenied
    return membership


def may_act(actor: Any, call: Call) -> Membership | None:
    """The membership through which ``actor`` may see and change ``call`` (None: neither)."""
    supervisor = grant(actor, Perm.CALL_VIEW_ALL, agency_id=call.agency_id)
    if supervisor is not None:
        return supervisor
    operator = grant(actor, Perm.CALL_LOG, agency_id=call.agency_id)
    if operator is not None and (call.operator_id == actor.pk or call.status == h.Status.OPEN):
        return operator
    return None


def _require(actor: Any, call: Call) -> Membership:
    """Lock the call, reload it and check the actor may act on it."""
    Call.objects.select_for_update().filter(pk=call.pk).values_list("pk", flat=True).first()
    call.refresh_from_db()
    membership = may_act(actor, call)
    if membership is None:
        raise PermissionDenied
    return membership


def _bump(call: Call, version: int | None) -> None:
    rows = Call.objects.filter(pk=call.pk)
    if version is not None:
        rows = rows.filter(version=version)
    if not rows.update(version=F("version") + 1, updated_at=now()):
        raise CallConflict(call=call, loaded_version=version or 0)
    call.version = Call.objects.values_list("version", flat=True).get(pk=call.pk)


def _audit(call: Call, *, action: str, actor, membership, request, fields=(), extra=None) -> None:
    audit_record(
        action=action,
        request=request,
        user=actor,
        membership=membership,
        object_type="call",
        object_id=call.pk,
        place_code=call.commune.code if call.commune is not None else "",
        changed_fields=list(fields),
        extra=extra,
    )


# --- Services -------------------------------------------------------------------------------


@transaction.atomic
def call_log(*, actor: Any, data: CallInput, close: bool = False, request: Any = None) -> Call:
    """Log a call for the actor's hotline; ``close`` closes it at once (needs an outcome)."""
    membership = _hotline_membership(actor)
    call = Call(operator=actor, agency=membership.agency)
    values = {name: getattr(data, name) for name in UPDATABLE}
    _apply(call, values)
    if call.channel == h.Channel.WEB_CHAT:
        # A web chat opens by itself from the public chat page; it is never logged by hand.
        raise ValidationError({"channel": [_("Không ghi tay được cuộc trò chuyện trên web.")]})
    # Logged by the operator who handled it: answered when it came in, over when logged, or
    # after its duration (as the migration did for the calls logged before contacts had times).
    call.answered_at = call.received_at
    call.ended_at = call.received_at + dt.timedelta(seconds=call.duration_seconds or 0)
    if close:
        _check_closable(call)
        call.status, call.closed_at = h.Status.CLOSED, now()
    call.full_clean()
    call.save()
    _audit(
        call,
        action="create",
        actor=actor,
        membership=membership,
        request=request,
        fields=[*UPDATABLE, *(["status"] if close else [])],
    )
    return call


@transaction.atomic
def call_update(
    *, call: Call, actor: Any, version: int, changes: dict[str, Any], request: Any = None
) -> Call:
    """Change the call's own fields; a stale ``version`` is refused (CallConflict)."""
    membership = _require(actor, call)
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise ValidationError({name: [_("Không thay đổi được trường này.")] for name in unknown})
    if call.status == h.Status.CLOSED:
        raise ValidationError(_("Cuộc gọi đã đóng; không sửa được."))
    _apply(call, changes)
    _bump(call, version)
    call.full_clean()
    call.save()
    _audit(
        call, action="update", actor=actor, membership=membership, request=request, fields=changes
    )
    return call


def chair_notice_missing(call: Call) -> bool:
    """Law 13/2022: a call in immediate danger needs the commune chairperson told at once."""
    return call.immediate_danger and not any(
        n.role == h.NoticeRole.COMMUNE_CHAIR for n in call.notifications.all()
    )


def _check_closable(call: Call) -> None:
    if not call.outcome:
        raise ValidationError({"outcome": [_("Chọn kết quả xử lý trước khi đóng cuộc gọi.")]})
    if (call.pk is None and call.immediate_danger) or (call.pk and chair_notice_missing(call)):
        raise ValidationError(
            _(
                "Cuộc gọi có nguy hiểm tức thời: hãy ghi nhận việc đã báo Chủ tịch UBND xã, "
                "phường trước khi đóng."
            )
        )


@transaction.atomic
def call_close(
    *, call: Call, actor: Any, version: int, outcome: str | None = None, request: Any = None
) -> Call:
    """Close a call (it leaves the open queue); it needs an outcome, and the chairperson
    notified when the caller was in immediate danger."""
    membership = _require(actor, call)
    if call.status == h.Status.CLOSED:
        raise ValidationError(_("Cuộc gọi đã đóng."))
    if outcome:
        _apply(call, {"outcome": outcome})
    _check_closable(call)
    _bump(call, version)
    call.status, call.closed_at = h.Status.CLOSED, now()
    call.full_clean()
    call.save()
    _audit(
        call,
        action="update",
        actor=actor,
        membership=membership,
        request=request,
        fields=["status", "outcome"],
        extra={"event": "closed"},
    )
    return call


@transaction.atomic
def call_notify_record(
    *,
    call: Call,
    actor: Any,
    role: str,
    method: str,
    notified_at: dt.datetime,
    agency: Agency | None = None,
    person_name: str = "",
    request: Any = None,
) -> CallNotification:
    """Record that someone (an agency and/or a named person) was told about the call."""
    membership = _require(actor, call)
    errors: dict[str, list[str]] = {}
    for _field, check in (
        ("role", lambda: _choice(role, h.NoticeRole, "role")),
        ("method", lambda: _choice(method, h.NoticeMethod, "method")),
        ("notified_at", lambda: _not_future(notified_at, "notified_at")),
        (
            "person_name",
            lambda: rules.clean_text(person_name, field="person_name", max_length=200),
        ),
    ):
        try:
            check()
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    name = person_name.strip() if "person_name" not in errors else ""
    if "notified_at" not in errors and notified_at < call.received_at - FUTURE_TOLERANCE:
        errors["notified_at"] = [_("Thời điểm báo không được trước khi nhận cuộc gọi.")]
    if agency is None and not name and "person_name" not in errors:
        errors["person_name"] = [_("Ghi cơ quan hoặc tên người được báo.")]
    if errors:
        raise ValidationError(errors)
    notice = CallNotification(
        call=call,
        agency=agency,
        person_name=rules.clean_text(person_name, field="person_name", max_length=200),
        role=role,
        method=method,
        notified_at=notified_at,
        notified_by=actor,
    )
    notice.full_clean()
    notice.save()
    _bump(call, None)
    _audit(
        call,
        action="update",
        actor=actor,
        membership=membership,
        request=request,
        fields=["notifications"],
        extra={"event": "notified", "role": role},
    )
    return notice


def call_open_case(
    *,
    call: Call,
    actor: Any,
    survivor: SurvivorInput,
    consent: ConsentInput,
    incident: IncidentInput | None = None,
    needs: Sequence[str] = (),
    risk_level: str | None = None,
    client_uuid: uuid.UUID | None = None,
    confirm_duplicates: bool = True,
    request: Any = None,
) -> OpenResult:
    """Open a case from the call (source hotline) and link them; the call's outcome becomes
    "case opened". The survivor's commune defaults to the call's."""
    stopped: IntakeStopped
    with transaction.atomic():
        try:
            return _call_open_case(
                call=call,
                actor=actor,
                survivor=survivor,
                consent=consent,
                incident=incident,
                needs=needs,
                risk_level=risk_level,
                client_uuid=client_uuid,
                confirm_duplicates=confirm_duplicates,
                request=request,
            )
        except IntakeStopped as stop:
            # Nothing was created, but the duplicate check's audit event must stay: leave the
            # transaction normally, then raise.
            stopped = stop
    raise stopped


def _call_open_case(
    *,
    call: Call,
    actor: Any,
    survivor: SurvivorInput,
    consent: ConsentInput,
    incident: IncidentInput | None,
    needs: Sequence[str],
    risk_level: str | None,
    client_uuid: uuid.UUID | None,
    confirm_duplicates: bool,
    request: Any,
) -> OpenResult:
    membership = _require(actor, call)
    if call.case_id is not None:
        raise ValidationError(_("Đã mở hồ sơ từ cuộc gọi này."), code="already_linked")
    if survivor.commune is None and call.commune is not None:
        survivor.commune = call.commune.code
    result = case_open(
        actor=actor,
        source="hotline",
        survivor=survivor,
        consent=consent,
        incident=incident,
        needs=needs,
        risk_level=risk_level,
        immediate_danger=call.immediate_danger,
        client_uuid=client_uuid,
        confirm_duplicates=confirm_duplicates,
        request=request,
    )
    if Call.objects.filter(case=result.case).exclude(pk=call.pk).exists():
        # A replayed client_uuid that belongs to another call's case.
        raise ValidationError(
            {"client_uuid": [_("Mã client_uuid này đã được dùng cho một hồ sơ khác.")]}
        )
    _bump(call, None)
    call.case = result.case
    call.outcome = h.Outcome.CASE_OPENED
    call.full_clean()
    call.save()
    _audit(
        call,
        action="update",
        actor=actor,
        membership=membership,
        request=request,
        fields=["case", "outcome"],
        extra={"event": "case_opened"},
    )
    return result


# What identifies a contact's person, blanked when the contact is anonymised: the summary and
# the caller's number or account (with its blind index, which would still match them).
CONTACT_TEXT = ("summary", "caller_address")


def _contacts_anonymise(contacts: Any, scrubbed: Any) -> None:
    """Blank the contacts' summaries, callers' numbers and their written messages (the
    transcript is kept and erased with its contact, under the same rules as cases)."""
    from antoan.cases.services.retention import blank_text
    from antoan.hotline.models import ContactMessage

    blank_text(contacts, CONTACT_TEXT, scrubbed)
    contacts.exclude(caller_index="").update(caller_index="")
    blank_text(ContactMessage.objects.filter(contact__in=contacts), ("body",), scrubbed)


def calls_anonymise(*, case_ids: Sequence[int], scrubbed: Any) -> None:
    """Blank the contacts that opened these (anonymised) cases, and their transcripts."""
    _contacts_anonymise(Call.objects.filter(case_id__in=case_ids), scrubbed)


def calls_unlinked_anonymise(*, closed_before: dt.datetime, scrubbed: Any) -> None:
    """Blank the contacts that opened no case, closed before ``closed_before``, and their
    transcripts."""
    old = Call.objects.filter(
        case__isnull=True, status=h.Status.CLOSED, closed_at__lt=closed_before
    )
    _contacts_anonymise(old, scrubbed)
