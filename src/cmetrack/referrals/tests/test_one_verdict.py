"""One rule, one home: the web form, the file importer and the `import-returns` command give
the same verdict on the same deletion-return particulars, because all three run
`referrals.checks.deletion_check`. A lost-pupil CTF (destination unknown, no ground) is
recorded and flagged by each of them, never refused."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.referrals.forms import DeletionReturnForm
from cmetrack.referrals.importing.rows import TEMPLATE_COLUMNS
from cmetrack.referrals.importing.tabular import COLUMN_FOR
from cmetrack.referrals.imports import import_upload
from cmetrack.referrals.models import DeletionReturn
from cmetrack.schools.models import School
from cmetrack.testing.factories import SchoolFactory

LOST_PUPIL_CTF = Path(__file__).parents[1] / "importing" / "tests" / "data" / "ctf_lost_pupil.xml"
FORM_FIELD = {column: name for name, column in COLUMN_FOR.items()}


@dataclass(frozen=True)
class Outcome:
    """What a route made of the particulars: refused fields, and fields it flagged."""

    errors: frozenset[str]
    warnings: frozenset[str]


def _particulars(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "forename": "Amelia",
        "surname": "Testington",
        "date_of_birth": date(2015, 3, 27),
        "sex": "F",
        "upn": "H801200001001",
        "address_line_1": "1 Example Road",
        "town": "Bootle",
        "postcode": "L20 7AE",
        "parent_name": "Jo Testington",
        "parent_phone": "07700 900123",
        "ground": "g",
        "deletion_date": timezone.localdate() + timedelta(days=1),
    }
    return {**base, **overrides}


CASES: dict[str, dict[str, Any]] = {
    "complete and on time": _particulars(),
    "no ground": _particulars(ground=""),
    "late": _particulars(deletion_date=timezone.localdate() - timedelta(days=3)),
    "no emergency phone": _particulars(parent_phone=""),
    "ground (a) with no new school": _particulars(ground="a"),
    "a wrong UPN check letter": _particulars(upn="H801200001009"),
    "a surname too long for the register": _particulars(surname="x" * 101),
    "no date of birth": _particulars(date_of_birth=None),
    "born in the future": _particulars(date_of_birth=timezone.localdate() + timedelta(days=9)),
    "not a ground": _particulars(ground="z"),
}


def _form_outcome(p: dict[str, Any], school: School, user: User) -> Outcome:
    post: dict[str, str] = {
        "school": str(school.pk),
        "forenames": p["forename"],
        "surname": p["surname"],
        "sex": p["sex"],
        "upn": p["upn"],
        "address_line_1": p["address_line_1"],
        "town": p["town"],
        "postcode": p["postcode"],
        "parent_names": p["parent_name"],
        "emergency_phone": p["parent_phone"],
        "ground": p["ground"],
        "lost_pupil": "on" if p.get("lost_pupil") else "",
    }
    for name in ("date_of_birth", "deletion_date"):
        value: date | None = p[name]
        parts = ("", "", "") if value is None else (value.day, value.month, value.year)
        post.update({f"{name}_{i}": str(part) for i, part in enumerate(parts)})
    form = DeletionReturnForm(post, user=user)
    valid = form.is_valid()
    warnings = frozenset(w.field for w in getattr(form, "warnings", []))
    return Outcome(frozenset() if valid else frozenset(form.errors), warnings)


def _csv(p: dict[str, Any], school: School) -> bytes:
    row = {**p, "return_type": "deletion", "school_urn": school.urn}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TEMPLATE_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerow({k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()})
    return out.getvalue().encode()


def _as_form_fields(names: set[str]) -> frozenset[str]:
    return frozenset(FORM_FIELD.get(name, name) for name in names)


def _import_outcome(data: bytes, filename: str, user: User) -> Outcome:
    _batch, preview = import_upload(data=data, filename=filename, by=user)
    assert preview is not None
    return Outcome(
        _as_form_fields({e.field for e in preview.errors}),
        _as_form_fields({w.field for w in preview.warnings}),
    )


def _command_outcome(data: bytes, filename: str, user: User, tmp_path: Path) -> Outcome:
    path = tmp_path / filename
    path.write_bytes(data)
    out = io.StringIO()
    try:
        call_command("import_returns", str(path), user=user.username, stdout=out)
    except SystemExit as exit_:
        assert exit_.code == 1  # row errors; 2 would be an unreadable file
    errors: set[str] = set()
    warnings: set[str] = set()
    for line in out.getvalue().splitlines():
        target = warnings if line.startswith("warning: ") else errors
        if line.removeprefix("warning: ").startswith("row ") and ", " in line and ":" in line:
            target.add(line.removeprefix("warning: ").split(", ", 1)[1].split(":", 1)[0])
    return Outcome(_as_form_fields(errors), _as_form_fields(warnings))


@pytest.fixture
def school(db: None) -> School:
    return SchoolFactory(urn="104512")


@pytest.mark.parametrize("case", list(CASES))
def test_the_form_the_importer_and_the_command_agree(
    case: str, school: School, officer: User, tmp_path: Path
) -> None:
    particulars = CASES[case]
    data = _csv(particulars, school)

    by_form = _form_outcome(particulars, school, officer)
    by_import = _import_outcome(data, "returns.csv", officer)
    by_command = _command_outcome(data, "returns.csv", officer, tmp_path)

    assert by_form == by_import == by_command
    assert DeletionReturn.objects.count() == 0  # checking writes no return


def test_a_lost_pupil_ctf_with_no_ground_is_flagged_the_same_way_by_every_route(
    school: School, officer: User, tmp_path: Path
) -> None:
    data = LOST_PUPIL_CTF.read_bytes()
    # The CTF's pupil, typed into the form by an officer: no ground, destination unknown.
    typed = _particulars(
        forename="Ava",
        surname="Lost",
        date_of_birth=date(2017, 3, 8),
        upn="Z343200024003",
        address_line_1="9 Hill Street",
        town="Crosby",
        postcode="L23 0QQ",
        parent_name="",
        parent_phone="",
        ground="",
        deletion_date=date(2026, 10, 14),
        lost_pupil=True,
    )

    by_import = _import_outcome(data, "lost.xml", officer)
    by_command = _command_outcome(data, "lost.xml", officer, tmp_path)
    by_form = _form_outcome(typed, school, officer)

    assert by_import.errors == frozenset()
    assert {"ground", "emergency_phone"} <= by_import.warnings
    assert by_form == by_import == by_command
