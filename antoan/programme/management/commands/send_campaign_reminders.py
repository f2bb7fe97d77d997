from django.core.management.base import BaseCommand

from antoan.jobs.commands import add_now_argument, start
from antoan.programme.jobs import CAMPAIGN_REMINDERS


class Command(BaseCommand):
    help = (
        "Remind the programme reporters of a campaign's expected agencies 30 and 7 days before "
        "it starts, in the app and by email. Each reminder is sent once; none after the "
        "campaign has started. Safe to run every hour. Queued for the worker (db_worker) "
        "unless --now."
    )

    def add_arguments(self, parser):
        add_now_argument(parser)

    def handle(self, *args, now=False, **options):
        job = start(self, kind=CAMPAIGN_REMINDERS, now=now)
        if job is None:
            return
        s = job.summary
        self.stdout.write(
            self.style.SUCCESS(
                f"Campaign reminders: {s['reminders']} to send for {s['campaigns']} "
                f"campaign(s), {s['emails']} email(s)."
            )
        )
