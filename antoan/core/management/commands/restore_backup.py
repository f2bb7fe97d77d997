"""Restore an encrypted backup into an empty database and folder, and compare it."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from antoan.core import backup as backups


class Command(BaseCommand):
    help = (
        "Decrypt a backup written by `backup`, restore it into an EMPTY PostgreSQL database "
        "(--database-url) and an empty folder (--media-root), and compare every table's row "
        "count and checksum with the backup's manifest. A wrong passphrase or a damaged file is "
        "refused before anything is written. Then run grant_app_role, seal_audit, audit_verify "
        "and apply_retention on it (docs/operations/backup.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--database-url", required=True)
        parser.add_argument("--media-root", required=True, type=Path)
        parser.add_argument("--passphrase-file", required=True, type=Path)

    def handle(self, *args, archive, database_url, media_root, passphrase_file, **options):
        try:
            backups.check_tools()
            result = backups.restore(
                archive=archive,
                url=database_url,
                media_root=media_root,
                passphrase_file=passphrase_file,
            )
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {result.tables} tables, {result.rows} rows, {result.files} files."
        )
        if not result.ok:
            raise CommandError(
                "Restored data differ from the backup:\n" + "\n".join(result.differences)
            )
        self.stdout.write(
            self.style.SUCCESS("Every table's row count and checksum match the backup.")
        )
