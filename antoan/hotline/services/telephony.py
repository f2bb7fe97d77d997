"""Events of the hotline's PBX (ringing, answered, ended) and messages of the SMS/Zalo gateway,
applied to contacts.

A call is one contact (channel ``phone``), found again by the PBX's call id
(``Call.external_id``, unique per hotline): events are idempotent, may come twice or out of
order (an ``ended`` before the ``answered`` it follows), and an event for a call the PBX never
announced is refused, so the PBX sends it again later. The caller's number is stored encrypted
with its per-hotline blind index (``contacts.caller_index``); no audit event or log line holds
it. Each event id is accepted once (``webhooks.remember``, in the same transaction).
See docs/hotline-telephony.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.core.crypto import normalise_phone
from antoan.core.permissions import grant
from antoan.hotline import choices as h
from antoan.hotline import webhooks
from antoan.hotline.models import Call, ContactMessage, OperatorPresence
from antoan.hotline.services import FUTURE_TOLERANCE, _bump, now
from antoan.hotline.services.contacts import audit_contact, contact_arrive, inbound_message

RINGING, ANSWERED, ENDED = "ringing", "answered", "ended"
EVENTS = (RINGING, ANSWERED, ENDED)
# A PBX that queued its events while the link was down sends them late; older is not an event
# of a call still worth recording as it happens.
PAST_TOLERANCE = dt.timedelta(hours=24)


class EventRefused(Exception):
    """An event the hotline cannot place: an unknown line, extension or call. Nothing was
    written; ``code`` is the API's error code."""

    def __init__(self, code: str, message: str):
        super().__init__(code)
        self.code = code
        self.message = message


@dataclass
class TelephonyEvent:
    event_id: str
    event: str
    call_id: str
    at: dt.datetime | None = None
    caller: str = ""
    line: str = ""
    extension: str = ""


@dataclass
class Applied:
    contact: Call
    created: bool = False
    changed: bool = False


def hotline_of(line: str) -> Agency:
    agency = webhooks.hotline_for_line(line)
    if agency is None:
        raise EventRefused(
            "unknown_line",
            _("Đường dây “%(line)s” chưa được gắn với đường dây nóng nào (ANTOAN_HOTLINE_LINES).")
            % {"line": line[:40]},
        )
    return agency


def operator_at(agency: Agency, extension: str) -> Any:
    """The operator of ``agency`` whose presence names ``extension``; EventRefused if none (or
    if they no longer work on that hotline)."""
    presence = (
        OperatorPresence.objects.select_related("user")
        .filter(agency=agency, extension=extension)
        .first()
    )
    if (
        presence is None
        or not presence.user.is_active
        or grant(presence.user, Perm.CALL_LOG, agency_id=agency.pk) is None
    ):
        raise EventRefused(
            "unknown_extension",
            _("Máy lẻ “%(extension)s” không thuộc tư vấn viên nào của đường dây nóng này.")
            % {"extension": extension[:20]},
        )
    return presence.user


def _moment(at: dt.datetime | None) -> dt.datetime:
    moment = now()
    if at is None:
        return moment
    if at > moment + FUTURE_TOLERANCE:
        raise ValidationError({"at": [_("Thời điểm ở tương lai.")]})
    if at < moment - PAST_TOLERANCE:
        raise ValidationError({"at": [_("Sự kiện quá cũ (hơn 24 giờ).")]})
    return at


def _audit(contact: Call, *, fields: list[str], event: str, request: Any, **extra: Any) -> None:
    # Never the number: the call's id, what changed and which event did it.
    audit_contact(
        contact,
        action="update",
        request=request,
        fields=fields,
        event=event,
        source=webhooks.TELEPHONY,
        **extra,
    )


def _duration(contact: Call) -> int | None:
    if contact.answered_at is None or contact.ended_at is None:
        return None
    return max(0, int((contact.ended_at - contact.answered_at).total_seconds()))


