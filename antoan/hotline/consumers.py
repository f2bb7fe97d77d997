"""The web chat's websockets (docs/hotline.md, "Web chat").

- ``/ws/hotline/chats/<id>/``: the visitor. No account: the first message must be
  ``{"type": "hello", "token": ..., "after": N}`` (the token never appears in a URL, so never
  in an access log); a wrong token closes the socket (4404), like a chat that does not exist.
- ``/ws/hotline/contacts/<id>/``: the operator, signed in (the session cookie of the pages),
  within the same limits as the pages (session lifetime, two-factor login); whether they may
  work on the contact is the selectors' and services' decision, as for the pages.

Both join the contact's group; a new message and a change of state reach every socket of the
conversation. Messages in: ``{"type": "message", "body": "..."}`` and ``{"type": "end"}``. Out:
``{"type": "message", "message": {seq, direction, body, sent_at}}``, ``{"type": "state",
"state": "waiting|active|ended"}`` and ``{"type": "error", "code", "message"}``. Every database
step is a service call in a thread (``database_sync_to_async``). Nothing is logged of a message.
"""

from __future__ import annotations

import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from antoan.api.parsers import loads
from antoan.core.audit import audit_record
from antoan.hotline import webchat
from antoan.hotline.models import Call
from antoan.hotline.services import contacts

# Close codes (4000-4999 are the application's).
CLOSE_NOT_FOUND = 4404
CLOSE_FORBIDDEN = 4403
CLOSE_PROTOCOL = 4400
# Messages a socket may send per minute (a person types far fewer).
FRAMES_PER_MINUTE = 60


class ChatSocket(AsyncJsonWebsocketConsumer):
    """What both sides share: frame limits, the group, the pushes, the error answers."""

    contact_id: int = 0
    joined = False

    async def connect(self):
        self.contact_id = int(self.scope["url_route"]["kwargs"]["contact_id"])
        self.sent_times: list[float] = []
        await self.accept()

    async def disconnect(self, code):
        if self.joined:
            await self.channel_layer.group_discard(
                webchat.group_name(self.contact_id), self.channel_name
            )

    async def receive(self, text_data=None, bytes_data=None):
        if bytes_data is not None or text_data is None:
            return await self.error("not_text", _("Chỉ gửi được tin nhắn văn bản."))
        if len(text_data.encode()) > webchat.FRAME_MAX_BYTES:
            return await self.error(
                "payload_too_large", _("Tin nhắn quá dài. Hãy gửi thành nhiều tin ngắn hơn.")
            )
        if not self.allowed():
            return await self.error("rate_limited", _("Quá nhiều yêu cầu; hãy thử lại sau."))
        try:
            content = loads(text_data)
        except Exception:  # malformed or too deep: one answer
            return await self.error("malformed_json", _("Yêu cầu không hợp lệ."))
        if not isinstance(content, dict):
            return await self.error("malformed_json", _("Yêu cầu không hợp lệ."))
        await self.receive_json(content)

    def allowed(self) -> bool:
        moment = time.monotonic()
        self.sent_times = [t for t in self.sent_times if moment - t < 60]
        if len(self.sent_times) >= FRAMES_PER_MINUTE:
            return False
        self.sent_times.append(moment)
        return True

    async def error(self, code: str, message: str) -> None:
        await self.send_json({"type": "error", "code": code, "message": str(message)})

    async def join(self, after: Any) -> None:
        await self.channel_layer.group_add(webchat.group_name(self.contact_id), self.channel_name)
        self.joined = True
        state, messages = await self.history(after)
        await self.send_json({"type": "state", "state": state})
        for message in messages:
            await self.send_json({"type": "message", "message": message})

    @database_sync_to_async
    def history(self, after: Any) -> tuple[str, list[dict[str, Any]]]:
        contact = Call.objects.get(pk=self.contact_id)
        after = after if isinstance(after, int) and after >= 0 else 0
        return str(contact.state), [
            webchat.message_out(m) for m in contacts.messages_after(contact, after)
        ]

    async def broadcast(self, event: dict[str, Any]) -> None:
        await self.channel_layer.group_send(
            webchat.group_name(self.contact_id), {"type": "chat.event", **event}
        )

    async def chat_event(self, event: dict[str, Any]) -> None:
        kind = event.get("kind")
        if kind == "message":
            await self.send_json({"type": "message", "message": event["message"]})
        elif kind == "state":
            await self.send_json({"type": "state", "state": event["state"]})

    async def write(self, step) -> None:
        """Run a service step (in a thread) and push what it produced to the conversation."""
        try:
            events = await database_sync_to_async(step)()
        except contacts.ContactEnded:
            return await self.error(
                "chat_ended", _("Cuộc trò chuyện đã kết thúc; tin nhắn không được gửi.")
            )
        except ValidationError as exc:
            return await self.error("invalid", " ".join(exc.messages))
        except PermissionDenied:
            return await self.error(
                "permission_denied", _("Bạn không có quyền thực hiện thao tác này.")
            )
        for event in events:
            await self.broadcast(event)


