from django.core.management.base import BaseCommand

from antoan.referrals.services import referrals_escalate_overdue


class Command(BaseCommand):
    help = "Raise overdue, unanswered referrals to the sender agency's supervisors (idempotent)."

    def handle(self, *args, **options):
        count = referrals_escalate_overdue()
        self.stdout.write(f"{count} referral(s) escalated.")
