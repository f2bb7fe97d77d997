import datetime as dt

from django.core.management.base import BaseCommand

from antoan.reports.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "Remind the reporters of every agency that has not submitted its yearly report 14, 7, "
        "3 and 1 days before the due date and once after it, in the app and by email. Each "
        "reminder is sent once; none after submission. Safe to run every hour."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, help="YYYY-MM-DD (tests)")

    def handle(self, *args, today=None, **options):
        run = reminders_send(today=today)
        self.stdout.write(
            self.style.SUCCESS(
                f"Report reminders: {run.reminders} for {run.cycles} cycle(s), "
                f"{run.emails} email(s)."
            )
        )
