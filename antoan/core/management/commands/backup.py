"""Write one encrypted backup (database + uploaded files) and prune old ones."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from antoan.core import backup as backups


class Command(BaseCommand):
    help = (
        "Back up the database (one consistent snapshot) and the uploaded files into one file "
        "encrypted with the passphrase in --passphrase-file, then delete backups older than "
        "--keep-days (always keeping the newest three). See docs/operations/backup.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, type=Path, help="Folder of the backups.")
        parser.add_argument("--passphrase-file", required=True, type=Path)
        parser.add_argument("--keep-days", type=int, default=30)
        parser.add_argument(
            "--database-url",
            help="Default: DATABASE_URL (use the owner's, who can read every table).",
        )
        parser.add_argument("--media-root", type=Path, help="Default: ANTOAN_MEDIA_ROOT.")

    def handle(self, *args, to, passphrase_file, keep_days, database_url, media_root, **options):
        if keep_days < 1:
            raise CommandError("--keep-days must be at least 1.")
        try:
            backups.check_tools()
            path = backups.backup(
                url=database_url or backups.configured_url(),
                media_root=media_root or backups.default_media_root(),
                target_dir=to,
                passphrase_file=passphrase_file,
            )
            removed = backups.prune(to, keep_days=keep_days)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backup written: {path} ({path.stat().st_size} bytes)")
        for old in removed:
            self.stdout.write(f"Deleted (older than {keep_days} days): {old.name}")
