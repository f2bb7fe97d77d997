"""Contacts that arrive by themselves (web chat, telephony, SMS, Zalo): the queue, taking a
contact, its written messages, ending it, and the operators' availability.

A contact is a ``Call`` row (``Contact`` is the same model). One that arrives by itself waits
in its hotline's queue (no operator, ``answered_at`` empty) until an operator of that hotline
takes it; it is in conversation until ``ended_at``; then it is closed like any call, with an
outcome (``services.call_close``). Every write is audited as object type ``call``, the
messages' text never (only their count and direction).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.http import Http404
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.cases import rules
from antoan.core.audit import audit_record
from antoan.core.crypto import blind_index, normalise_phone
from antoan.core.permissions import grant
from antoan.hotline import choices as h
from antoan.hotline.models import Call, ContactMessage, OperatorPresence
from antoan.hotline.services import _bump, now

# A message is text a person typed: longer than this is not a message (a paste of a file).
MESSAGE_MAX = 2000
# An operator whose queue page has not been seen for this long is not staffing the hotline.
PRESENCE_FRESH = dt.timedelta(minutes=2)


class ContactTaken(Exception):
    """The contact was taken by another operator (or ended) before this one got to it."""

    def __init__(self, contact: Call):
        super().__init__(f"contact {contact.pk} is no longer waiting")
        self.contact = contact


class ContactEnded(Exception):
    """A message or action for a conversation that has ended."""

    def __init__(self, contact: Call):
        super().__init__(f"contact {contact.pk} has ended")
        self.contact = contact


# --- Helpers -------------------------------------------------------------------------------


def caller_index(agency_id: int, address: str) -> str:
    """Blind index of a caller's number or account, keyed per hotline: it only ever matches
    this hotline's own earlier contacts, never a survivor's phone in a case."""
    value = normalise_phone(address) or address.strip().lower()
    return blind_index(value, purpose=f"hotline-caller:{agency_id}") if value else ""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def audit_contact(
    contact: Call,
    *,
    action: str,
    request: Any = None,
    actor: Any = None,
    membership: Any = None,
    username: str = "",
    **extra: Any,
) -> None:
    """One audit event of a contact: its id, the fields changed (``fields``) and what
    happened, never a message's text or a caller's number. ``actor`` None: the visitor, a
    gateway or a PBX (nobody signed in)."""
    audit_record(
        action=action,
        request=request,
        user=actor,
        membership=membership,
        username=username,
        object_type="call",
        object_id=contact.pk,
        changed_fields=list(extra.pop("fields", ())),
        extra=extra or None,
    )


def _lock(contact: Call) -> Call:
    Call.objects.select_for_update().filter(pk=contact.pk).values_list("pk", flat=True).first()
    contact.refresh_from_db()
    return contact


def operator_membership(actor: Any, contact: Call):
    """The membership through which ``actor`` works on ``contact``'s hotline: an operator of
    it, or one of its supervisors. None: neither."""
    return grant(actor, Perm.CALL_LOG, agency_id=contact.agency_id) or grant(
        actor, Perm.CALL_VIEW_ALL, agency_id=contact.agency_id
    )


def _message_text(body: Any) -> str:
    if not isinstance(body, str):
        raise ValidationError({"body": [_("Tin nhắn phải là văn bản.")]})
    return rules.clean_text(
        body, field="body", max_length=MESSAGE_MAX, multiline=True, required=True
    )


def _append(contact: Call, *, direction: str, body: str, author: Any = None) -> ContactMessage:
    """Add a message (the contact is locked by the caller): the next ``seq``, now."""
    last = contact.messages.aggregate(last=Max("seq"))["last"] or 0
    message = ContactMessage(
        contact=contact, seq=last + 1, direction=direction, body=body, author=author, sent_at=now()
    )
    message.save()
    return message


# --- Arrival -------------------------------------------------------------------------------


@transaction.atomic
def contact_arrive(
    *,
    agency: Agency,
    channel: str,
    received_at: dt.datetime | None = None,
    caller_address: str = "",
    external_id: str = "",
    line: str = "",
    request: Any = None,
) -> Call:
    """A contact arrives by itself in ``agency``'s queue: waiting, no operator yet."""
    if channel not in h.LIVE_CHANNELS:
        raise ValidationError(
            {"channel": [_("Giá trị không hợp lệ: %(value)s.") % {"value": channel}]}
        )
    contact = Call(
        agency=agency,
        channel=channel,
        received_at=received_at or now(),
        caller_address=caller_address,
        caller_index=caller_index(agency.pk, caller_address),
        external_id=external_id,
        line=line,
        status=h.Status.OPEN,
    )
    contact.save()
    audit_contact(contact, action="create", request=request, event="arrived", channel=channel)
    return contact


