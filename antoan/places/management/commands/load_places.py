from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from antoan.places.services import places_load
from antoan.places.sources import SourceError, default_crosswalk, read_all


class Command(BaseCommand):
    help = (
        "Load today's administrative units (vietnam-provinces) and the pre-2025 units of the "
        "crosswalk CSV, with their successions. Safe to run again: unchanged rows are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--crosswalk",
            type=Path,
            default=None,
            help=f"The 2025 commune crosswalk CSV (default: {default_crosswalk()}).",
        )

    def handle(self, *args, crosswalk: Path | None, **options):
        try:
            result = places_load(sources=read_all(crosswalk))
        except (SourceError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("Refused, nothing loaded:\n" + "\n".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Places: {result.places}."))
        self.stdout.write(self.style.SUCCESS(f"Successions: {result.successions}."))
