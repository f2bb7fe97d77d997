"""Open a case from a call: the intake forms of ``antoan.cases``, pre-filled from the call,
and on success the call is linked to the new case."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from antoan.accounts.roles import Perm
from antoan.cases import forms as case_forms
from antoan.cases import selectors as case_selectors
from antoan.cases.views.common import apply_errors
from antoan.cases.views.intake import IntakeView, _check_dates, _created_before, _indexes
from antoan.core.permissions import has_perm
from antoan.hotline import services
from antoan.hotline.models import Call
from antoan.hotline.views.common import HotlinePageMixin


class CallOpenCaseView(HotlinePageMixin, IntakeView):
    """The case intake, for the caller of one call. Needs ``cases.create`` as well."""

    template_name = "hotline/open_case.html"

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
        call = self.the_call()
        context = self.build(request.POST)
        survivor, consent, case_form = context["survivor"], context["consent"], context["case"]
        incident, perpetrators = context["incident"], context["perpetrators"]
        valid = [survivor.is_valid(), consent.is_valid(), case_form.is_valid(), incident.is_valid()]
        if not incident.is_blank:
            valid.append(perpetrators.is_valid())
        _check_dates(survivor, incident)
        if not all(valid) or survivor.errors or incident.errors:
            return self.show(context)
        d = case_form.cleaned_data
        replay = _created_before(request.user, d["client_uuid"])
        if not replay and not d["confirm_duplicate"]:
            report = case_selectors.duplicates_for(request.user, **_indexes(survivor.cleaned_data))
            if report:
                return self.show(context, duplicates=report)
        rows = [] if incident.is_blank else case_forms.filled(perpetrators)
        try:
            result = services.call_open_case(
                call=call,
                actor=request.user,
                survivor=survivor.to_input(),
                consent=consent.to_input(),
                incident=None
                if incident.is_blank
                else incident.to_input([row.to_input() for row in rows]),
                needs=d["needs"],
                risk_level=d["risk_level"] or None,
                client_uuid=d["client_uuid"],
                request=request,
            )
        except ValidationError as error:
            apply_errors(error, [survivor, consent, case_form, incident], {"perpetrators": rows})
            return self.show(context)
        messages.success(
            request,
            _("Đã mở hồ sơ %(number)s từ cuộc gọi.") % {"number": result.case.number},
        )
        if case_selectors.cases_for_user(request.user).filter(pk=result.case.pk).exists():
            return redirect("cases:detail", pk=result.case.pk)
        messages.info(
            request,
            _("Hồ sơ đã được chuyển cho giám sát quản lý ca của %(agency)s để phân công.")
            % {"agency": result.case.agency.name},
        )
        return redirect("hotline:detail", pk=call.pk)
