from django.core.management.base import BaseCommand

from antoan.programme.services import campaigns


class Command(BaseCommand):
    help = (
        "Remind the programme reporters of a campaign's expected agencies 30 and 7 days before "
        "it starts, in the app and by email. Each reminder is sent once; none after the "
        "campaign has started. Safe to run every hour."
    )

    def handle(self, *args, **options):
        run = campaigns.reminders_send()
        self.stdout.write(
            self.style.SUCCESS(
                f"Campaign reminders: {run.reminders} to send for {run.campaigns} campaign(s), "
                f"{run.emails} email(s)."
            )
        )