@dataclass
class StartedChat:
    contact: Call
    token: str  # given to the visitor once; only its digest is stored


def chat_start(*, agency: Agency, request: Any = None) -> StartedChat:
    """An anonymous web chat opens in ``agency``'s queue. Nothing about the visitor is kept:
    no name, no address, no network address; the token proves the visitor is the same tab."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        contact = contact_arrive(agency=agency, channel=h.Channel.WEB_CHAT, request=request)
        contact.visitor_token_hash = token_digest(token)
        contact.visitor_seen_at = contact.received_at
        contact.anonymous = True
        contact.save(update_fields=["visitor_token_hash", "visitor_seen_at", "anonymous"])
    return StartedChat(contact=contact, token=token)


def chat_for_visitor(contact_id: Any, token: Any) -> Call:
    """The web chat if ``token`` is its visitor's; Http404 otherwise (no hint which part)."""
    try:
        pk = int(contact_id)
    except (TypeError, ValueError):
        raise Http404 from None
    contact = Call.objects.filter(pk=pk, channel=h.Channel.WEB_CHAT).first()
    if (
        contact is None
        or not isinstance(token, str)
        or not contact.visitor_token_hash
        or not hmac.compare_digest(contact.visitor_token_hash, token_digest(token))
    ):
        raise Http404
    _visitor_seen(contact)
    return contact


# How often a visitor's presence is written: a poll every 2.5 s must not be a write each time.
VISITOR_SEEN_EVERY = dt.timedelta(seconds=30)


def _visitor_seen(contact: Call) -> None:
    """The visitor's tab is still there (one UPDATE, of at most one row, every 30 s)."""
    moment = now()
    if contact.ended_at is None and (
        contact.visitor_seen_at is None or contact.visitor_seen_at < moment - VISITOR_SEEN_EVERY
    ):
        Call.objects.filter(pk=contact.pk, ended_at__isnull=True).update(visitor_seen_at=moment)
        contact.visitor_seen_at = moment


def visitor_gone_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.ANTOAN_CHAT_VISITOR_GONE_SECONDS)


@transaction.atomic
def chat_visitor_post(*, contact: Call, body: Any) -> ContactMessage:
    """A message from the web chat's visitor."""
    text = _message_text(body)
    _lock(contact)
    if contact.ended_at is not None:
        raise ContactEnded(contact)
    return _append(contact, direction=h.Direction.INBOUND, body=text)


@transaction.atomic
def chat_visitor_end(*, contact: Call, request: Any = None, gone: bool = False) -> Call:
    """The visitor left (quick exit or "Kết thúc"), or, with ``gone``, their tab has not been
    seen for ANTOAN_CHAT_VISITOR_GONE_SECONDS (closed, crashed, offline): the conversation
    ends; nothing else."""
    _lock(contact)
    if contact.ended_at is None:
        contact.ended_at = now()
        notice = (
            _("Người liên hệ không còn kết nối; cuộc trò chuyện đã tự kết thúc.")
            if gone
            else _("Người liên hệ đã rời cuộc trò chuyện.")
        )
        _append(contact, direction=h.Direction.SYSTEM, body=notice)
        _bump(contact, None)
        contact.save(update_fields=["ended_at"])
        audit_contact(
            contact,
            action="update",
            request=request,
            username="escalate_contacts" if gone else "",
            fields=["ended_at"],
            event="ended",
            by="timeout" if gone else "visitor",
        )
    return contact


# A gateway may deliver one long text (a concatenated SMS, a Zalo paste); it is kept whole, as
# consecutive messages of at most MESSAGE_MAX characters. Longer than this is not a message.
INBOUND_MAX = 16 * MESSAGE_MAX


def _parts(text: str) -> list[str]:
    """``text`` cut into pieces of at most MESSAGE_MAX characters, at a space when possible."""
    parts = []
    while len(text) > MESSAGE_MAX:
        cut = text.rfind(" ", MESSAGE_MAX // 2, MESSAGE_MAX + 1)
        cut = cut if cut > 0 else MESSAGE_MAX
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*parts, text] if text else parts


# The first key of the advisory locks of ``_lock_sender`` (PostgreSQL keeps locks of two int4
# keys apart from those of one bigint key, such as the audit sealer's).
SENDER_LOCK_SPACE = 15


