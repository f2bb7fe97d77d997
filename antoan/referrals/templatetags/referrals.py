"""The case page's "needs and services" section, drawn from the referral selectors."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string

from antoan.accounts.roles import Perm
from antoan.cases.choices import Need, RiskLevel
from antoan.cases.services import can_edit
from antoan.core.permissions import has_perm
from antoan.referrals import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def case_services(context, case):
    """Render the section for ``case`` as seen by the request's user (already on the case)."""
    user = context["request"].user
    data = selectors.case_services(case)
    labels = dict(Need.choices)
    editable = case.status != "closed" and can_edit(user, case) is not None
    return render_to_string(
        "referrals/_case_services.html",
        {
            "case": case,
            "needs": [(str(labels.get(n, n)), met) for n, met in data["needs_met"].items()],
            "referrals": data["referrals"],
            "deliveries": data["deliveries"],
            "can_edit": editable,
            "can_send": editable and has_perm(user, Perm.REFERRAL_SEND, case.agency_id),
        },
        request=context["request"],
    )


@register.filter
def need_label(code: str) -> str:
    """The Vietnamese name of a service code (the recipient view holds codes)."""
    return str(dict(Need.choices).get(code, code or "—"))


@register.filter
def risk_label(code: str) -> str:
    return str(dict(RiskLevel.choices).get(code, code or "—"))
