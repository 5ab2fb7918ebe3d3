"""`cmetrack rebuild-match-keys`: recompute every child's blocking keys. Safe to re-run."""

from typing import Any

from django.core.management.base import BaseCommand

from cmetrack.matching.services import match_keys_rebuild


class Command(BaseCommand):
    help = "Recompute the blocking keys the candidate search uses (after bulk loads)."

    def handle(self, *args: Any, **options: Any) -> None:
        done = match_keys_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Match keys rebuilt for {done} children."))
