"""Referrals: the provider's inbox, the sender's outbox, one referral, sending and services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.reauth import reauth_inline_error
from antoan.accounts.roles import Perm
from antoan.cases import selectors as case_selectors
from antoan.cases.rules import countdown
from antoan.core.audit import audit_record
from antoan.core.permissions import PermissionRequiredMixin, grant
from antoan.referrals import forms, selectors, services
from antoan.referrals.clock import now
from antoan.referrals.models import ReferralStatus


def with_countdowns(referrals):
    moment = now()
    return [
        {"referral": r, "countdown": countdown(deadline=r.due_at, now=moment)} for r in referrals
    ]


def add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class InboxView(PermissionRequiredMixin, View):
    permission = Perm.REFERRAL_RECEIVE

    def get(self, request):
        rows = selectors.referrals_incoming(request.user).order_by("due_at", "pk")
        audit_record(action="list", request=request, object_type="referral", extra={"box": "in"})
        return render(request, "referrals/inbox.html", {"rows": with_countdowns(rows)})


class OutboxView(PermissionRequiredMixin, View):
    permission = Perm.REFERRAL_SEND

    def get(self, request):
        # ?status=sent: those still waiting for the provider's answer (the home page's count).
        status = request.GET.get("status", "")
        status = status if status in ReferralStatus.values else ""
        rows = selectors.referrals_outgoing(request.user, status=status).order_by("-sent_at", "-pk")
        audit_record(action="list", request=request, object_type="referral", extra={"box": "out"})
        return render(
            request,
            "referrals/outbox.html",
            {
                "rows": with_countdowns(rows),
                "status_label": ReferralStatus(status).label if status else "",
            },
        )


ACTIONS = {
    "accept": (None, services.referral_accept),
    "decline": (forms.ReasonForm, services.referral_decline),
    "deliver": (forms.DeliverForm, services.referral_deliver),
    "close": (None, services.referral_close),
    "revoke": (forms.ReasonForm, services.referral_revoke),
}


class ReferralView(PermissionRequiredMixin, View):
    """One referral: in full for the sender, the need-to-know view for the recipient."""

    permission = Perm.USE_SYSTEM

    def show(self, request, found, bound=None, status=200):
        referral = found.referral
        context = {
            "referral": referral,
            "side": found.side,
            "countdown": countdown(deadline=referral.due_at, now=now()),
            "shared": selectors.shared_fields(referral) if found.side == "recipient" else None,
            "decline_form": forms.ReasonForm(prefix="decline"),
            "deliver_form": forms.DeliverForm(prefix="deliver"),
            "revoke_form": forms.ReasonForm(prefix="revoke"),
            "events": list(referral.events.select_related("actor")),
        }
        if bound is not None:
            context[f"{bound.prefix}_form"] = bound
        return render(request, "referrals/detail.html", context, status=status)

    def get(self, request, pk):
        return self.show(
            request, selectors.referral_get_for_user(request.user, pk, request=request)
        )

    def post(self, request, pk):
        found = selectors.referral_get_for_user(request.user, pk, request=request, audit=False)
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise PermissionDenied
        form_class, service = ACTIONS[action]
        form = form_class(request.POST, prefix=action) if form_class else None
        if form is not None and not form.is_valid():
            return self.show(request, found, form, status=400)
        data = form.cleaned_data if form is not None else {}
        try:
            referral = service(referral=found.referral, actor=request.user, request=request, **data)
        except ValidationError as exc:
            target = form or forms.ReasonForm(prefix=action)
            target.is_valid()
            add_errors(target, exc)
            if form is None:
                messages.error(request, " ".join(exc.messages))
                return redirect("referrals:detail", pk=pk)
            return self.show(request, found, target, status=400)
        messages.success(request, _("Đã cập nhật chuyển gửi %(n)s.") % {"n": referral.number})
        if found.side == "recipient" and not referral.is_open:
            return redirect("referrals:inbox")
        return redirect("referrals:detail", pk=pk)


class ReferralNewView(PermissionRequiredMixin, View):
    permission = Perm.REFERRAL_SEND

    def render_form(self, request, case, form, status=200):
        can_override = grant(request.user, Perm.CASE_APPROVE, case.agency_id) is not None
        if not can_override:
            # The step-up field is for those who may override; nobody else is asked a password.
            form.fields.pop("reauth_secret", None)
        return render(
            request,
            "referrals/new.html",
            {"case": case, "form": form, "can_override": can_override},
            status=status,
        )

    def providers(self, case):
        commune = case.survivor.commune
        return (
            list(selectors.providers_list(commune=commune))
            if commune
            else list(selectors.providers_list())
        )

    def get(self, request, case_id):
        case = case_selectors.case_get_for_user(request.user, case_id, request=request)
        initial = {"service": request.GET.get("service", "")}
        return self.render_form(
            request, case, forms.ReferralForm(initial=initial, providers=self.providers(case))
        )

    def post(self, request, case_id):
        case = case_selectors.case_get_for_user(request.user, case_id, request=request, audit=False)
        providers = self.providers(case)
        form = forms.ReferralForm(request.POST, providers=providers)
        if not form.is_valid():
            return self.render_form(request, case, form, status=400)
        provider = next(p for p in providers if p.pk == form.cleaned_data["provider"])
        if (
            form.cleaned_data["emergency_override"]
            and grant(request.user, Perm.CASE_APPROVE, case.agency_id) is not None
        ):
            # Overriding a survivor's consent is the supervisor's own decision: step up.
            error = reauth_inline_error(request, form.cleaned_data["reauth_secret"])
            if not request.user.is_authenticated:
                messages.error(request, error)
                return redirect("accounts:login")
            if error:
                form.add_error("reauth_secret", error)
                return self.render_form(request, case, form, status=400)
        try:
            referral = services.referral_send(
                case=case,
                actor=request.user,
                provider=provider,
                service=form.cleaned_data["service"],
                urgency=form.cleaned_data["urgency"],
                note=form.cleaned_data["note"],
                emergency_override=form.cleaned_data["emergency_override"],
                override_reason=form.cleaned_data["override_reason"],
                request=request,
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.render_form(request, case, form, status=400)
        messages.success(request, _("Đã gửi chuyển gửi %(n)s.") % {"n": referral.number})
        return redirect("cases:detail", pk=case.pk)


class ServiceNewView(PermissionRequiredMixin, View):
    permission = Perm.CASE_EDIT

    def get(self, request, case_id):
        case = case_selectors.case_get_for_user(request.user, case_id, request=request)
        form = forms.ServiceForm(initial={"service": request.GET.get("service", "")})
        return render(request, "referrals/service_new.html", {"case": case, "form": form})

    def post(self, request, case_id):
        case = case_selectors.case_get_for_user(request.user, case_id, request=request, audit=False)
        form = forms.ServiceForm(request.POST)
        if form.is_valid():
            try:
                services.service_record(
                    case=case, actor=request.user, request=request, **form.cleaned_data
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Đã ghi nhận dịch vụ."))
                return redirect("cases:detail", pk=case.pk)
        return render(
            request, "referrals/service_new.html", {"case": case, "form": form}, status=400
        )


class NotificationsView(PermissionRequiredMixin, View):
    permission = Perm.USE_SYSTEM

    def get(self, request):
        rows = list(selectors.notifications_for(request.user)[:100])
        return render(request, "referrals/notifications.html", {"notifications": rows})

    def post(self, request):
        services.notification_read(user=request.user)
        return redirect("referrals:notifications")
