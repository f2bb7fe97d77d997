"""Open a case from a call: the intake forms of ``antoan.cases``, pre-filled from the call,
and on success the call is linked to the new case."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from antoan.accounts.roles import Perm
from antoan.cases.services import OpenResult
from antoan.cases.views.intake import IntakeView
from antoan.core.permissions import has_perm
from antoan.hotline import services
from antoan.hotline.models import Call
from antoan.hotline.views.common import HotlinePageMixin


class CallOpenCaseView(HotlinePageMixin, IntakeView):
    """The case intake, for the caller of one call. Needs ``cases.create`` as well."""

    template_name = "hotline/open_case.html"
    # Pre-filled from the call, and opened from it again if interrupted: no separate draft.
    draft_form = ""

    def the_call(self) -> Call:
        call = getattr(self, "_call", None)
        if call is None:
            call = self._call = self.load_call(audit=self.request.method == "GET")
            if not has_perm(self.request.user, Perm.CASE_CREATE):
                raise PermissionDenied
        return call

    def build(self, data: Any = None) -> dict[str, Any]:
        call = self.the_call()
        context = super().build(data)
        if data is None:
            # What the operator already knows from the call.
            context["survivor"].initial.update(
                {"commune": call.commune.code if call.commune_id else ""}
            )
            context["case"].initial.update(
                {"source": "hotline", "immediate_danger": call.immediate_danger}
            )
            if call.immediate_danger:
                context["case"].initial["risk_level"] = "immediate"
        context["case"].fields["source"].disabled = True
        context["case"].fields["source"].initial = "hotline"
        context["case"].fields["immediate_danger"].disabled = True
        context["case"].fields["immediate_danger"].initial = call.immediate_danger
        context["call"] = call
        return context

    def get(self, request, *args, **kwargs):
        call = self.the_call()
        if call.case_id is not None:
            messages.info(request, _("Đã mở hồ sơ từ cuộc gọi này."))
            return redirect("hotline:detail", pk=call.pk)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.the_call()  # 404 or 403 before any form is read
        return super().post(request, *args, **kwargs)

    def open_case(self, d: dict[str, Any], **inputs: Any) -> OpenResult:
        return services.call_open_case(call=self.the_call(), actor=self.request.user, **inputs)

    def opened(self, result: OpenResult) -> HttpResponse:
        messages.success(
            self.request,
            _("Đã mở hồ sơ %(number)s từ cuộc gọi.") % {"number": result.case.number},
        )
        return self.to_case_or(result.case, self.elsewhere())

    def elsewhere(self) -> str:
        return reverse("hotline:detail", args=[self.the_call().pk])
