from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from antoan.programme.loader import PlanFileError, load_plan
from antoan.reports.services import ensure_cycles

PLANS_DIR = Path(settings.BASE_DIR) / "data" / "plans"


class Command(BaseCommand):
    help = (
        "Load plans from their YAML files (default: every file in data/plans/): objectives, the "
        "task tree, the agencies named and who is assigned what. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", type=Path, help="Plan files to load.")

    def handle(self, *args, files: list[Path], **options):
        paths = files or sorted(PLANS_DIR.glob("*.yaml"))
        if not paths:
            raise CommandError(f"No plan files in {PLANS_DIR}.")
        for path in paths:
            try:
                plan, result = load_plan(path)
            except PlanFileError as exc:
                raise CommandError(f"Refused, nothing loaded from {path.name}: {exc}") from exc
            cycles = ensure_cycles(plan)
            self.stdout.write(
                self.style.SUCCESS(
                    f"{plan.number}: {plan.tasks.count()} tasks; created {result.created}, "
                    f"updated {result.updated}, removed {result.removed}; new agencies: "
                    f"{', '.join(result.agencies_created) or 'none'}; new reporting cycles: "
                    f"{cycles}."
                )
            )
