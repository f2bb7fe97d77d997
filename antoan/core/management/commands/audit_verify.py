"""Check the audit log's hash chain from the first event to the chain head."""

from __future__ import annotations

import argparse
import re

from django.core.management.base import BaseCommand, CommandError

from antoan.core.audit import VERIFY_CHUNK, audit_verify


def _anchor(text: str) -> tuple[int, str]:
    match = re.fullmatch(r"#?(\d+):([0-9a-f]{64})", text.strip().lower())
    if match is None:
        raise argparse.ArgumentTypeError("expected SEQ:HASH, e.g. 1234:9f86d0…(64 hex digits)")
    return int(match.group(1)), match.group(2)


class Command(BaseCommand):
    help = (
        "Verify the audit log: recompute every event's hash, check each link to the previous "
        "event, that no position is missing, and that the chain head matches the last event; "
        "and that no event stayed unsealed longer than AUDIT_UNSEALED_MAX_SECONDS. "
        "Exits non-zero at the first problem."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=VERIFY_CHUNK,
            help=f"Events read per query (default {VERIFY_CHUNK}).",
        )
        parser.add_argument(
            "--anchor",
            metavar="SEQ:HASH",
            type=_anchor,
            help="An event number and hash recorded outside the database by an earlier run; "
            "the event must still carry that hash.",
        )

    def handle(self, *args, chunk_size: int, anchor, verbosity: int, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")

        def progress(checked: int) -> None:
            if verbosity >= 2:
                self.stderr.write(f"… {checked} events checked")

        result = audit_verify(chunk_size=chunk_size, progress=progress, anchor=anchor)
        if not result.ok:
            raise CommandError(
                f"Audit log verification FAILED after {result.checked} intact events: "
                f"{result.problem}."
            )
        self.stdout.write(self.style.SUCCESS(str(result)))
