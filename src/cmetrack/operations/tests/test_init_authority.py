"""`cmetrack init-authority`: the team, the registers, what is left to do; idempotent; all or
nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pytest_django import Settings

from cmetrack.accounts.models import Organisation, User
from cmetrack.core.term_dates_csv import COLUMNS, bundled_term_dates_text
from cmetrack.operations.authority_setup import AuthoritySetupError, authority_set_up
from cmetrack.schooldays.models import TermDate
from cmetrack.schools.models import School
from cmetrack.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

GIAS_DATA = Path(__file__).resolve().parents[2] / "schools" / "tests" / "data"
SEFTON = ["--la-code", "343", "--name", "Sefton Council"]


def run(*args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("init_authority", *[str(arg) for arg in args], stdout=out, stderr=err)
    except SystemExit as exit_:
        assert isinstance(exit_.code, int)
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def nothing_written() -> bool:
    return not (
        Organisation.objects.exists() or School.objects.exists() or TermDate.objects.exists()
    )


@pytest.fixture(autouse=True)
def autumn_2025(settings: Settings) -> Iterator[None]:
    """A date inside the bundled term dates (2024/25 to 2026/27), outside the summer term."""
    settings.CMETRACK_AUTHORITY_LA_CODE = "343"
    settings.CMETRACK_AUTHORITY_NAME = "Sefton Council"
    with time_machine.travel(datetime(2025, 10, 1, 9, tzinfo=ZoneInfo("Europe/London"))):
        yield


@pytest.fixture
def term_dates(tmp_path: Path) -> Path:
    path = tmp_path / "sefton-terms.csv"
    path.write_text(bundled_term_dates_text(), encoding="utf-8")
    return path


def test_it_makes_the_team_loads_both_files_and_says_what_is_left(term_dates: Path) -> None:
    code, out, err = run(
        *SEFTON, "--gias", GIAS_DATA / "gias_sefton_liverpool.csv", "--term-dates", term_dates
    )

    assert (code, err) == (0, "")
    team = Organisation.objects.get()
    assert (team.kind, team.name, team.la_code) == ("la_team", "Sefton Council CME team", "343")
    assert School.objects.count() == 7
    assert TermDate.objects.filter(school__isnull=True).exists()
    assert "Created the CME team Sefton Council CME team (LA 343)." in out
    assert "Schools register: 7 created, 0 updated, 0 unchanged." in out
    assert "Term dates for 2024/25, 2025/26, 2026/27: loaded." in out
    assert "cmetrack add-admin --username" in out
    assert "Invite the CME team" in out
    assert "Load the schools register" not in out and "Load the term dates" not in out


def test_a_second_run_changes_nothing_and_says_so(term_dates: Path) -> None:
    args: list[str | Path] = [
        *SEFTON,
        "--gias",
        GIAS_DATA / "gias_sefton_liverpool.csv",
        "--term-dates",
        term_dates,
    ]
    run(*args)
    team = Organisation.objects.get()
    schools = list(School.objects.values_list("pk", "updated_at").order_by("pk"))
    dates = list(TermDate.objects.values_list("pk", flat=True).order_by("pk"))

    code, out, _ = run(*args)

    assert code == 0
    assert Organisation.objects.get() == team
    assert list(School.objects.values_list("pk", "updated_at").order_by("pk")) == schools
    assert list(TermDate.objects.values_list("pk", flat=True).order_by("pk")) == dates
    assert "was already set up" in out
    assert "7 unchanged" in out and "already up to date" in out
    assert "Nothing changed." in out


def test_with_no_files_it_makes_the_team_and_lists_the_registers_to_load() -> None:
    code, out, _ = run(*SEFTON)
    assert code == 0
    assert Organisation.objects.filter(kind="la_team", la_code="343").exists()
    assert "Load the schools register (no school with LA code 343 yet)" in out
    assert "Load the term dates for 2025/26" in out


def test_once_there_is_an_administrator_and_a_team_only_the_rest_is_listed(
    term_dates: Path, settings: Settings
) -> None:
    settings.CMETRACK_BASE_URL = "https://cme.sefton.example"
    settings.CMETRACK_MASH_EMAIL = "mash@sefton.example"
    run(*SEFTON, "--gias", GIAS_DATA / "gias_sefton_liverpool.csv", "--term-dates", term_dates)
    team = Organisation.objects.get()
    UserFactory(role=User.Role.ADMIN, organisation=team)
    UserFactory(role=User.Role.CME_OFFICER, organisation=team)

    _, out, _ = run(*SEFTON)

    assert "Nothing left to do: the authority is set up." in out
    assert "Still to do" not in out


def test_settings_that_disagree_with_the_authority_are_listed(settings: Settings) -> None:
    settings.CMETRACK_AUTHORITY_LA_CODE = "999"
    _, out, _ = run(*SEFTON)
    assert "Set CMETRACK_AUTHORITY_LA_CODE=343" in out and "(it is 999 now)" in out


@pytest.mark.parametrize("la_code", ["34", "3430", "abc", "043", "1x3", ""])
def test_a_bad_la_code_is_refused_and_nothing_is_written(la_code: str) -> None:
    code, _, err = run("--la-code", la_code, "--name", "Sefton Council")
    assert code == 2
    assert "is not an LA code" in err and "Nothing was written." in err
    assert nothing_written()


@hypothesis_settings(max_examples=50, deadline=None)
@given(la_code=st.text(max_size=5))
def test_only_three_digit_la_numbers_from_201_up_are_accepted(la_code: str) -> None:
    code = la_code.strip()
    wanted = len(code) == 3 and code.isascii() and code.isdigit() and code[0] >= "2"
    try:
        authority_set_up(la_code=la_code, name="An Authority")
    except AuthoritySetupError:
        accepted = False
    else:
        accepted = True
    assert accepted == wanted
    Organisation.objects.all().delete()


def test_an_unreadable_gias_file_is_refused_and_not_even_the_team_is_made(tmp_path: Path) -> None:
    code, _, err = run(*SEFTON, "--gias", tmp_path / "missing.csv")
    assert code == 2
    assert "Cannot import" in err and "Nothing was written." in err
    assert nothing_written()


def test_an_unreadable_term_dates_file_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    code, _, err = run(
        *SEFTON,
        "--gias",
        GIAS_DATA / "gias_sefton_liverpool.csv",
        "--term-dates",
        tmp_path / "nope.csv",
    )
    assert code == 2 and "Cannot read" in err
    assert nothing_written()


def test_a_gias_file_with_row_errors_writes_nothing(term_dates: Path) -> None:
    code, _, err = run(
        *SEFTON, "--gias", GIAS_DATA / "gias_row_errors.csv", "--term-dates", term_dates
    )
    assert code == 1
    assert "row 4" in err and "import-schools --valid-only" in err
    assert nothing_written()


def test_bad_term_dates_roll_back_the_team_and_the_schools_too(tmp_path: Path) -> None:
    bad = tmp_path / "terms.csv"
    bad.write_text(",".join(COLUMNS) + "\n2025,term,Autumn,2025-13-01,2025-12-19\n")
    code, _, err = run(
        *SEFTON, "--gias", GIAS_DATA / "gias_sefton_liverpool.csv", "--term-dates", bad
    )
    assert code == 1
    assert "row 2" in err.lower() and "Nothing was written." in err
    assert nothing_written()


def test_an_existing_team_is_found_not_duplicated() -> None:
    run(*SEFTON)
    code, out, _ = run("--la-code", "343", "--name", "Sefton Metropolitan Borough Council")
    assert code == 0
    assert Organisation.objects.count() == 1
    assert "Sefton Council CME team (LA 343) was already set up" in out