def _message_event(message) -> dict[str, Any]:
    return {"kind": "message", "message": webchat.message_out(message)}


def _end_events(contact: Call) -> list[dict[str, Any]]:
    last = contact.messages.order_by("-seq").first()
    events = [_message_event(last)] if last is not None else []
    return [*events, {"kind": "state", "state": str(contact.state)}]


class VisitorChatConsumer(ChatSocket):
    """The visitor's socket: proves itself with the chat's token in its first message."""

    async def receive_json(self, content, **kwargs):
        kind = content.get("type")
        if not self.joined:
            if kind != "hello":
                await self.error("hello_first", _("Yêu cầu không hợp lệ."))
                return await self.close(code=CLOSE_PROTOCOL)
            if not await self.check_token(content.get("token")):
                await self.error("not_found", _("Không tìm thấy."))
                return await self.close(code=CLOSE_NOT_FOUND)
            return await self.join(content.get("after", 0))
        if kind == "message":
            body = content.get("body")
            return await self.write(lambda: [_message_event(self.post(body))])
        if kind == "end":
            return await self.write(self.end)
        await self.error("unknown_type", _("Yêu cầu không hợp lệ."))

    @database_sync_to_async
    def check_token(self, token: Any) -> bool:
        try:
            contacts.chat_for_visitor(self.contact_id, token)
        except Http404:
            return False
        self.token = token
        return True

    def chat(self) -> Call:
        return contacts.chat_for_visitor(self.contact_id, self.token)

    def post(self, body: Any):
        return contacts.chat_visitor_post(contact=self.chat(), body=body)

    def end(self) -> list[dict[str, Any]]:
        contact = self.chat()
        if contact.ended_at is not None:
            return []
        return _end_events(contacts.chat_visitor_end(contact=contact))


def operator_contact(scope: dict[str, Any], contact_id: int) -> Call | None:
    """The contact if the socket's signed-in user may work on it; None otherwise (audited)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from antoan.accounts.middleware import SessionLifetimeMiddleware
    from antoan.core.permissions import needs_two_factor
    from antoan.hotline import selectors

    user = scope.get("user")
    session = scope.get("session")
    if user is None or not user.is_authenticated or session is None:
        return None
    refused = bool(SessionLifetimeMiddleware._expired(session)) or (
        settings.ANTOAN_REQUIRE_2FA
        and needs_two_factor(user)
        and not session.get(DEVICE_ID_SESSION_KEY)
    )
    contact = None
    if not refused:
        try:
            contact = selectors.call_get_for_user(user, contact_id, audit=True)
        except Http404:
            contact = None
        if contact is not None and contacts.operator_membership(user, contact) is None:
            contact = None
    if contact is None:
        audit_record(
            action="permission_denied",
            user=user,
            object_type="call",
            object_id=contact_id,
            extra={"socket": "hotline-contact"},
        )
    return contact


class OperatorChatConsumer(ChatSocket):
    """An operator's (or supervisor's) socket on one conversation of their hotline."""

    async def connect(self):
        self.contact_id = int(self.scope["url_route"]["kwargs"]["contact_id"])
        self.sent_times = []
        contact = await database_sync_to_async(operator_contact)(self.scope, self.contact_id)
        if contact is None:
            return await self.close(code=CLOSE_FORBIDDEN)
        self.user = self.scope["user"]
        await self.accept()

    async def receive_json(self, content, **kwargs):
        kind = content.get("type")
        if kind == "hello":
            return await self.join(content.get("after", 0))
        if kind == "message":
            body = content.get("body")
            return await self.write(lambda: [_message_event(self.reply(body))])
        if kind == "end":
            return await self.write(self.end)
        await self.error("unknown_type", _("Yêu cầu không hợp lệ."))

    def contact(self) -> Call:
        return Call.objects.get(pk=self.contact_id)

    def reply(self, body: Any):
        return contacts.contact_reply(contact=self.contact(), actor=self.user, body=body)

    def end(self) -> list[dict[str, Any]]:
        return _end_events(contacts.contact_end(contact=self.contact(), actor=self.user))
