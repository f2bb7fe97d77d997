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
from antoan.core.permissions import PermissionRequiredMixin, deny, grant
from antoan.core.text import positive_id
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
        # A page at a time, by deadline, no count of the whole inbox (docs/performance.md,
        # "Referral inbox"); ?after=<id> continues after that referral.
        after = request.GET.get("after", "")
        rows, following = selectors.inbox_page(
            request.user,
            limit=selectors.INBOX_PAGE,
            after=positive_id(after),
        )
        audit_record(action="list", request=request, object_type="referral", extra={"box": "in"})
        return render(
            request,
            "referrals/inbox.html",
            {"rows": with_countdowns(rows), "following": following, "paged": bool(after)},
        )


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


class HistoryView(PermissionRequiredMixin, View):
    """The provider's "Đã xử lý" tab: referrals it answered, without the survivor."""

    permission = Perm.REFERRAL_RECEIVE

    def get(self, request):
        rows = selectors.referrals_handled(request.user)
        audit_record(
            action="list", request=request, object_type="referral", extra={"box": "history"}
        )
        return render(request, "referrals/history.html", {"rows": rows})


class HistoryItemView(PermissionRequiredMixin, View):
    permission = Perm.REFERRAL_RECEIVE

    def get(self, request, pk):
        row = selectors.handled_get_for_user(request.user, pk, request=request)
        return render(request, "referrals/history_item.html", {"row": row})


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
            # Answered and done: it lives on in the provider's history, without the survivor.
            return redirect("referrals:history_item", pk=pk)
        return redirect("referrals:detail", pk=pk)


def can_override(user, case) -> bool:
    """Only a supervisor of the case's agency (who may approve cases) may send without consent."""
    return grant(user, Perm.CASE_APPROVE, case.agency_id) is not None


def referral_providers(case):
    """The providers the form offers: those serving the survivor's commune, else all."""
    commune = case.survivor.commune
    found = selectors.providers_list(commune=commune) if commune else selectors.providers_list()
    return list(found)


def preview_context(user, case, providers, data) -> dict:
    """The form's "what the provider will see", from the fields chosen so far (may be partial)."""
    try:
        provider_id = int(data.get("provider") or 0)
    except (TypeError, ValueError):
        provider_id = 0
    provider = next((p for p in providers if p.pk == provider_id), None)
    if provider is None:
        return {"preview": None, "case": case}
    service = data.get("service", "")
    preview = selectors.recipient_preview(
        user, case=case, provider=provider, service=service, note=data.get("note", "")
    )
    return {
        "case": case,
        "preview": preview,
        "provider": provider,
        # Only a supervisor's choice counts: anyone else's form has no such field.
        "override": bool(data.get("emergency_override")) and can_override(user, case),
        "offers_service": not service or service in provider.services,
    }


class ReferralNewView(PermissionRequiredMixin, View):
    permission = Perm.REFERRAL_SEND

    def render_form(self, request, case, form, providers, status=200):
        data = form.data if form.is_bound else form.initial
        return render(
            request,
            "referrals/new.html",
            {
                "form": form,
                "can_override": "emergency_override" in form.fields,
                **preview_context(request.user, case, providers, data),
            },
            status=status,
        )

    def get(self, request, case_id):
        case = case_selectors.case_get_for_user(request.user, case_id, request=request)
        providers = referral_providers(case)
        form = forms.ReferralForm(
            initial={"service": request.GET.get("service", "")},
            providers=providers,
            can_override=can_override(request.user, case),
        )
        return self.render_form(request, case, form, providers)

    def post(self, request, case_id):
        case = case_selectors.case_get_for_user(request.user, case_id, request=request, audit=False)
        supervisor = can_override(request.user, case)
        if not supervisor and request.POST.get("emergency_override"):
            # The form never offers the override to them: this POST was made by hand.
            deny(request, Perm.CASE_APPROVE)
        providers = referral_providers(case)
        form = forms.ReferralForm(request.POST, providers=providers, can_override=supervisor)
        if not form.is_valid():
            return self.render_form(request, case, form, providers, status=400)
        provider = next(p for p in providers if p.pk == form.cleaned_data["provider"])
        override = form.cleaned_data.get("emergency_override", False)
        if override:
            # Overriding a survivor's consent is the supervisor's own decision: step up.
            error = reauth_inline_error(request, form.cleaned_data["reauth_secret"])
            if not request.user.is_authenticated:
                messages.error(request, error)
                return redirect("accounts:login")
            if error:
                form.add_error("reauth_secret", error)
                return self.render_form(request, case, form, providers, status=400)
        try:
            referral = services.referral_send(
                case=case,
                actor=request.user,
                provider=provider,
                service=form.cleaned_data["service"],
                urgency=form.cleaned_data["urgency"],
                note=form.cleaned_data["note"],
                emergency_override=override,
                override_reason=form.cleaned_data.get("override_reason", ""),
                request=request,
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.render_form(request, case, form, providers, status=400)
        messages.success(
            request,
            _("Đã gửi yêu cầu chuyển gửi %(n)s đến %(to)s.")
            % {"n": referral.number, "to": provider.agency.name},
        )
        return redirect("cases:detail", pk=case.pk)


class ReferralPreviewView(PermissionRequiredMixin, View):
    """The form's live preview (htmx): what the chosen provider would see, nothing is sent."""

    permission = Perm.REFERRAL_SEND

    def get(self, request, case_id):
        case = case_selectors.case_get_for_user(request.user, case_id, request=request)
        context = preview_context(request.user, case, referral_providers(case), request.GET)
        return render(request, "referrals/_preview.html", context)


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
