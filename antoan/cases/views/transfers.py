"""Incoming transfers: the receiving supervisor accepts (and assigns) or declines.

The receiving supervisor is not on the case yet: these pages show the request (number,
agencies, reason, risk level), never the survivor.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.roles import Perm
from antoan.cases import forms, selectors, services
from antoan.cases.views.common import apply_errors, case_workers_of
from antoan.core.permissions import PermissionRequiredMixin


class TransfersIncomingView(PermissionRequiredMixin, View):
    permission = Perm.CASE_APPROVE

    def get(self, request, *args, **kwargs):
        transfers = list(selectors.transfers_incoming(request.user))
        return render(
            request,
            "cases/transfers.html",
            {"transfers": transfers},
        )


class TransferDecideView(PermissionRequiredMixin, View):
    permission = Perm.CASE_APPROVE

    def forms_for(self, transfer, data=None, action=""):
        workers = case_workers_of(transfer.to_agency_id)
        return {
            "accept_form": forms.TransferAcceptForm(
                data if action == "accept" else None, users=workers, prefix="accept"
            ),
            "decline_form": forms.TransferDeclineForm(
                data if action == "decline" else None, prefix="decline"
            ),
        }

    def show(self, transfer, context):
        context.update(transfer=transfer)
        return render(self.request, "cases/transfer_decide.html", context)

    def get(self, request, *args, **kwargs):
        transfer = selectors.transfer_get_incoming(request.user, kwargs["transfer_id"])
        return self.show(transfer, self.forms_for(transfer))

    def post(self, request, *args, **kwargs):
        transfer = selectors.transfer_get_incoming(request.user, kwargs["transfer_id"])
        action = request.POST.get("action", "")
        context = self.forms_for(transfer, request.POST, action)
        form = context.get(f"{action}_form")
        if action not in ("accept", "decline") or form is None:
            return self.show(transfer, context)
        if form.is_valid():
            try:
                if action == "accept":
                    worker = form.chosen_user()
                    services.transfer_decide(
                        transfer=transfer,
                        actor=request.user,
                        accept=True,
                        assign_to=worker,
                        request=request,
                    )
                    message = _("Đã tiếp nhận hồ sơ %(number)s và giao cho %(name)s.") % {
                        "number": transfer.case.number,
                        "name": worker.get_full_name(),
                    }
                else:
                    services.transfer_decide(
                        transfer=transfer,
                        actor=request.user,
                        accept=False,
                        decline_reason=form.cleaned_data["decline_reason"],
                        request=request,
                    )
                    message = _("Đã từ chối tiếp nhận hồ sơ %(number)s.") % {
                        "number": transfer.case.number
                    }
            except ValidationError as error:
                apply_errors(error, [form])
            else:
                messages.success(request, message)
                if action == "accept":
                    return redirect("cases:detail", pk=transfer.case_id)
                return redirect("cases:transfers")
        return self.show(transfer, context)
