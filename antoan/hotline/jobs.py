"""Hotline work that runs as a job (docs/jobs.md): ``escalate_contacts`` (contacts waiting too
long, and web chats whose visitor has gone)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from antoan.jobs.kinds import JobContext, register

ESCALATE = "hotline.escalate_contacts"


@register(ESCALATE, _("Báo giám sát các liên hệ chờ quá lâu"))
def escalate(ctx: JobContext) -> dict:
    from antoan.hotline.services.escalation import chats_end_gone, contacts_escalate_waiting

    return {"escalated": contacts_escalate_waiting(), "gone": chats_end_gone()}
