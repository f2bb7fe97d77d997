from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from antoan.indicators.loader import CatalogueError, load_indicators

CATALOGUE = Path(settings.BASE_DIR) / "data" / "indicators.yaml"


class Command(BaseCommand):
    help = (
        "Load the indicator catalogue (default: data/indicators.yaml): definitions, the "
        "measures behind numerators and denominators, breakdowns and targets. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, default=CATALOGUE)

    def handle(self, *args, file: Path, **options):
        try:
            result = load_indicators(file)
        except CatalogueError as exc:
            raise CommandError(f"Refused, nothing loaded from {file.name}: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(result.codes)} indicators: created {result.created}, updated "
                f"{result.updated}, new targets {result.targets}, set inactive "
                f"{result.deactivated}."
            )
        )
