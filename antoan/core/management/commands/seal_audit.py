"""``manage.py seal_audit``: seal audit events not sealed yet.

Run as a long-running service with ``--every`` (PostgreSQL), it holds the sealer service's lock
for as long as it runs, and writers in the default ``auto`` mode leave their events to it: they
only insert. When it stops (or has not started), they seal after their own commit again. A
second service started beside it waits as a backstop and takes over the lock when the first
stops. Without ``--every`` it seals once (a systemd timer, a task queue) whatever no writer
sealed: the event of a process that died right after its commit, or the last ones before a
quiet spell. See docs/audit.md, "Sealing: who seals, and when".
"""

from __future__ import annotations

import signal
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from antoan.core.audit import hold_sealer_service_lock, release_sealer_service_lock, seal_audit


def _stop(signum, frame):
    sys.exit(0)


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
        if every is None:
            # Blocking: waits for a writer that is sealing, then seals the rest.
            self.stdout.write(f"Sealed {seal_audit(blocking=True)} audit events.")
            return
        # systemd stops a service with SIGTERM: leave through ``finally``, so that writers seal
        # for themselves at once and nothing left to this service waits for its restart.
        signal.signal(signal.SIGTERM, _stop)
        serving: bool | None = None
        try:
            while True:
                # Every round: after a reconnect the lock is taken again on the new connection.
                held = hold_sealer_service_lock()
                if held != serving and connection.vendor == "postgresql":
                    self.stdout.write(
                        "Sealer service: writers leave their audit events to this process."
                        if held
                        else "Another sealer service is running: this one seals what it leaves."
                    )
                serving = held
                sealed = seal_audit(blocking=True)
                if sealed or options["verbosity"] >= 2:
                    self.stdout.write(f"Sealed {sealed} audit events.")
                time.sleep(every)
        finally:
            release_sealer_service_lock()
            seal_audit(blocking=True)  # what was left to this service while it ran
