from django.core.management.base import BaseCommand

from antoan.jobs.commands import add_now_argument, start
from antoan.referrals.jobs import ESCALATE


class Command(BaseCommand):
    help = (
        "Raise overdue, unanswered referrals to the sender agency's supervisors (idempotent). "
        "Queued for the worker (db_worker) unless --now."
    )

    def add_arguments(self, parser):
        add_now_argument(parser)

    def handle(self, *args, now=False, **options):
        job = start(self, kind=ESCALATE, now=now)
        if job is not None:
            self.stdout.write(f"{job.summary['escalated']} referral(s) escalated.")
