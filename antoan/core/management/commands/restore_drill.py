"""Prove the backups restore: back up, restore into scratch, compare, verify, clean up."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from antoan.core import backup as backups


class Command(BaseCommand):
    help = (
        "Restore drill: back up DATABASE_URL and the uploaded files, restore them into a scratch "
        "database and folder, compare every table's row count and checksum, seal and verify the "
        "copy's audit chain, drop the copy, print the result. Exits non-zero on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--passphrase-file",
            type=Path,
            help="The production passphrase file, to prove it opens the backups. Default: a "
            "throwaway passphrase.",
        )
        parser.add_argument("--media-root", type=Path, help="Default: ANTOAN_MEDIA_ROOT.")

    def handle(self, *args, passphrase_file, media_root, **options):
        try:
            result = backups.drill(
                url=backups.configured_url(),
                media_root=media_root or backups.default_media_root(),
                passphrase_file=passphrase_file,
                out=self.stdout.write,
            )
        except backups.BackupError as exc:
            raise CommandError(f"Restore drill FAILED: {exc}") from exc
        if not result.ok:
            raise CommandError("Restore drill FAILED: the copy differs from the database.")
        self.stdout.write(self.style.SUCCESS("Restore drill passed."))
