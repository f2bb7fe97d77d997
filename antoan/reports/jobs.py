"""Report work that runs as a job (docs/jobs.md): the reminders of ``send_report_reminders``."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from antoan.jobs.kinds import JobContext, register

REMINDERS = "reports.reminders"


@register(REMINDERS, _("Nhắc hạn báo cáo năm"))
def send_reminders(ctx: JobContext) -> dict:
    from antoan.reports.reminders import reminders_send

    today = ctx.params.get("today")
    run = reminders_send(today=dt.date.fromisoformat(today) if today else None)
    return {"reminders": run.reminders, "cycles": run.cycles, "emails": run.emails}
