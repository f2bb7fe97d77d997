import datetime as dt

from django.core.management.base import BaseCommand

from antoan.jobs.commands import add_now_argument, start
from antoan.reports.jobs import REMINDERS


class Command(BaseCommand):
    help = (
        "Remind the reporters of every agency that has not submitted its yearly report 14, 7, "
        "3 and 1 days before the due date and once after it, in the app and by email. Each "
        "reminder is sent once; none after submission. Safe to run every hour. Queued for the "
        "worker (db_worker) unless --now."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, help="YYYY-MM-DD (tests)")
        add_now_argument(parser)

    def handle(self, *args, today=None, now=False, **options):
        params = {"today": today.isoformat() if today else None}
        job = start(self, kind=REMINDERS, params=params, now=now)
        if job is None:
            return
        s = job.summary
        self.stdout.write(
            self.style.SUCCESS(
                f"Report reminders: {s['reminders']} for {s['cycles']} cycle(s), "
                f"{s['emails']} email(s)."
            )
        )
