"""Anonymise the survivors whose cases are past their retention period (run daily)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from antoan.cases.models import Case
from antoan.cases.services import retention
from antoan.core.audit import audit_record
from antoan.core.drafts import form_drafts_purge
from antoan.core.models import AuditAction
from antoan.hotline.services import calls_unlinked_anonymise
from antoan.jobs.services import results_purge
from antoan.privacy.erasure import COMMAND, anonymise_survivor


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today takes a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Anonymise closed cases past ANTOAN_RETENTION_YEARS (not on legal hold), and blank the "
        "summaries of old hotline calls that opened no case; delete expired form drafts and job "
        "files (ANTOAN_JOB_RESULT_DAYS). Idempotent; run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what is due; change nothing."
        )
        parser.add_argument(
            "--today", type=_day, help="Count the period up to this day (YYYY-MM-DD)."
        )

    def handle(self, *args, dry_run: bool, today: dt.date | None, **options):
        today = today or timezone.localdate()
        cutoff = retention.retention_cutoff(today)
        survivors = retention.survivors_due(today)
        if dry_run:
            due = Case.objects.filter(survivor_id__in=survivors).count()
            self.stdout.write(
                f"Dry run: {len(survivors)} survivor(s), {due} case(s) closed before "
                f"{cutoff:%d/%m/%Y} would be anonymised."
            )
            return
        cases = values = 0
        for survivor_id in survivors:
            case_ids, scrubbed = anonymise_survivor(survivor_id)
            cases += len(case_ids)
            values += scrubbed.fields
        calls = retention.Scrubbed()
        with transaction.atomic():
            calls_unlinked_anonymise(closed_before=cutoff, scrubbed=calls)
            if calls.fields:
                audit_record(
                    action=AuditAction.ANONYMISED,
                    username=COMMAND,
                    object_type="call",
                    extra={"values_removed": calls.fields},
                )
        # Unsubmitted drafts have a retention of their own, in days (docs/forms.md).
        drafts = form_drafts_purge()
        # So have the files of finished jobs: exports, reports, uploads (docs/jobs.md).
        job_files = results_purge()
        self.stdout.write(
            f"Anonymised {cases} case(s) of {len(survivors)} survivor(s) closed before "
            f"{cutoff:%d/%m/%Y}: {values} value(s) removed; {calls.fields} old call "
            "summary(ies) blanked."
        )
        self.stdout.write(f"Deleted {drafts} old form draft(s).")
        self.stdout.write(f"Deleted {job_files} expired job file(s).")
