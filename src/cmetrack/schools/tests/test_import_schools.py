"""The GIAS import service and the `import-schools` command, against the database."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from cmetrack.cli import main as cmetrack_main
from cmetrack.schools.gias import GiasFileError
from cmetrack.schools.models import School
from cmetrack.schools.selectors import school_get_by_urn, schools_open
from cmetrack.schools.services import ImportResult, schools_import_gias
from cmetrack.testing.factories import SchoolFactory

DATA = Path(__file__).parent / "data"
GOOD = DATA / "gias_sefton_liverpool.csv"
ROW_ERRORS = DATA / "gias_row_errors.csv"

pytestmark = pytest.mark.django_db


def snapshot() -> list[tuple[object, ...]]:
    """Every stored value, including public_id and updated_at, to prove nothing moved."""
    return list(School.objects.order_by("urn").values_list())


def rewrite(source: Path, target: Path, changes: dict[str, dict[str, str]]) -> Path:
    """A copy of `source` with some cells changed, keyed by URN then column."""
    with source.open(newline="", encoding="cp1252") as handle:
        rows = list(csv.DictReader(handle))
    with target.open("w", newline="", encoding="cp1252") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            row.update(changes.get(row["URN"], {}))
            writer.writerow(row)
    return target


def run_command(*args: str) -> tuple[int, str, str]:
    """call_command, returning (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_schools", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        code = exit_.code
        assert isinstance(code, int)
        return code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


# The service


def test_import_creates_every_school_in_the_file() -> None:
    result = schools_import_gias(path_or_file=GOOD, commit=True)

    assert (result.created, result.updated, result.unchanged, result.error_rows) == (7, 0, 0, 0)
    assert result.committed and not result.rejected
    crosby = School.objects.get(urn="900102")
    assert (crosby.la_code, crosby.establishment_number, crosby.laestab) == (
        "343",
        "4001",
        "343/4001",
    )
    assert crosby.postcode == "L23 0AA"
    assert School.objects.get(urn="010043").establishment_number == "0123"
    assert not School.objects.get(urn="900103").is_open


def test_second_import_of_the_same_file_reports_everything_unchanged_and_moves_nothing() -> None:
    schools_import_gias(path_or_file=GOOD, commit=True)
    before = snapshot()

    result = schools_import_gias(path_or_file=GOOD, commit=True)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 7)
    assert snapshot() == before  # updated_at and public_id included


def test_import_updates_a_changed_school_and_keeps_its_identity(tmp_path: Path) -> None:
    schools_import_gias(path_or_file=GOOD, commit=True)
    bootle = School.objects.get(urn="900101")
    closed = rewrite(
        GOOD,
        tmp_path / "later.csv",
        {"900101": {"EstablishmentStatus (name)": "Closed", "CloseDate": "31-08-2026"}},
    )

    result = schools_import_gias(path_or_file=closed, commit=True)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 6)
    after = School.objects.get(urn="900101")
    assert (after.status_name, after.is_open) == ("Closed", False)
    assert (after.pk, after.public_id) == (bootle.pk, bootle.public_id)
    assert after.updated_at > bootle.updated_at


def test_import_refreshes_a_school_already_in_the_register() -> None:
    SchoolFactory(urn="900101", name="Old name", la_code="343", postcode="")

    result = schools_import_gias(path_or_file=GOOD, commit=True)

    assert (result.created, result.updated) == (6, 1)
    school = School.objects.get(urn="900101")
    assert (school.name, school.postcode) == ("Bootle Marsh Primary School", "L20 7AE")


def test_schools_not_in_the_file_are_left_alone() -> None:
    other = SchoolFactory(urn="900999", name="Not In This Extract School")

    schools_import_gias(path_or_file=GOOD, commit=True)

    assert School.objects.get(urn="900999").name == other.name


