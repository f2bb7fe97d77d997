"""Reminders of the due date: 14, 7, 3 and 1 days before it and once when it has passed, to
the reporters of every agency that has not submitted; in the app (a ``Reminder`` row, shown
on the reports page) and by email.

``send_report_reminders`` runs every hour: each cycle × agency × user × kind is sent once
(the row's unique constraint), only the reminder due today (an agency added 10 days before
the due date gets the 7-day one, not two at once), and none once the agency has submitted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from antoan.accounts.roles import Perm
from antoan.accounts.selectors import holders
from antoan.core.audit import audit_record
from antoan.core.mail import send_after_commit
from antoan.core.models import AuditAction
from antoan.programme.choices import PlanStatus
from antoan.programme.models import Plan
from antoan.reports.choices import IN_HAND, REMINDER_DAYS, ReminderKind
from antoan.reports.models import Cycle, Reminder, Submission
from antoan.reports.services import ensure_cycles

# After the due date, the overdue reminder goes out for this long; a cycle older than that is
# the coordinator's to chase by hand.
OVERDUE_WINDOW = dt.timedelta(days=60)


# A reminder missed for a day (the hourly job did not run) still goes out the day after; later
# than that the next one is awaited, so a reminder never says more days than are left.
CATCH_UP_DAYS = 1


def kind_due(cycle: Cycle, today: dt.date) -> str | None:
    """The reminder due today for an agency that has not submitted: the one whose day it is
    (or was yesterday). 10 days before the due date none is: the 7-day one follows."""
    days_left = (cycle.due_date - today).days
    if days_left < 0:
        return ReminderKind.OVERDUE if -days_left <= OVERDUE_WINDOW.days else None
    for kind, days in REMINDER_DAYS.items():
        if days - CATCH_UP_DAYS <= days_left <= days:
            return kind
    return None


def reminder_text(cycle: Cycle, agency_name: str, kind: str) -> tuple[str, str]:
    """Subject and body of the email: the plan, the year, the due date, the link. No
    personal data (there is none in a report)."""
    link = settings.ANTOAN_SITE_URL + reverse("reports:cycle", args=[cycle.pk])
    args = {
        "plan": cycle.plan.number,
        "year": cycle.year,
        "due": date_format(cycle.due_date, "d/m/Y"),
        "agency": agency_name,
        "days": (cycle.due_date - timezone.localdate()).days,
        "link": link,
    }
    if kind == ReminderKind.OVERDUE:
        subject = _("[An Toàn] Báo cáo năm %(year)s của %(agency)s đã quá hạn") % args
        body = (
            _(
                "Báo cáo năm %(year)s thực hiện Kế hoạch %(plan)s của %(agency)s phải nộp trước "
                "%(due)s và chưa được nộp.\nBáo cáo nộp muộn vẫn được tiếp nhận. Hãy hoàn thiện "
                "và nộp tại: %(link)s\n"
            )
            % args
        )
    else:
        subject = _("[An Toàn] Báo cáo năm %(year)s: hạn nộp %(due)s") % args
        body = (
            _(
                "Báo cáo năm %(year)s thực hiện Kế hoạch %(plan)s của %(agency)s phải nộp trước "
                "%(due)s. Báo cáo đã được điền sẵn số liệu từ các hoạt động cơ quan đã ghi nhận; "
                "hãy kiểm tra, viết phần đánh giá và nộp tại: %(link)s\n"
            )
            % args
        )
    return subject, body


@dataclass
class ReminderRun:
    cycles: int = 0
    reminders: int = 0
    emails: int = 0


def reminders_send(*, today: dt.date | None = None) -> ReminderRun:
    day = today or timezone.localdate()
    run = ReminderRun()
    # Agencies added to the register since a cycle was made are reminded too.
    for plan in Plan.objects.filter(
        parent__isnull=True, status=PlanStatus.PUBLISHED, report_cycles__isnull=False
    ).distinct():
        ensure_cycles(plan)
    horizon = day + dt.timedelta(days=max(REMINDER_DAYS.values()))
    cycles = Cycle.objects.filter(
        due_date__lte=horizon, due_date__gte=day - OVERDUE_WINDOW
    ).select_related("plan")
    for cycle in cycles:
        kind = kind_due(cycle, day)
        if kind is None:
            continue
        with transaction.atomic():
            # Two runs at once wait here: one sends, the other finds the rows and sends none.
            cycle = Cycle.objects.select_for_update().select_related("plan").get(pk=cycle.pk)
            done = set(
                Submission.objects.filter(cycle=cycle, status__in=IN_HAND).values_list(
                    "agency_id", flat=True
                )
            )
            sent = set(
                Reminder.objects.filter(cycle=cycle, kind=kind).values_list("agency_id", "user_id")
            )
            now = timezone.now()
            rows, mails = [], []
            for agency in cycle.agencies.exclude(pk__in=done).order_by("pk"):
                for user in holders(agency.pk, Perm.REPORTS_SUBMIT):
                    if (agency.pk, user.pk) in sent:
                        continue
                    rows.append(
                        Reminder(cycle=cycle, agency=agency, user=user, kind=kind, sent_at=now)
                    )
                    if user.email:
                        with translation.override(settings.LANGUAGE_CODE):
                            subject, body = reminder_text(cycle, agency.name, kind)
                        # One message each: agencies do not see each other's addresses.
                        mails.append((subject, body, [user.email]))
            if not rows:
                continue
            Reminder.objects.bulk_create(rows, ignore_conflicts=True)
            if mails:
                send_after_commit(mails, what="report reminder")
            audit_record(
                action=AuditAction.CREATE,
                username="system",
                object_type="reports.cycle",
                object_id=cycle.pk,
                extra={"reminder": kind, "users": len(rows), "emails": len(mails)},
            )
            run.cycles += 1
            run.reminders += len(rows)
            run.emails += len(mails)
    return run


__all__ = ["ReminderRun", "kind_due", "reminder_text", "reminders_send"]
