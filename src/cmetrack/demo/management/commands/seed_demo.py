"""`cmetrack seed-demo`: load the synthetic Sefton demo authority into an empty register."""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case
from cmetrack.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, SeedError, SeedSummary, seed_demo


class Command(BaseCommand):
    help = (
        "Fill an empty database with a synthetic demo authority (Sefton, LA 343): schools, "
        "children, cases with timelines, and one demo account per role. Development only."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=343, help="Same seed, same data.")
        parser.add_argument("--schools", type=int, default=100)
        parser.add_argument("--children", type=int, default=600)
        parser.add_argument("--cases", type=int, default=400)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (but print the sign-in details) if any case already exists.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off. Never do this on a live register.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Demo accounts share a published password: they must never reach a production database.
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to load demo data because DEBUG is off (this looks like a live "
                "installation). Use a development settings module, or --force if you are sure."
            )
        if options["if_empty"] and Case.objects.exists():
            self.stdout.write("The register already has cases: demo data not loaded again.")
            self._sign_in_details()
            return
        try:
            summary = seed_demo(
                seed=options["seed"],
                schools=options["schools"],
                children=options["children"],
                cases=options["cases"],
                stdout=self.stdout,
            )
        except SeedError as error:
            raise CommandError(str(error)) from error
        self._summary(summary)
        self._sign_in_details()

    def _summary(self, summary: SeedSummary) -> None:
        statuses = ", ".join(f"{status} {n}" for status, n in summary.cases_by_status.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo authority loaded from seed {summary.seed} in {summary.seconds:.1f} s: "
                f"{summary.schools} schools, {summary.children} children, {summary.cases} cases "
                f"({statuses}), {summary.events} timeline events, {summary.users} accounts."
            )
        )

    def _sign_in_details(self) -> None:
        usernames = [name for name, _ in DEMO_ACCOUNTS]
        existing = set(
            User.objects.filter(username__in=usernames).values_list("username", flat=True)
        )
        present = [(name, role) for name, role in DEMO_ACCOUNTS if name in existing]
        if not present:
            return
        self.stdout.write("")
        self.stdout.write("DEMO SIGN-IN - synthetic data only; these credentials are public:")
        for name, role in present:
            self.stdout.write(f"  {name:<9} {role}")
        colleagues = User.objects.filter(
            role=User.Role.CME_OFFICER, email__endswith="@example.invalid"
        ).exclude(username__in=usernames)
        names = ", ".join(colleagues.order_by("username").values_list("username", flat=True))
        if names:
            self.stdout.write(f"  (more demo officers sharing the caseload: {names})")
        self.stdout.write(f"  password for every demo account: {DEMO_PASSWORD}")