@transaction.atomic
def telephony_event(event: TelephonyEvent, *, request: Any = None) -> Applied:
    """Apply one PBX event. Raises EventRefused (nothing written), webhooks.Replayed for an
    event id already received, ValidationError for a bad time."""
    if event.event not in EVENTS:
        raise ValidationError(
            {"event": [_("Giá trị không hợp lệ: %(value)s.") % {"value": event.event[:20]}]}
        )
    agency = hotline_of(event.line)
    operator = operator_at(agency, event.extension) if event.extension else None
    at = _moment(event.at)
    webhooks.remember(webhooks.TELEPHONY, event.event_id, at=now())
    contact = (
        Call.objects.select_for_update()
        .filter(agency=agency, channel=h.Channel.PHONE, external_id=event.call_id)
        .first()
    )
    if event.event == RINGING:
        return _ringing(contact, event, agency=agency, operator=operator, at=at, request=request)
    if contact is None:
        raise EventRefused(
            "unknown_call",
            _(
                "Chưa nhận sự kiện đổ chuông của cuộc gọi này; hãy gửi sự kiện “ringing” "
                "trước rồi gửi lại."
            ),
        )
    if event.event == ANSWERED:
        return _answered(contact, operator=operator, at=at, request=request)
    return _ended(contact, at=at, request=request)


def _ringing(contact, event, *, agency, operator, at, request) -> Applied:
    if contact is not None:
        # Sent twice (a retry with a new event id): the call is already there.
        if operator is not None and contact.operator_id is None and contact.answered_at is None:
            contact.operator = operator
            _bump(contact, None)
            contact.save(update_fields=["operator"])
            _audit(contact, fields=["operator"], event=RINGING, request=request)
            return Applied(contact, changed=True)
        return Applied(contact)
    try:
        # A savepoint (contact_arrive is atomic): a twin ringing that won the race leaves this
        # transaction usable.
        contact = contact_arrive(
            agency=agency,
            channel=h.Channel.PHONE,
            received_at=at,
            caller_address=normalise_phone(event.caller),
            external_id=event.call_id,
            line=event.line,
            request=request,
        )
    except IntegrityError:
        twin = Call.objects.select_for_update().get(
            agency=agency, channel=h.Channel.PHONE, external_id=event.call_id
        )
        return Applied(twin)
    if operator is not None:
        # Ringing at an operator's phone: their queue page opens the contact.
        contact.operator = operator
        contact.save(update_fields=["operator"])
        _audit(contact, fields=["operator"], event=RINGING, request=request)
    return Applied(contact, created=True, changed=True)


def _answered(contact: Call, *, operator, at, request) -> Applied:
    if contact.answered_at is not None:
        return Applied(contact)  # answered once; the first answer counts
    operator = operator or contact.operator
    if operator is None:
        raise EventRefused(
            "extension_required",
            _("Sự kiện “answered” cần số máy lẻ của tư vấn viên đã nhấc máy (extension)."),
        )
    answered = max(at, contact.received_at)
    if contact.ended_at is not None:
        # The "ended" came first: the answer still happened before it.
        answered = min(answered, contact.ended_at)
    contact.operator, contact.answered_at = operator, answered
    contact.duration_seconds = _duration(contact)
    _bump(contact, None)
    contact.save(update_fields=["operator", "answered_at", "duration_seconds"])
    _audit(
        contact,
        fields=["operator", "answered_at", "duration_seconds"],
        event=ANSWERED,
        request=request,
    )
    return Applied(contact, changed=True)


def _ended(contact: Call, *, at, request) -> Applied:
    if contact.ended_at is not None:
        return Applied(contact)
    contact.ended_at = max(at, contact.answered_at or contact.received_at, contact.received_at)
    contact.duration_seconds = _duration(contact)
    _bump(contact, None)
    contact.save(update_fields=["ended_at", "duration_seconds"])
    _audit(
        contact,
        fields=["ended_at", "duration_seconds"],
        event=ENDED,
        request=request,
        missed=contact.answered_at is None,
    )
    return Applied(contact, changed=True)


# --- Messages (SMS, Zalo) ------------------------------------------------------------------


@dataclass
class MessageEvent:
    message_id: str
    channel: str
    sender: str
    body: Any
    line: str = ""


@dataclass
class Received:
    contact: Call
    first: ContactMessage
    parts: int
    new_contact: bool


@transaction.atomic
def message_event(event: MessageEvent, *, request: Any = None) -> Received:
    """An SMS or Zalo message from the gateway: it joins the sender's conversation still going
    on that channel of the line's hotline, or opens a new contact in the queue."""
    agency = hotline_of(event.line)
    webhooks.remember(event.channel, event.message_id, at=now())
    first = inbound_message(
        agency=agency,
        channel=event.channel,
        sender=event.sender,
        body=event.body,
        line=event.line,
        request=request,
    )
    contact = first.contact
    parts = contact.messages.filter(seq__gte=first.seq).count()
    return Received(contact=contact, first=first, parts=parts, new_contact=first.seq == 1)