def test_a_column_missing_from_the_file_does_not_blank_that_field(tmp_path: Path) -> None:
    schools_import_gias(path_or_file=GOOD, commit=True)
    slim = tmp_path / "slim.csv"
    slim.write_text("URN,LA (code),EstablishmentName\r\n900101,343,Bootle Marsh Primary\r\n")

    result = schools_import_gias(path_or_file=slim, commit=True)

    assert result.updated == 1
    school = School.objects.get(urn="900101")
    assert school.name == "Bootle Marsh Primary"
    assert (school.postcode, school.status_name, school.establishment_number) == (
        "L20 7AE",
        "Open",
        "2001",
    )


def test_a_file_with_row_errors_writes_nothing() -> None:
    existing = SchoolFactory(urn="900101", name="Before the import")
    before = snapshot()

    result = schools_import_gias(path_or_file=ROW_ERRORS, commit=True)

    assert result.rejected and not result.committed
    assert result.error_rows == 4
    assert snapshot() == before
    assert School.objects.get(urn="900101").name == existing.name


def test_valid_only_imports_the_good_rows_and_reports_the_bad() -> None:
    result = schools_import_gias(path_or_file=ROW_ERRORS, commit=True, valid_only=True)

    assert result.committed and not result.rejected
    assert (result.created, result.error_rows) == (2, 4)
    assert set(School.objects.values_list("urn", flat=True)) == {"900101", "900201"}
    assert {(e.row, e.field) for e in result.errors} == {
        (3, "URN"),
        (4, "URN"),
        (5, "URN"),
        (6, "LA (code)"),
    }


def test_dry_run_counts_the_changes_but_writes_nothing() -> None:
    SchoolFactory(urn="900101", name="Old name")
    before = snapshot()

    result = schools_import_gias(path_or_file=GOOD, commit=False)

    assert (result.created, result.updated, result.unchanged) == (6, 1, 0)
    assert not result.committed
    assert snapshot() == before


def test_a_value_too_long_for_its_column_is_a_row_error(tmp_path: Path) -> None:
    long_name = rewrite(GOOD, tmp_path / "long.csv", {"900101": {"EstablishmentName": "N" * 201}})

    result = schools_import_gias(path_or_file=long_name, commit=True)

    assert result.rejected
    assert [str(e) for e in result.errors] == [
        "row 2, EstablishmentName: is 201 characters long; the most we can store is 200"
    ]
    assert not School.objects.exists()


def test_windows_1252_names_are_stored_correctly() -> None:
    schools_import_gias(path_or_file=DATA / "gias_windows1252.csv", commit=True)

    assert School.objects.get(urn="900105").name == "St Thérèse\u2019s Catholic Primary School"


def test_an_unreadable_file_raises_and_writes_nothing() -> None:
    with pytest.raises(GiasFileError):
        schools_import_gias(path_or_file=DATA / "gias_missing_urn_column.csv", commit=True)
    assert not School.objects.exists()


