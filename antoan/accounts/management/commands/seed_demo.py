from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from antoan.accounts.demo import DEMO_PASSWORD, build_demo_world
from antoan.accounts.models import User
from antoan.places.models import Place


def _demo_names() -> set[str]:
    """The usernames every demo builder uses."""
    from antoan.accounts.demo import USERS
    from antoan.hotline.demo import SUPERVISOR
    from antoan.programme.demo import REPORTERS

    return {u[0] for u in USERS} | {SUPERVISOR[0]} | {r[0] for r in REPORTERS}


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
        existing = set(User.objects.values_list("username", flat=True))
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
        # The demo users that exist now, and how many this run added: the programme's
        # reporters exist only once plan 64 is loaded, so no fixed number is right.
        demo = set(
            User.objects.filter(username__in=_demo_names()).values_list("username", flat=True)
        )
        demo_users, new_users = len(demo), len(demo - existing)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {demo_users} demo users, {new_users} of them new "
                f"(password {password!r}), "
                f"{cases} new demo case(s), {providers} provider(s), "
                f"{contacts} new health-facility contact(s), {programme}."
            )
        )
