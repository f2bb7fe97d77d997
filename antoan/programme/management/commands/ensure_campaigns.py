from django.core.management.base import BaseCommand
from django.utils import timezone

from antoan.programme.services import campaigns


class Command(BaseCommand):
    help = (
        "Create the recurring campaigns (Action Month 15/11-15/12, 25/11, June's month on "
        "domestic violence) of this year and next year, or of --year and the year after, that "
        "do not exist yet. Existing campaigns are never changed. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="First year (default: this year).")

    def handle(self, *args, year=None, **options):
        first = year or timezone.localdate().year
        created = campaigns.ensure_recurring(years=(first, first + 1))
        names = ", ".join(f"{c.title} ({c.start_date:%d/%m/%Y})" for c in created)
        self.stdout.write(
            self.style.SUCCESS(
                f"Campaigns {first}-{first + 1}: created {len(created)}"
                + (f": {names}." if created else "; all exist already.")
            )
        )
