"""Delete form drafts not saved for ANTOAN_DRAFT_RETENTION_DAYS (also run by apply_retention)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from antoan.core.drafts import form_drafts_purge


class Command(BaseCommand):
    help = (
        "Delete drafts of forms (intake, assessment, activity) last saved more than "
        "ANTOAN_DRAFT_RETENTION_DAYS days ago. Idempotent; run daily."
    )

    def handle(self, *args, **options):
        deleted = form_drafts_purge()
        days = settings.ANTOAN_DRAFT_RETENTION_DAYS
        self.stdout.write(f"Deleted {deleted} form draft(s) not saved for {days} day(s).")
