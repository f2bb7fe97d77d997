"""The web chat's shared pieces: which hotline receives the public page's chats, what a message
looks like on the wire, the text of "Gửi thông tin hỗ trợ", and the live push to open pages.

Writes go through ``services.contacts``; this module only reads, formats and notifies. A push
is best effort: a page that misses one (no websocket, the channel layer down) sees the message
on its next poll, so nothing is lost when the push fails. Never log a message's text.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency, Membership
from antoan.accounts.roles import Perm, Role
from antoan.core.permissions import agency_ids_with
from antoan.core.phones import format_phone
from antoan.hotline import choices as h
from antoan.hotline.models import Call, ContactMessage

logger = logging.getLogger(__name__)

# One browser message (websocket frame or HTTP body) is at most this many bytes: a message of
# MESSAGE_MAX characters of Vietnamese in JSON is well under it.
FRAME_MAX_BYTES = 16 * 1024


def group_name(contact_id: int) -> str:
    """The channel-layer group of one conversation: its visitor's and operators' sockets."""
    return f"hotline-contact-{int(contact_id)}"


def chat_hotline() -> Agency | None:
    """The hotline receiving the public page's chats: ``ANTOAN_CHAT_HOTLINE``, else the first
    of ``ANTOAN_PUBLIC_HOTLINE_AGENCIES``, else the first agency (by name) with a hotline
    operator today. None: no hotline, the page shows the phone numbers only."""
    today = timezone.localdate()
    agencies = Agency.objects.valid_on(today)
    code = settings.ANTOAN_CHAT_HOTLINE or next(iter(settings.ANTOAN_PUBLIC_HOTLINE_AGENCIES), "")
    if code:
        return agencies.filter(code=code).first()
    operated = Membership.objects.valid_on(today).filter(role=Role.HOTLINE_OPERATOR)
    return agencies.filter(pk__in=operated.values("agency")).order_by("name", "pk").first()


def waiting_chats(agency: Agency) -> QuerySet[Call]:
    return Call.objects.filter(
        agency=agency,
        channel=h.Channel.WEB_CHAT,
        answered_at__isnull=True,
        ended_at__isnull=True,
    )


def message_out(message: ContactMessage) -> dict[str, Any]:
    """A message as both sides receive it (no author's name: the visitor talks to the
    hotline, not to a named person)."""
    return {
        "seq": message.seq,
        "direction": message.direction,
        "body": str(message.body),
        "sent_at": message.sent_at.isoformat(),
    }


def state_out(contact: Call) -> dict[str, Any]:
    return {"state": str(contact.state)}


def waited(contact: Call, moment: dt.datetime | None = None) -> int:
    """Seconds the contact waited (or has been waiting) before it was taken."""
    end = contact.answered_at or moment or timezone.now()
    return max(0, int((end - contact.received_at).total_seconds()))


# --- The operator's lists ------------------------------------------------------------------


def conversations_for(user: Any) -> dict[str, list[Call]]:
    """The operator's web chats in conversation, and the waiting ones of their hotlines."""
    agencies = agency_ids_with(user, Perm.CALL_LOG) or agency_ids_with(user, Perm.CALL_VIEW_ALL)
    live = Call.objects.filter(
        agency_id__in=agencies, channel__in=h.MESSAGE_CHANNELS, ended_at__isnull=True
    )
    return {
        "mine": list(live.filter(operator=user).order_by("answered_at", "pk")),
        "waiting": list(live.filter(answered_at__isnull=True).order_by("received_at", "pk")),
    }


# --- "Gửi thông tin hỗ trợ" ----------------------------------------------------------------


def help_text(contact: Call) -> str:
    """The help page's contacts as one message: the hotline numbers, the national numbers, and
    the public services of the contact's commune when the operator recorded it."""
    from antoan.public import selectors as public

    lines = [_("Các số điện thoại hỗ trợ:")]
    for hotline in public.public_hotlines():
        hours = _("24/7") if hotline.always_open else hotline.hours
        line = f"- {hotline.name}: {format_phone(hotline.phone)}"
        lines.append(f"{line} ({hours})" if hours else line)
    lines.append(_("- Công an: 113 (miễn phí, gọi cả khi hết tiền)"))
    lines.append(_("- Cấp cứu: 115"))
    lines.append(_("- Tổng đài quốc gia bảo vệ trẻ em: 111 (24/7)"))
    commune = contact.commune
    if commune is not None:
        near = [s for s in public.services_near(commune) if s.phone][:8]
        if near:
            lines.append(_("Dịch vụ gần bạn (%(commune)s):") % {"commune": commune.name})
            for service in near:
                line = f"- {service.name}: {format_phone(service.phone)}"
                lines.append(f"{line}, {service.address}" if service.address else line)
    from antoan.hotline.services.contacts import MESSAGE_MAX

    while len("\n".join(lines)) > MESSAGE_MAX:  # one message: the nearest services first
        lines.pop()
    return "\n".join(lines)


# --- Live push -----------------------------------------------------------------------------


def push(contact_id: int, event: dict[str, Any]) -> None:
    """Tell the conversation's open sockets (from synchronous code: views, services' callers).
    ``event`` is ``{"kind": "message", "message": {...}}`` or ``{"kind": "state", ...}``."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group_name(contact_id), {"type": "chat.event", **event})
    except Exception as exc:  # the pages poll: a lost push loses nothing
        # The error's type only: its text could quote the event, i.e. the message.
        logger.warning("chat push failed (%s) for contact %s", type(exc).__name__, contact_id)


def push_message(message: ContactMessage) -> None:
    push(message.contact_id, {"kind": "message", "message": message_out(message)})


def push_state(contact: Call) -> None:
    push(contact.pk, {"kind": "state", **state_out(contact)})


def push_end(contact: Call) -> None:
    """The conversation ended: its closing notice, then the state."""
    last = contact.messages.order_by("-seq").first()
    if last is not None:
        push_message(last)
    push_state(contact)
