"""`cmetrack import-term-dates`: exit codes and what it prints."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from cmetrack.core.term_dates_csv import COLUMNS, bundled_term_dates_text
from cmetrack.schooldays.models import TermDate
from cmetrack.testing.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def run_command(*args: str) -> tuple[int, str, str]:
    """call_command, returning (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_term_dates", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        code = exit_.code
        assert isinstance(code, int)
        return code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def write(tmp_path: Path, *rows: str, name: str = "terms.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([",".join(COLUMNS), *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "sefton.csv"
    path.write_text(bundled_term_dates_text(), encoding="utf-8")
    return path


def test_a_clean_file_is_imported_and_exits_0(good_file: Path) -> None:
    code, out, err = run_command(str(good_file))

    assert (code, err) == (0, "")
    assert f"Imported {good_file}: replaced 2024/25, 2025/26, 2026/27" in out
    assert "30 rows added, 0 removed, 0 unchanged" in out
    assert TermDate.objects.count() == 30


def test_running_it_again_reports_every_year_already_up_to_date(good_file: Path) -> None:
    run_command(str(good_file))

    code, out, _ = run_command(str(good_file))

    assert code == 0
    assert "already up to date 2024/25, 2025/26, 2026/27" in out
    assert "0 rows added, 0 removed, 30 unchanged" in out


def test_a_file_with_row_errors_prints_each_and_exits_1_writing_nothing(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "2025/26,term,Autumn 1,2025-09-01,2025-10-24",
        "2025/26,term,,2025-11-03,2025-12-19",
        "2025/26,term,Spring 1,05/01/26,2026-02-13",
    )

    code, out, err = run_command(str(path))

    assert code == 1
    assert "Row 3, name: a term needs a name, e.g. Autumn 1" in err
    assert "Row 4, start: '05/01/26' has a two-digit year" in err
    assert f"Rejected {path}: 2 error(s), so nothing was written" in err
    assert out == ""
    assert not TermDate.objects.exists()


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    code, _, err = run_command(str(tmp_path / "nowhere.csv"))

    assert code == 2
    assert "Cannot import" in err and "nowhere.csv" in err


def test_a_file_far_too_big_to_be_term_dates_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (1024 * 1024 + 1))

    code, _, err = run_command(str(path))

    assert code == 2
    assert "too big to be a term-dates file" in err


def test_an_unknown_school_exits_2_before_reading_anything(good_file: Path) -> None:
    code, _, err = run_command(str(good_file), "--school", "999999")

    assert code == 2
    assert "No school with URN 999999" in err
    assert not TermDate.objects.exists()


def test_school_loads_the_file_as_that_schools_own_dates(tmp_path: Path) -> None:
    school = SchoolFactory(urn="104321", name="Crosby Academy")
    path = write(tmp_path, "2025/26,inset,Training,2025-10-24,")

    code, out, _ = run_command(str(path), "--school", "104321")

    assert code == 0
    assert "Imported" in out and "for Crosby Academy (104321)" in out
    assert TermDate.objects.get().school == school


def test_dry_run_reports_what_would_change_and_writes_nothing(good_file: Path) -> None:
    code, out, _ = run_command(str(good_file), "--dry-run")

    assert code == 0
    assert out.startswith(f"Dry run of {good_file}, nothing written: replaced 2024/25")
    assert not TermDate.objects.exists()


def test_bundled_loads_the_example_dates_without_overwriting_a_loaded_year(
    tmp_path: Path,
) -> None:
    run_command(str(write(tmp_path, "2025/26,term,Whole year,2025-09-01,2026-07-20")))

    code, out, _ = run_command("--bundled")

    assert code == 0
    assert "Imported the bundled example term dates: replaced 2024/25, 2026/27" in out
    assert "left as they were 2025/26" in out
    assert TermDate.objects.filter(academic_year=2025).get().name == "Whole year"


def test_a_file_and_bundled_together_are_a_usage_error(good_file: Path) -> None:
    with pytest.raises(Exception, match="not allowed with"):
        call_command("import_term_dates", str(good_file), "--bundled")
