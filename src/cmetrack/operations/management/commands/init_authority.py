"""`cmetrack init-authority --la-code 343 --name "Sefton Council" [--gias F] [--term-dates F]`.

Makes (or finds) the authority's CME team, loads the files given, and prints what is left to
do. Safe to run again: with the same answers it changes nothing and says so.

Exit codes: 0 done, 1 a file has row errors, 2 bad arguments or an unreadable file. On 1 and 2
nothing at all was written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cmetrack.core.school_calendar import academic_year_label
from cmetrack.operations.authority_setup import (
    AuthoritySetup,
    AuthoritySetupError,
    authority_set_up,
)

EXIT_REJECTED = 1
EXIT_UNREADABLE = 2
# Enough to see what is wrong; the importers' own commands list every error.
ERRORS_SHOWN = 20


class Command(BaseCommand):
    help = (
        "Set up the authority: its CME team organisation, and optionally the schools register "
        "(a GIAS extract) and term dates. Prints what is left to do. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--la-code", required=True, help="the authority's three-digit DfE LA number, e.g. 343"
        )
        parser.add_argument("--name", required=True, help='e.g. "Sefton Council"')
        parser.add_argument(
            "--gias", type=Path, help="a GIAS establishment extract (edubasealldata<date>.csv)"
        )
        parser.add_argument(
            "--term-dates",
            type=Path,
            help="the authority's term dates CSV (docs/statutory-clock.md)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            setup = authority_set_up(
                la_code=options["la_code"],
                name=options["name"],
                gias=options["gias"],
                term_dates=options["term_dates"],
            )
        except AuthoritySetupError as error:
            for row_error in error.errors[:ERRORS_SHOWN]:
                self.stderr.write(str(row_error))
            if len(error.errors) > ERRORS_SHOWN:
                self.stderr.write(f"... and {len(error.errors) - ERRORS_SHOWN} more.")
            self.stderr.write(f"{error}\nNothing was written.")
            raise SystemExit(EXIT_REJECTED if error.errors else EXIT_UNREADABLE) from None
        self.stdout.write("\n".join(self._report(setup)))

    @staticmethod
    def _report(setup: AuthoritySetup) -> list[str]:
        team = setup.team
        lines = [
            f"Created the CME team {team} (LA {team.la_code})."
            if setup.team_created
            else f"The CME team {team} (LA {team.la_code}) was already set up."
        ]
        if setup.schools is not None:
            s = setup.schools
            lines.append(
                f"Schools register: {s.created} created, {s.updated} updated, "
                f"{s.unchanged} unchanged."
            )
        if setup.term_dates is not None:
            t = setup.term_dates
            years = ", ".join(academic_year_label(year) for year in t.years)
            verb = "loaded" if t.committed else "already up to date"
            lines.append(f"Term dates for {years}: {verb}.")
        if not setup.changed:
            lines.append("Nothing changed.")
        if setup.to_do:
            lines += ["", "Still to do:"]
            lines += [f"{number}. {item}" for number, item in enumerate(setup.to_do, start=1)]
        else:
            lines += ["", "Nothing left to do: the authority is set up."]
        return lines
