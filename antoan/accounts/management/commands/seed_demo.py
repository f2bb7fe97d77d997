from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from antoan.accounts.demo import DEMO_PASSWORD, USERS, build_demo_world
from antoan.places.models import Place


class Command(BaseCommand):
    help = "Create the demo agencies and users (refuses on a production server without --force)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEMO_PASSWORD)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (never in production).",
        )

    def handle(self, *args, password: str, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like a real server. Demo users with a known password "
                "must not exist there. Use --force only on a test machine."
            )
        if not Place.objects.filter(code="33", level="province").exists():
            raise CommandError("Load places first: manage.py load_places")
        users = build_demo_world(password=password)
        from antoan.hotline.demo import build_demo_hotline

        build_demo_hotline(password=password)
        from antoan.referrals.demo import build_demo_providers

        providers = build_demo_providers()
        from antoan.cases.demo import build_demo_cases

        cases = build_demo_cases(users)
        from antoan.health.demo import build_demo_contacts

        contacts = build_demo_contacts()
        # Programme data needs plan 64 (manage.py load_plan); without it, there is none.
        from antoan.programme.demo import build_demo_programme

        activities = build_demo_programme(password=password)
        programme = (
            "no programme data (run manage.py load_plan first)"
            if activities is None
            else f"{activities} new demo activit(ies)"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(USERS) + 1} users (password {password!r}), "
                f"{cases} new demo case(s), {providers} provider(s), "
                f"{contacts} new health-facility contact(s), {programme}."
            )
        )