def test_import_uses_a_fixed_number_of_queries_not_one_per_row(
    tmp_path: Path, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    path = tmp_path / "many.csv"
    lines = ["URN,LA (code),EstablishmentName,EstablishmentStatus (name)"]
    lines += [f"{800000 + n},343,School {n},Open" for n in range(3000)]
    path.write_text("\r\n".join(lines))

    # 3,000 rows: 4 lookups of 900 URNs, a few INSERT batches and the savepoint/transaction.
    with django_assert_max_num_queries(60):
        result = schools_import_gias(path_or_file=path, commit=True)
    assert result.created == 3000

    path.write_text("\r\n".join(line.replace(",Open", ",Closed") for line in lines))
    with django_assert_max_num_queries(120):
        result = schools_import_gias(path_or_file=path, commit=True)
    assert result.updated == 3000
    assert not School.objects.filter(is_open=True).exists()


# The command


def test_command_imports_and_prints_the_counts() -> None:
    code, out, err = run_command(str(GOOD))

    assert code == 0
    assert "7 created, 0 updated, 0 unchanged, 0 rows with errors" in out
    assert err == ""
    assert School.objects.count() == 7


def test_command_run_twice_reports_everything_unchanged() -> None:
    run_command(str(GOOD))

    code, out, _ = run_command(str(GOOD))

    assert code == 0
    assert "0 created, 0 updated, 7 unchanged" in out


def test_command_rejects_a_file_with_row_errors_with_exit_1_and_lists_them() -> None:
    code, out, err = run_command(str(ROW_ERRORS))

    assert code == 1
    assert "row 4, URN: must be 6 digits, found '12345'" in err
    assert "row 6, LA (code): must be 3 digits, found '34'" in err
    assert "row 3, URN: 900102 appears more than once in the file (rows 3, 5)" in err
    assert "nothing was written" in err
    assert "Checked" in out
    assert not School.objects.exists()


def test_command_with_valid_only_imports_the_good_rows_and_exits_0() -> None:
    code, out, err = run_command(str(ROW_ERRORS), "--valid-only")

    assert code == 0
    assert "2 created" in out
    assert "row 4, URN:" in err
    assert School.objects.count() == 2


def test_command_dry_run_writes_nothing() -> None:
    code, out, _ = run_command(str(GOOD), "--dry-run")

    assert code == 0
    assert "Dry run" in out and "nothing written: 7 to create, 0 to update, 0 unchanged" in out
    assert not School.objects.exists()


def test_command_dry_run_of_a_file_with_errors_exits_1() -> None:
    code, _, _ = run_command(str(ROW_ERRORS), "--dry-run")

    assert code == 1


def test_command_exits_2_for_a_missing_file(tmp_path: Path) -> None:
    code, _, err = run_command(str(tmp_path / "edubasealldata20991231.csv"))

    assert code == 2
    assert "no such file" in err


def test_command_exits_2_for_a_missing_required_column() -> None:
    code, _, err = run_command(str(DATA / "gias_missing_urn_column.csv"))

    assert code == 2
    assert "required column missing: 'URN'" in err
    assert not School.objects.exists()


def test_command_exits_2_for_an_undecodable_file(tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"URN,LA (code),EstablishmentName\r\n\x81\x8d\x8f\r\n")

    code, _, err = run_command(str(path))

    assert code == 2
    assert "neither UTF-8 nor Windows-1252" in err


def test_command_exits_2_for_a_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    shutil.copy(GOOD, path)
    with path.open("ab") as handle:
        handle.write(b" " * (1024 * 1024))

    code, _, err = run_command(str(path), "--max-size-mb", "1")

    assert code == 2
    assert "larger than the 1 MB limit" in err


def test_cmetrack_import_schools_with_a_hyphen_runs_the_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        cmetrack_main(["cmetrack", "import-schools", str(ROW_ERRORS)])

    assert exit_.value.code == 1
    assert "row 4, URN:" in capsys.readouterr().err


def test_import_result_counts_rows_with_errors_not_errors() -> None:
    result: ImportResult = schools_import_gias(
        path_or_file=b"URN,LA (code),EstablishmentName\r\n1,2,\r\n", commit=False
    )

    assert len(result.errors) == 3
    assert result.error_rows == 1


# Selectors and admin


def test_school_get_by_urn_finds_the_school_or_returns_none() -> None:
    school = SchoolFactory(urn="010043")

    assert school_get_by_urn(" 010043 ") == school
    assert school_get_by_urn("10043") is None


def test_schools_open_excludes_closed_and_proposed_schools() -> None:
    schools_import_gias(path_or_file=GOOD, commit=True)

    assert set(schools_open().values_list("urn", flat=True)) == {
        "900101",
        "900102",
        "900104",
        "900201",
        "900202",
    }


def test_admin_lists_and_searches_schools(admin_client: Client) -> None:
    schools_import_gias(path_or_file=GOOD, commit=True)

    listing = admin_client.get("/admin/schools/school/", {"q": "900102"})

    assert listing.status_code == 200
    assert b"Crosby Dunes High School" in listing.content
    assert b"343/4001" in listing.content
    assert b"Bootle Marsh" not in listing.content
