"""The operator's side of written conversations (web chat; SMS and Zalo alike): the list of
the operator's conversations and the waiting chats, one conversation with its messages, and
its actions (take, reply, send the help page's contacts, end). docs/hotline.md "Web chat".

The page receives new messages over a websocket (``/ws/hotline/contacts/<id>/``) or, when
websockets are blocked, by polling ``conversation/messages/?after=N``. Writes are form posts
(the page's script sends them with fetch and asks for JSON; without script they redirect).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.roles import Perm
from antoan.core.audit import audit_record
from antoan.core.permissions import has_perm
from antoan.hotline import choices as h
from antoan.hotline import selectors, webchat
from antoan.hotline.models import Call
from antoan.hotline.services import contacts
from antoan.hotline.views.common import HotlinePageMixin

ACTIONS = ("take", "reply", "help", "end")


def _wait_text(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}"


def _lists(user: Any) -> dict[str, Any]:
    lists = webchat.conversations_for(user)
    for contact in lists["waiting"]:
        contact.wait_text = _wait_text(webchat.waited(contact))
    return lists


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


class ConversationListView(HotlinePageMixin, View):
    """The operator's conversations and the chats waiting at their hotline."""

    template_name = "hotline/conversation.html"

    def get(self, request, *args, **kwargs):
        audit_record(
            action="list",
            request=request,
            user=request.user,
            object_type="call",
            extra={"filters": ["conversations"]},
        )
        return render(request, self.template_name, {"contact": None, **_lists(request.user)})


class ConversationView(HotlinePageMixin, View):
    """One conversation: GET shows it, POST ``action`` = take, reply, help or end."""

    template_name = "hotline/conversation.html"

    def get(self, request, *args, **kwargs):
        contact = self.load_call(audit=True)
        if contact.channel not in h.MESSAGE_CHANNELS:
            return redirect("hotline:detail", pk=contact.pk)
        user = request.user
        history = contacts.messages_after(contact, 0, limit=1000)
        live = contact.ended_at is None
        return render(
            request,
            self.template_name,
            {
                "contact": contact,
                "state_label": h.ContactState(contact.state).label,
                "history": history,
                "last_seq": history[-1].seq if history else 0,
                "waited": _wait_text(webchat.waited(contact)),
                "may_write": live
                and contact.answered_at is not None
                and (contact.operator_id == user.pk or has_perm(user, Perm.CALL_VIEW_ALL)),
                "may_take": live and contact.answered_at is None and has_perm(user, Perm.CALL_LOG),
                "may_open_case": contact.case_id is None and has_perm(user, Perm.CASE_CREATE),
                "case_link": selectors.case_link(user, contact),
                **_lists(user),
            },
        )

    def post(self, request, *args, **kwargs):
        contact = self.load_call(audit=False)
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            return self.answer(contact, 400, "invalid", _("Yêu cầu không hợp lệ."))
        try:
            result = self.act(contact, action, request.POST.get("body"))
        except contacts.ContactTaken:
            return self.answer(
                contact, 409, "taken", _("Một tư vấn viên khác đã nhận cuộc trò chuyện này.")
            )
        except contacts.ContactEnded:
            return self.answer(contact, 409, "chat_ended", _("Cuộc trò chuyện đã kết thúc."))
        except ValidationError as error:
            return self.answer(contact, 400, "invalid", " ".join(error.messages))
        return self.answer(contact, 200, "", "", result)

    def act(self, contact: Call, action: str, body: Any) -> dict[str, Any]:
        user, request = self.request.user, self.request
        if action == "take":
            contact = contacts.contact_take(contact=contact, actor=user, request=request)
            webchat.push_state(contact)
            return webchat.state_out(contact)
        if action == "end":
            contact = contacts.contact_end(contact=contact, actor=user, request=request)
            webchat.push_end(contact)
            return webchat.state_out(contact)
        if action == "help":
            body = webchat.help_text(contact)
        message = contacts.contact_reply(contact=contact, actor=user, body=body, request=request)
        webchat.push_message(message)
        return {"message": webchat.message_out(message)}

    def answer(
        self, contact: Call, status: int, code: str, text: str, result: Any = None
    ) -> HttpResponse:
        if _wants_json(self.request):
            if status >= 400:
                return JsonResponse({"error": {"code": code, "message": str(text)}}, status=status)
            return JsonResponse(result or {})
        if status >= 400:
            messages.error(self.request, text)
        return redirect("hotline:conversation", pk=contact.pk)


class ConversationMessagesView(HotlinePageMixin, View):
    """What the page polls when its websocket is blocked: messages after ``after``, state."""

    def get(self, request, *args, **kwargs):
        contact = self.load_call(audit=False)
        try:
            after = max(0, int(request.GET.get("after", "0")))
        except ValueError:
            after = 0
        if contact.answered_at is None or contact.operator_id == request.user.pk:
            contacts.presence_seen(request.user, contact.agency_id)
        found = (
            contacts.messages_after(contact, after) if contact.channel in h.MESSAGE_CHANNELS else []
        )
        return JsonResponse(
            {"state": str(contact.state), "messages": [webchat.message_out(m) for m in found]}
        )
