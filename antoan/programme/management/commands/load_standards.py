from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from antoan.programme.standards_loader import StandardsFileError, load_standards

STANDARDS_DIR = Path(settings.BASE_DIR) / "data" / "standards"


class Command(BaseCommand):
    help = (
        "Load the checklists of standards for models and service facilities (default: every "
        "file in data/standards/). A changed checklist is stored as a new version; stored "
        "versions are never rewritten. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", type=Path, help="Checklist files to load.")

    def handle(self, *args, files: list[Path], **options):
        paths = files or sorted(STANDARDS_DIR.glob("*.yaml"))
        if not paths:
            raise CommandError(f"No checklist files in {STANDARDS_DIR}.")
        try:
            result = load_standards(paths, retire_missing=not files)
        except StandardsFileError as exc:
            raise CommandError(f"Refused, nothing loaded: {exc}") from exc
        for note in result.renumbered:
            self.stdout.write(self.style.WARNING(f"{note}: bump the version in the file."))
        self.stdout.write(
            self.style.SUCCESS(
                f"Checklists: new {', '.join(result.created) or 'none'}; unchanged "
                f"{len(result.unchanged)}; no longer in the files: "
                f"{', '.join(result.deactivated) or 'none'}."
            )
        )