def _lock_sender(agency_id: int, channel: str, index: str) -> None:
    """Serialise one sender's messages on one channel of one hotline until the transaction
    ends, so that two first messages arriving together cannot both find no conversation and
    open two. A row lock cannot do it: before the first contact there is no row to lock.
    PostgreSQL: a transaction-scoped advisory lock (two senders whose keys collide only wait
    for each other). SQLite lets one writer at a time: the second waits or fails, and is
    retried by the gateway; it never sees "no contact" after the first one wrote it."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"{agency_id}:{channel}:{index}".encode()).digest()
    key = int.from_bytes(digest[:4], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [SENDER_LOCK_SPACE, key])


@transaction.atomic
def inbound_message(
    *,
    agency: Agency,
    channel: str,
    sender: str,
    body: Any,
    external_id: str = "",
    line: str = "",
    request: Any = None,
) -> ContactMessage:
    """An SMS or Zalo message: it joins the sender's conversation still going on that channel
    of this hotline, or opens a new contact in the queue. A text longer than MESSAGE_MAX is
    kept as consecutive messages; the first is returned."""
    if channel not in (h.Channel.SMS, h.Channel.ZALO):
        raise ValidationError(
            {"channel": [_("Giá trị không hợp lệ: %(value)s.") % {"value": channel}]}
        )
    if not isinstance(body, str):
        raise ValidationError({"body": [_("Tin nhắn phải là văn bản.")]})
    text = rules.clean_text(
        body, field="body", max_length=INBOUND_MAX, multiline=True, required=True
    )
    sender = sender.strip() if isinstance(sender, str) else ""
    index = caller_index(agency.pk, sender)
    if not index:
        raise ValidationError({"sender": [_("Thiếu người gửi.")]})
    _lock_sender(agency.pk, channel, index)
    contact = (
        Call.objects.select_for_update()
        .filter(agency=agency, channel=channel, caller_index=index, ended_at__isnull=True)
        .order_by("-received_at")
        .first()
    )
    if contact is None:
        contact = contact_arrive(
            agency=agency,
            channel=channel,
            caller_address=(normalise_phone(sender) if channel == h.Channel.SMS else "") or sender,
            external_id=external_id,
            line=line,
            request=request,
        )
    messages = [_append(contact, direction=h.Direction.INBOUND, body=part) for part in _parts(text)]
    # The count and direction only, never the text or the sender.
    audit_contact(
        contact,
        action="update",
        request=request,
        fields=["messages"],
        event="message",
        channel=channel,
        parts=len(messages),
    )
    return messages[0]


def earlier_contacts(contact: Call) -> int:
    """How many earlier contacts this hotline had from the same number or account: what the
    operator sees ("đã gọi N lần trước"), never the other contacts themselves."""
    if not contact.caller_index:
        return 0
    return (
        Call.objects.filter(agency_id=contact.agency_id, caller_index=contact.caller_index)
        .filter(received_at__lt=contact.received_at)
        .count()
    )


# --- The operator's side -------------------------------------------------------------------


def _operator_of(actor: Any, contact: Call):
    membership = operator_membership(actor, contact)
    if membership is None:
        raise PermissionDenied
    return membership


@transaction.atomic
def contact_take(*, contact: Call, actor: Any, request: Any = None) -> Call:
    """An operator of the contact's hotline takes it from the queue (first come, first
    served: a contact taken meanwhile raises ContactTaken)."""
    membership = _operator_of(actor, contact)
    _lock(contact)
    if contact.answered_at is not None or contact.ended_at is not None:
        raise ContactTaken(contact)
    contact.operator = actor
    contact.answered_at = now()
    _bump(contact, None)
    contact.save(update_fields=["operator", "answered_at"])
    audit_contact(
        contact,
        action="update",
        actor=actor,
        membership=membership,
        request=request,
        fields=["operator", "answered_at"],
        event="taken",
    )
    return contact


def _in_conversation(actor: Any, contact: Call):
    membership = _operator_of(actor, contact)
    _lock(contact)
    if contact.ended_at is not None:
        raise ContactEnded(contact)
    if (
        contact.operator_id != actor.pk
        and grant(actor, Perm.CALL_VIEW_ALL, agency_id=contact.agency_id) is None
    ):
        # Only the operator who took it (or a supervisor stepping in) speaks in it.
        raise PermissionDenied
    return membership


@transaction.atomic
def contact_reply(*, contact: Call, actor: Any, body: Any, request: Any = None) -> ContactMessage:
    """The operator writes to the person (web chat; SMS and Zalo go out through the gateway)."""
    text = _message_text(body)
    membership = _in_conversation(actor, contact)
    if contact.channel not in h.MESSAGE_CHANNELS:
        raise ValidationError(_("Liên hệ này không trao đổi bằng tin nhắn."))
    if contact.answered_at is None:
        raise ValidationError(_("Hãy nhận liên hệ trước khi trả lời."))
    message = _append(contact, direction=h.Direction.OUTBOUND, body=text, author=actor)
    if contact.channel in (h.Channel.SMS, h.Channel.ZALO):
        from antoan.hotline.gateways import send_reply

        transaction.on_commit(lambda: send_reply(contact, message))
    audit_contact(
        contact,
        action="update",
        actor=actor,
        membership=membership,
        request=request,
        fields=["messages"],
        event="replied",
    )
    return message


@transaction.atomic
def reply_not_sent(*, contact: Call, seq: int) -> ContactMessage:
    """The gateway did not take reply ``seq``: the conversation says so, for the operator."""
    _lock(contact)
    message = _append(
        contact,
        direction=h.Direction.SYSTEM,
        body=_(
            "Chưa gửi được tin nhắn số %(seq)d: cổng gửi tin không nhận. Hãy thử lại hoặc gọi điện."
        )
        % {"seq": seq},
    )
    audit_contact(contact, action="alert", reason="reply_not_sent", seq=seq)
    return message


@transaction.atomic
def contact_end(*, contact: Call, actor: Any, request: Any = None) -> Call:
    """The operator ends the conversation; the contact stays open in the log until closed
    with an outcome."""
    membership = _in_conversation(actor, contact)
    contact.ended_at = now()
    if contact.answered_at is not None and contact.duration_seconds is None:
        contact.duration_seconds = int((contact.ended_at - contact.answered_at).total_seconds())
    if contact.channel in h.MESSAGE_CHANNELS:
        _append(
            contact,
            direction=h.Direction.SYSTEM,
            body=_("Tư vấn viên đã kết thúc cuộc trò chuyện."),
        )
    _bump(contact, None)
    contact.save(update_fields=["ended_at", "duration_seconds"])
    audit_contact(
        contact,
        action="update",
        actor=actor,
        membership=membership,
        request=request,
        fields=["ended_at"],
        event="ended",
    )
    return contact


def messages_after(contact: Call, after: int = 0, *, limit: int = 200) -> list[ContactMessage]:
    """The contact's messages after ``seq`` ``after``, oldest first."""
    return list(contact.messages.filter(seq__gt=after).order_by("seq")[:limit])


