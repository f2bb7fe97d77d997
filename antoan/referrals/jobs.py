"""Referral work that runs as a job (docs/jobs.md): ``escalate_referrals``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from antoan.jobs.kinds import JobContext, register

ESCALATE = "referrals.escalate"


@register(ESCALATE, _("Chuyển cấp các chuyển tuyến quá hạn"))
def escalate(ctx: JobContext) -> dict:
    from antoan.referrals.services import referrals_escalate_overdue

    return {"escalated": referrals_escalate_overdue()}
