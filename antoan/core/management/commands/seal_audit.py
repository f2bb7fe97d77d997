"""``manage.py seal_audit``: seal audit events that no writer sealed (the backstop).

Writers seal after their own commit (antoan/core/audit.py); an event can still be left unsealed
when its process died right after the commit, when the writer's time budget ran out, or when
the last writer before a quiet spell found the sealer busy. Run this every few seconds (a
systemd timer, a task queue) or as a long-running service with ``--every``. See docs/audit.md.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from antoan.core.audit import seal_audit


class Command(BaseCommand):
    help = (
        "Seal every committed audit event not sealed yet (give it its seq and hashes in the "
        "chain). With --every SECONDS, keep doing so until stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=float,
            default=None,
            metavar="SECONDS",
            help="Run forever, sealing every SECONDS (e.g. 1) for a systemd service.",
        )

    def handle(self, *args, every: float | None, **options):
        if every is not None and every <= 0:
            raise CommandError("--every takes a number of seconds above 0.")
        while True:
            # Blocking: the backstop waits for a writer that is sealing, then seals the rest.
            sealed = seal_audit(blocking=True)
            if sealed or options["verbosity"] >= 2 or every is None:
                self.stdout.write(f"Sealed {sealed} audit events.")
            if every is None:
                return
            time.sleep(every)