# --- Availability --------------------------------------------------------------------------


@transaction.atomic
def presence_set(*, actor: Any, state: str, extension: str | None = None, request: Any = None):
    """The operator marks themselves available, busy or away on their hotline."""
    if state not in h.Presence.values:
        raise ValidationError({"state": [_("Giá trị không hợp lệ: %(value)s.") % {"value": state}]})
    membership = grant(actor, Perm.CALL_LOG)
    if membership is None:
        raise PermissionDenied
    moment = now()
    presence, _created = OperatorPresence.objects.get_or_create(
        user=actor, agency=membership.agency, defaults={"changed_at": moment, "seen_at": moment}
    )
    presence.state, presence.changed_at, presence.seen_at = state, moment, moment
    fields = ["state", "changed_at", "seen_at"]
    if extension is not None:
        # The phone extension the PBX names when a call rings at this operator (telephony).
        extension = extension.strip()
        if extension and (not extension.isdigit() or len(extension) > 20):
            raise ValidationError({"extension": [_("Số máy lẻ chỉ gồm chữ số (tối đa 20).")]})
        taken = (
            OperatorPresence.objects.filter(agency=membership.agency, extension=extension)
            .exclude(pk=presence.pk)
            .exists()
        )
        if extension and taken:
            raise ValidationError(
                {"extension": [_("Số máy lẻ này đã được một tư vấn viên khác dùng.")]}
            )
        presence.extension = extension
        fields.append("extension")
    presence.save(update_fields=fields)
    audit_record(
        action="update",
        request=request,
        user=actor,
        membership=membership,
        object_type="operator_presence",
        object_id=presence.pk,
        changed_fields=[f for f in fields if f in ("state", "extension")],
        extra={"state": state},
    )
    return presence


def presence_seen(actor: Any, agency_id: int) -> None:
    """The operator's queue page is open (called by its refresh)."""
    OperatorPresence.objects.filter(user=actor, agency_id=agency_id).update(seen_at=now())


def staffed(agency: Agency) -> bool:
    """Someone is at the hotline's queue: an operator marked available or busy whose queue
    page was seen in the last two minutes. Otherwise visitors get the 24/7 numbers."""
    return OperatorPresence.objects.filter(
        agency=agency,
        state__in=[h.Presence.AVAILABLE, h.Presence.BUSY],
        seen_at__gte=now() - PRESENCE_FRESH,
    ).exists()


def escalate_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.ANTOAN_CONTACT_ESCALATE_SECONDS)
