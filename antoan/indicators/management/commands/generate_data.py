from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from antoan.indicators.jobs import GENERATE_DATA
from antoan.indicators.synthetic import SCALES, Refused, generate
from antoan.jobs import services as jobs


class Command(BaseCommand):
    help = (
        "Write reproducible synthetic history (2021 → yesterday) for the indicator dashboards: "
        "demo (~900 cases), province (20,000) or national (1,000,000). Refuses a database "
        "holding real cases, and a server with DEBUG off unless --force. Does nothing when a "
        "previous run's data is there."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--cases", type=int, help="Number of cases instead of the scale's.")
        parser.add_argument(
            "--workers",
            type=int,
            help="Processes writing the cases (PostgreSQL; default 2 at national scale, else 1).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (never in production).",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the work for the worker (db_worker); its job reports progress.",
        )

    def handle(
        self,
        *args,
        scale: str,
        seed: int,
        cases: int | None,
        force: bool,
        enqueue: bool = False,
        workers: int | None = None,
        **options,
    ):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like a real server. Synthetic data must never be mixed "
                "with real records. Use --force only on a test machine."
            )
        if cases is not None and cases < 0:
            raise CommandError("--cases must be 0 or more.")
        if workers is not None and workers < 1:
            raise CommandError("--workers must be 1 or more.")
        if enqueue:
            job = jobs.enqueue(
                owner=None,
                kind=GENERATE_DATA,
                params={"scale": scale, "seed": seed, "cases": cases},
            )
            self.stdout.write(f"Queued job {job.pk} ({GENERATE_DATA}); the worker runs it.")
            return
        try:
            summary = generate(scale, seed, cases, stdout=self.stdout, workers=workers)
        except Refused as refusal:
            raise CommandError(str(refusal)) from None
        if not summary.created:
            self.stdout.write(f"{summary.message} Nothing to do.")
            return
        width = max(len(label) for label in summary.counts) if summary.counts else 0
        for label, count in sorted(summary.counts.items()):
            self.stdout.write(f"  {label:<{width}}  {count:>10,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Synthetic data ({summary.scale}, seed {summary.seed}, {summary.cases:,} cases) "
                f"written in {summary.seconds:.1f} s."
            )
        )
