"""`cmetrack init-authority`: an authority's first step, and what is left to do after it.

It makes (or finds) the authority's CME team organisation and loads the schools register and
the term dates through their own importers (`schools_import_gias`, `term_dates_import`), all in
one transaction: a bad LA code, an unreadable file or a file with row errors writes nothing,
not even the team. Run again with the same answers it changes nothing and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.models import Organisation, User
from cmetrack.core.row_errors import RowError
from cmetrack.core.school_calendar import academic_year_label
from cmetrack.core.year_group import academic_year_start
from cmetrack.schooldays.selectors import academic_years_loaded
from cmetrack.schooldays.services import TermDatesImportResult, term_dates_import
from cmetrack.schools.gias import GiasFileError
from cmetrack.schools.models import School
from cmetrack.schools.services import ImportResult, schools_import_gias

# DfE LA numbers run from 201 (City of London) upwards; none has a leading 0 or 1.
LA_CODE = re.compile(r"[2-9][0-9][0-9]")
# A few years of term dates is a few kilobytes (as `import-term-dates` allows).
TERM_DATES_MAX_BYTES = 1024 * 1024
TEAM_SUFFIX = "CME team"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
NEXT_YEAR_MONTHS = (5, 6, 7, 8)


class AuthoritySetupError(Exception):
    """Nothing was written. The message, and any row errors, are for the operator."""

    def __init__(self, message: str, errors: list[RowError] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


@dataclass(frozen=True)
class AuthoritySetup:
    team: Organisation
    team_created: bool
    schools: ImportResult | None
    term_dates: TermDatesImportResult | None
    to_do: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        schools_moved = self.schools is not None and bool(
            self.schools.created or self.schools.updated
        )
        return (
            self.team_created
            or schools_moved
            or bool(self.term_dates and self.term_dates.committed)
        )


def team_name(authority_name: str) -> str:
    """'Sefton Council' -> 'Sefton Council CME team' (as the demo's team is named)."""
    name = " ".join(authority_name.split())
    return name if name.lower().endswith(TEAM_SUFFIX.lower()) else f"{name} {TEAM_SUFFIX}"


def _check_arguments(la_code: str, name: str) -> None:
    if not LA_CODE.fullmatch(la_code):
        raise AuthoritySetupError(
            f"{la_code!r} is not an LA code: give the authority's three-digit DfE LA number, "
            "like 343 for Sefton (Get Information About Schools lists them)."
        )
    if not name.strip():
        raise AuthoritySetupError('Give the authority\'s name, like --name "Sefton Council".')
    limit = Organisation._meta.get_field("name").max_length or 200
    if len(team_name(name)) > limit:
        raise AuthoritySetupError(f"The name is too long: at most {limit - 10} characters.")


def _read_term_dates(path: Path) -> bytes:
    try:
        if path.stat().st_size > TERM_DATES_MAX_BYTES:
            raise AuthoritySetupError(
                f"Cannot read {path}: it is larger than {TERM_DATES_MAX_BYTES // 1024} KB, too "
                "big to be a term-dates file."
            )
        return path.read_bytes()
    except OSError as error:
        raise AuthoritySetupError(f"Cannot read {path}: {error.strerror or error}") from None


def authority_set_up(
    *, la_code: str, name: str, gias: Path | None = None, term_dates: Path | None = None
) -> AuthoritySetup:
    """Make or find the CME team for `la_code`, and load the files given. All or nothing:
    AuthoritySetupError (with the row errors) leaves the database as it was."""
    la_code = la_code.strip()
    _check_arguments(la_code, name)
    term_dates_data = _read_term_dates(term_dates) if term_dates is not None else None

    with transaction.atomic():
        team = (
            Organisation.objects.filter(kind=Organisation.Kind.LA_TEAM, la_code=la_code)
            .order_by("pk")
            .first()
        )
        team_created = team is None
        if team is None:
            team = Organisation(
                kind=Organisation.Kind.LA_TEAM, name=team_name(name), la_code=la_code
            )
            team.full_clean()
            team.save()

        schools = None
        if gias is not None:
            try:
                schools = schools_import_gias(path_or_file=gias, commit=True)
            except GiasFileError as error:
                raise AuthoritySetupError(f"Cannot import {gias}: {error}") from None
            if schools.rejected:
                raise AuthoritySetupError(
                    f"{gias}: {schools.error_rows} of {schools.rows_read} rows have errors. "
                    "Fix them, or load the valid rows with cmetrack import-schools --valid-only.",
                    schools.errors,
                )

        dates = None
        if term_dates is not None and term_dates_data is not None:
            dates = term_dates_import(data=term_dates_data, by=None)
            if dates.rejected:
                raise AuthoritySetupError(
                    f"{term_dates}: {len(dates.errors)} error(s) in the term dates.",
                    list(dates.errors),
                )

    return AuthoritySetup(
        team=team,
        team_created=team_created,
        schools=schools,
        term_dates=dates,
        to_do=authority_to_do(team=team, name=name),
    )


def authority_to_do(*, team: Organisation, name: str) -> list[str]:
    """What is still missing before the team can start, in the order to do it."""
    to_do: list[str] = []
    if team.la_code != settings.CMETRACK_AUTHORITY_LA_CODE:
        to_do.append(
            f"Set CMETRACK_AUTHORITY_LA_CODE={team.la_code} in the service's environment "
            f"(it is {settings.CMETRACK_AUTHORITY_LA_CODE} now)."
        )
    if " ".join(name.split()) != settings.CMETRACK_AUTHORITY_NAME:
        to_do.append(
            f'Set CMETRACK_AUTHORITY_NAME="{" ".join(name.split())}" in the service\'s environment '
            f'(it is "{settings.CMETRACK_AUTHORITY_NAME}" now): pages and emails show it.'
        )
    if settings.CMETRACK_BASE_URL == DEFAULT_BASE_URL:
        to_do.append(
            "Set CMETRACK_BASE_URL to the address staff sign in at: set-up links and emails "
            f"use it (it is {DEFAULT_BASE_URL} now)."
        )
    if not settings.CMETRACK_MASH_EMAIL:
        to_do.append(
            "Set CMETRACK_MASH_EMAIL to children's social care's (MASH) address: safeguarding "
            "escalations are sent there."
        )
    members = User.objects.filter(organisation=team, is_active=True)
    if not members.filter(role=User.Role.ADMIN).exists():
        to_do.append(
            "Make the first administrator: cmetrack add-admin --username NAME --email ADDRESS "
            "(it prints their set-up link)."
        )
    if not members.exclude(role=User.Role.ADMIN).exists():
        to_do.append(
            "Invite the CME team: sign in as the administrator and choose Invite a user at "
            "/account/users/ (schools, agencies and other authorities too)."
        )
    if not School.objects.filter(la_code=team.la_code).exists():
        to_do.append(
            f"Load the schools register (no school with LA code {team.la_code} yet): "
            "cmetrack import-schools edubasealldata<date>.csv, from Get Information About "
            "Schools."
        )
    today = timezone.localdate()
    year = academic_year_start(today)
    # Next year's dates are wanted once the summer term is under way.
    wanted = (year, year + 1) if today.month in NEXT_YEAR_MONTHS else (year,)
    loaded = academic_years_loaded()
    missing = [y for y in wanted if y not in loaded]
    if missing:
        labels = " and ".join(academic_year_label(y) for y in missing)
        to_do.append(
            f"Load the term dates for {labels}: cmetrack import-term-dates FILE.csv (see "
            "docs/statutory-clock.md). Without them no deadline is worked out."
        )
    return to_do
