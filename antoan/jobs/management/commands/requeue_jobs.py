"""Queue again the jobs a dead worker left behind (docs/jobs.md)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from antoan.jobs import services
from antoan.jobs.models import Job, JobStatus


class Command(BaseCommand):
    help = (
        "Queue again every job left 'running' by a worker that died: those started more than "
        "--stale-minutes ago, or all of them with --orphans (when no worker is running, e.g. "
        "just before starting the only one). Job kinds are idempotent, so nothing a dead "
        "worker committed is done twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stale-minutes", type=int, default=60)
        parser.add_argument(
            "--orphans",
            action="store_true",
            help="Every running job: only when no worker is running.",
        )

    def handle(self, *args, stale_minutes: int, orphans: bool, **options):
        if stale_minutes < 1:
            raise CommandError("--stale-minutes must be 1 or more.")
        running = Job.objects.filter(status=JobStatus.RUNNING)
        if not orphans:
            running = running.filter(
                started_at__lt=timezone.now() - dt.timedelta(minutes=stale_minutes)
            )
        count = 0
        for job in running.order_by("pk"):
            services.enqueue_again(job)
            count += 1
        self.stdout.write(f"Queued again: {count} job(s).")
