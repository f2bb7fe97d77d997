"""The call list, logging a call, the call page, notices and closing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.roles import Perm
from antoan.cases.views.common import apply_errors
from antoan.core.permissions import has_perm
from antoan.hotline import choices as h
from antoan.hotline import forms, selectors, services
from antoan.hotline.models import Call
from antoan.hotline.views.common import HotlinePageMixin, call_communes

PAGE_SIZE = 50


class CallListView(HotlinePageMixin, View):
    """Operators: the open queue of their hotline and their own calls. Supervisors: all."""

    template_name = "hotline/list.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        supervisor = has_perm(user, Perm.CALL_VIEW_ALL) and not has_perm(user, Perm.CALL_LOG)
        box = request.GET.get("box", "all" if supervisor else "queue")
        if box not in ("queue", "mine", "all"):
            box = "queue"
        filters = selectors.CallFilters(
            status=h.Status.OPEN if box == "queue" else "", mine=box == "mine"
        )
        calls = selectors.call_list(user, filters, request=request)
        page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            self.template_name,
            {
                "page": page,
                "box": box,
                "boxes": [
                    ("queue", _("Hàng chờ xử lý")),
                    ("mine", _("Cuộc gọi của tôi")),
                    ("all", _("Tất cả")),
                ],
                "may_log": has_perm(user, Perm.CALL_LOG),
            },
        )


class CallLogView(HotlinePageMixin, View):
    """A short form to fill in during a live call."""

    supervisors_too = False
    template_name = "hotline/new.html"

    def get(self, request, *args, **kwargs):
        form = forms.CallForm(communes=call_communes(request.user))
        return render(request, self.template_name, {"form": form})

    def post(self, request, *args, **kwargs):
        form = forms.CallForm(request.POST, communes=call_communes(request.user))
        if form.is_valid():
            try:
                call = services.call_log(actor=request.user, data=form.to_input(), request=request)
            except ValidationError as error:
                apply_errors(error, [form])
            else:
                messages.success(request, _("Đã ghi nhận cuộc gọi."))
                return redirect("hotline:detail", pk=call.pk)
        return render(request, self.template_name, {"form": form})


class CallDetailView(HotlinePageMixin, View):
    template_name = "hotline/detail.html"

    def get(self, request, *args, **kwargs):
        call = self.load_call(audit=True)
        return self.show(call)

    def show(self, call: Call, *, notice_form: Any = None, close_form: Any = None, status=200):
        user = self.request.user
        immediate = call.immediate_danger
        return render(
            self.request,
            self.template_name,
            {
                "call": call,
                "case_link": selectors.case_link(user, call),
                "contacts": selectors.emergency_contacts_for(call) if immediate else None,
                "chair_missing": services.chair_notice_missing(call),
                "notifications": list(call.notifications.all()),
                "notice_form": notice_form
                or forms.NotificationForm(agencies=selectors.notice_agencies(call, user)),
                "close_form": close_form
                or forms.CloseForm(initial={"version": call.version, "outcome": call.outcome}),
                "may_open_case": call.case_id is None and has_perm(user, Perm.CASE_CREATE),
                # "đã gọi N lần trước": a count of this hotline's contacts from the same
                # number, never the number or the contacts themselves.
                "earlier_contacts": selectors.earlier_contacts_label(call),
            },
            status=status,
        )


class CallNotifyView(CallDetailView):
    """Record that the police, the commune chairperson or someone else was told."""

    def post(self, request, *args, **kwargs):
        call = self.load_call(audit=False)
        agencies = selectors.notice_agencies(call, request.user)
        form = forms.NotificationForm(request.POST, agencies=agencies)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.call_notify_record(
                    call=call,
                    actor=request.user,
                    role=d["role"],
                    method=d["method"],
                    notified_at=d.get("notified_at") or services.now(),
                    agency=d.get("agency"),
                    person_name=d.get("person_name", ""),
                    request=request,
                )
            except ValidationError as error:
                apply_errors(error, [form])
            else:
                messages.success(request, _("Đã ghi nhận việc thông báo."))
                return redirect("hotline:detail", pk=call.pk)
        call = self.load_call(audit=True)
        return self.show(call, notice_form=form, status=400)

    def get(self, request, *args, **kwargs):
        return redirect("hotline:detail", pk=self.kwargs["pk"])


class CallCloseView(CallDetailView):
    def post(self, request, *args, **kwargs):
        call = self.load_call(audit=False)
        form = forms.CloseForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.call_close(
                    call=call,
                    actor=request.user,
                    version=d["version"],
                    outcome=d["outcome"],
                    request=request,
                )
            except services.CallConflict:
                messages.warning(
                    request,
                    _("Cuộc gọi vừa được người khác cập nhật; hãy xem lại rồi đóng lại."),
                )
                return redirect("hotline:detail", pk=call.pk)
            except ValidationError as error:
                apply_errors(error, [form])
            else:
                messages.success(request, _("Đã đóng cuộc gọi."))
                return redirect("hotline:detail", pk=call.pk)
        call = self.load_call(audit=True)
        return self.show(call, close_form=form, status=400)

    def get(self, request, *args, **kwargs):
        return redirect("hotline:detail", pk=self.kwargs["pk"])
