"""The operators' queue (availability, taking, ending), the record form of a contact, and the
supervisors' live board. Both lists refresh themselves with htmx polling; without JavaScript
a refresh link does the same."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.roles import Perm
from antoan.cases.views.common import apply_errors
from antoan.core.permissions import PermissionRequiredMixin, act_as
from antoan.hotline import choices as h
from antoan.hotline import forms, selectors, services
from antoan.hotline.models import Call
from antoan.hotline.services import contacts
from antoan.hotline.views.common import HotlinePageMixin, call_communes

# How often the queue and the board ask for fresh figures (seconds).
POLL_SECONDS = 5


def _fragment(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def conversation_url(contact: Call) -> str:
    """Where an operator goes once they have a contact: the conversation page of a written
    channel, the record form of the others."""
    if contact.channel in h.MESSAGE_CHANNELS:
        try:
            return reverse("hotline:conversation", args=[contact.pk])
        except NoReverseMatch:  # the conversation page is not installed
            pass
    return reverse("hotline:record", args=[contact.pk])


def _conversation_only(contact: Call) -> str:
    """The conversation page of a written contact, or "" (no such page: the record is it)."""
    url = conversation_url(contact)
    return "" if url == reverse("hotline:record", args=[contact.pk]) else url


class QueueView(PermissionRequiredMixin, View):
    """An operator's queue: waiting contacts of their hotline, those ringing for them, theirs
    in conversation, and their availability. Each refresh says the page is still open."""

    permission = Perm.CALL_LOG
    template_name = "hotline/queue.html"

    def get(self, request, *args, **kwargs):
        fragment = _fragment(request)
        # The page load is audited; its refreshes show the same (times and channels only).
        queue = selectors.operator_queue(request.user, request=request, audit=not fragment)
        for entry in queue.mine:
            entry.open_url = _conversation_only(entry.contact)
        for agency_id in queue.agency_ids:
            contacts.presence_seen(request.user, agency_id)
        state = queue.presence.state if queue.presence else h.Presence.AWAY
        context = {
            "queue": queue,
            "poll_seconds": POLL_SECONDS,
            "presence_form": forms.PresenceForm(
                initial={
                    "state": state,
                    "extension": queue.presence.extension if queue.presence else "",
                }
            ),
            "presence_state": state,
        }
        if fragment:
            return render(request, "hotline/_queue_lists.html", context)
        return render(request, self.template_name, context)


class PresenceView(PermissionRequiredMixin, View):
    permission = Perm.CALL_LOG

    def post(self, request, *args, **kwargs):
        form = forms.PresenceForm(request.POST)
        if form.is_valid():
            try:
                contacts.presence_set(
                    actor=request.user,
                    state=form.cleaned_data["state"],
                    extension=form.cleaned_data["extension"],
                    request=request,
                )
            except ValidationError as error:
                # Nothing changed: neither the state nor the extension.
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Đã cập nhật trạng thái của bạn."))
        else:
            messages.error(request, _("Trạng thái không hợp lệ."))
        return redirect("hotline:queue")

    def get(self, request, *args, **kwargs):
        return redirect("hotline:queue")


class TakeView(HotlinePageMixin, View):
    """ "Nhận": the operator takes a waiting contact (first come, first served)."""

    def post(self, request, *args, **kwargs):
        contact = self.load_call(audit=False)
        try:
            contact = contacts.contact_take(contact=contact, actor=request.user, request=request)
        except contacts.ContactTaken:
            messages.warning(request, _("Liên hệ này vừa được người khác nhận hoặc đã kết thúc."))
            return redirect("hotline:queue")
        except PermissionDenied:
            messages.error(request, _("Bạn không nhận được liên hệ này."))
            return redirect("hotline:queue")
        return redirect(conversation_url(contact))

    def get(self, request, *args, **kwargs):
        return redirect("hotline:queue")


class EndView(HotlinePageMixin, View):
    """The operator ends the conversation; the record stays open until closed."""

    def post(self, request, *args, **kwargs):
        contact = self.load_call(audit=False)
        try:
            contacts.contact_end(contact=contact, actor=request.user, request=request)
        except contacts.ContactEnded:
            messages.info(request, _("Cuộc trao đổi đã kết thúc trước đó."))
        except PermissionDenied:
            messages.error(request, _("Chỉ tư vấn viên đã nhận liên hệ mới kết thúc được."))
        else:
            messages.success(request, _("Đã kết thúc cuộc trao đổi. Hãy ghi lại kết quả."))
        return redirect("hotline:record", pk=contact.pk)

    def get(self, request, *args, **kwargs):
        return redirect("hotline:record", pk=self.kwargs["pk"])


class RecordView(HotlinePageMixin, View):
    """The record of a contact, live or ended: who called, what about, where, the summary,
    immediate danger and the outcome (``services.call_update``, version checked)."""

    template_name = "hotline/record.html"

    def form_for(self, call: Call, data=None):
        initial = {
            "version": call.version,
            "caller_type": call.caller_type,
            "category": call.category,
            "anonymous": call.anonymous,
            "commune": call.commune.code if call.commune else "",
            "summary": call.summary,
            "immediate_danger": call.immediate_danger,
            "outcome": call.outcome,
        }
        return forms.RecordForm(
            data,
            initial=initial,
            communes=call_communes(self.request.user),
            has_case=call.case_id is not None,
        )

    def show(self, call: Call, form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "call": call,
                "state_label": h.ContactState(call.state).label,
                "form": form,
                "conversation": _conversation_only(call),
                "may_end": call.ended_at is None and call.answered_at is not None,
                "closed": call.status == h.Status.CLOSED,
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        call = self.load_call(audit=True)
        return self.show(call, self.form_for(call))

    def post(self, request, *args, **kwargs):
        call = self.load_call(audit=False)
        form = self.form_for(call, request.POST)
        if form.is_valid():
            try:
                services.call_update(
                    call=call,
                    actor=request.user,
                    version=form.cleaned_data["version"],
                    changes=form.changes(),
                    request=request,
                )
            except services.CallConflict:
                messages.warning(
                    request,
                    _(
                        "Liên hệ vừa được người khác cập nhật; hãy xem lại rồi nhập lại thay "
                        "đổi của bạn."
                    ),
                )
                call = self.load_call(audit=True)
                return self.show(call, self.form_for(call), status=409)
            except ValidationError as error:
                apply_errors(error, [form])
            else:
                messages.success(request, _("Đã lưu thông tin liên hệ."))
                return redirect("hotline:record", pk=call.pk)
        call = self.load_call(audit=True)
        return self.show(call, form, status=400)


class BoardView(PermissionRequiredMixin, View):
    """The hotline supervisors' live board."""

    permission = Perm.CALL_VIEW_ALL
    template_name = "hotline/board.html"

    def get(self, request, *args, **kwargs):
        act_as(request, Perm.CALL_VIEW_ALL)
        fragment = _fragment(request)
        board = selectors.hotline_board(request.user, request=request, audit=not fragment)
        context = {"board": board, "poll_seconds": POLL_SECONDS}
        if fragment:
            return render(request, "hotline/_board_body.html", context)
        return render(request, self.template_name, context)
