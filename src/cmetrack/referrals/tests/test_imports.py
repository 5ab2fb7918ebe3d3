"""Bulk import: preview checks against the database, all-or-nothing commit, the pages and the
command's exit codes."""

import csv
import io
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import CaseEvent
from cmetrack.conftest import client_for
from cmetrack.referrals.importing.parse import parse_return_file
from cmetrack.referrals.importing.rows import (
    TEMPLATE_COLUMNS,
    ParsedFile,
    ReturnRow,
    ReturnType,
    RowError,
)
from cmetrack.referrals.imports import (
    ImportRefused,
    import_commit,
    import_preview,
    import_upload,
    neutralise,
)
from cmetrack.referrals.models import DeletionReturn, ImportBatch, NewPupilReturn, Submission
from cmetrack.referrals.services import deletion_return_submit
from cmetrack.testing.factories import CaseFactory, ChildFactory, SchoolFactory

from .helpers import CHILD, counts, deletion_data

UPN_1 = "W343200024001"
UPN_2 = "K343200024002"


def _urn(user: User) -> str:
    assert user.organisation and user.organisation.school
    return user.organisation.school.urn


def row(n: int, urn: str, **overrides: Any) -> ReturnRow:
    values: dict[str, Any] = {
        "row": n,
        "return_type": ReturnType.DELETION,
        "school_urn": urn,
        "surname": f"Example{n}",
        "forename": "Amelia",
        "date_of_birth": date(2015, 4, 12),
        "sex": "F",
        "parent_name": "Sam Example",
        "parent_phone": "07700 900123",
        "ground": "f",
        "deletion_date": timezone.localdate() + timedelta(days=1),
    }
    values.update(overrides)
    return ReturnRow(**values)


def csv_bytes(*rows: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TEMPLATE_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow(r)
    return out.getvalue().encode()


def csv_row(urn: str, **overrides: str) -> dict[str, str]:
    values = {
        "return_type": "deletion",
        "school_urn": urn,
        "upn": UPN_1,
        "surname": "Example",
        "forename": "Amelia",
        "date_of_birth": "2015-04-12",
        "sex": "F",
        "parent_name": "Sam Example",
        "parent_phone": "07700 900123",
        "ground": "f",
        "deletion_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
    }
    values.update(overrides)
    return values


# --- preview ---------------------------------------------------------------------------------


def test_the_preview_refuses_unknown_schools_and_in_file_duplicates(officer: User) -> None:
    urn = SchoolFactory().urn
    parsed = ParsedFile(
        rows=(
            row(2, urn, upn=UPN_1),
            row(3, "999999"),
            row(4, urn, upn=UPN_1),
            row(5, urn, new_school_urn="888888"),
        ),
        errors=(),
    )
    preview = import_preview(parsed=parsed, by=officer)
    assert [(e.row, e.field) for e in preview.errors] == [
        (3, "school_urn"),
        (4, "upn"),
        (5, "new_school_urn"),
    ]
    assert "Duplicate of row 2" in preview.errors[1].message
    assert [r.row for r in preview.valid_rows()] == [2]


def test_the_preview_keeps_the_parsers_errors_and_runs_the_route_rules(officer: User) -> None:
    urn = SchoolFactory().urn
    parsed = ParsedFile(
        rows=(
            row(2, urn, ground="a"),
            row(3, urn, deletion_date=timezone.localdate() - timedelta(days=2)),
            row(4, urn, ground="h", upn="bad"),
        ),
        errors=(RowError(4, "upn", "Invalid UPN"),),
    )
    preview = import_preview(parsed=parsed, by=officer)
    messages = {e.row: e.message for e in preview.errors}
    flagged = {w.row: " ".join(x.message for x in preview.warnings if x.row == w.row)
               for w in preview.warnings}  # fmt: skip
    # Never refused, only flagged (DOMAIN.md §4): no new school under (a), a late return.
    assert "names no new school" in flagged[2]
    assert "late return" in flagged[3]
    assert messages[4] == "Invalid UPN"
    assert [r.row for r in preview.valid_rows()] == [2, 3]


def test_a_school_may_only_import_its_own_returns(school_user: User) -> None:
    other = SchoolFactory().urn
    parsed = ParsedFile(rows=(row(2, _urn(school_user)), row(3, other)), errors=())
    preview = import_preview(parsed=parsed, by=school_user)
    assert [(e.row, e.field) for e in preview.errors] == [(3, "school_urn")]


def test_likely_duplicates_are_shown_to_the_team_but_never_to_a_school(
    officer: User, school_user: User
) -> None:
    ChildFactory(upn=UPN_1, forenames="Amelia", surname="Example2")
    parsed = ParsedFile(rows=(row(2, _urn(school_user), upn=UPN_1),), errors=())
    assert [d.row for d in import_preview(parsed=parsed, by=officer).duplicates] == [2]
    assert import_preview(parsed=parsed, by=school_user).duplicates == []


# --- commit ------------------------------------------------------------------------------------


def test_a_file_with_an_error_commits_nothing_unless_valid_only(officer: User) -> None:
    urn = SchoolFactory().urn
    data = csv_bytes(csv_row(urn), csv_row("999999", upn=UPN_2, surname="Other"))
    batch, preview = import_upload(data=data, filename="returns.csv", by=officer)
    assert preview is not None and len(preview.errors) == 1
    before = counts()
    with pytest.raises(ImportRefused, match="nothing was imported"):
        import_commit(batch=batch, valid_only=False, by=officer)
    assert counts() == before
    import_commit(batch=batch, valid_only=True, by=officer)
    ret = DeletionReturn.objects.get()
    assert ret.import_batch == batch and ret.route == "pass_to_ehe"
    batch.refresh_from_db()
    assert batch.committed and batch.summary["committed"] == 1
    assert batch.uploaded_by == officer and batch.file.name
    with pytest.raises(ImportRefused, match="already"):
        import_commit(batch=batch, valid_only=True, by=officer)


def test_a_clean_file_commits_every_row_in_one_go(officer: User) -> None:
    urn = SchoolFactory().urn
    data = csv_bytes(
        csv_row(urn),
        csv_row(
            urn,
            return_type="new_pupil",
            upn=UPN_2,
            surname="Sample",
            ground="",
            deletion_date="",
            start_date=timezone.localdate().isoformat(),
        ),
    )
    batch, preview = import_upload(data=data, filename="returns.csv", by=officer)
    assert preview is not None
    assert preview.errors == [], preview.errors
    import_commit(batch=batch, valid_only=False, by=officer)
    assert DeletionReturn.objects.count() == 1 and NewPupilReturn.objects.count() == 1


def test_committed_rows_are_audited_like_a_single_return(school_user: User) -> None:
    """The commit inserts in bulk; each return still has auditlog's CREATE entry, as save()
    would have written it (same content type, actor, field-by-field changes)."""
    urn = _urn(school_user)
    assert school_user.organisation and school_user.organisation.school
    single = deletion_return_submit(
        data=deletion_data(school_user.organisation.school, child=replace(CHILD, upn=UPN_2)),
        by=school_user,
    )
    batch, _ = import_upload(data=csv_bytes(csv_row(urn)), filename="r.csv", by=school_user)
    import_commit(batch=batch, valid_only=False, by=school_user)
    imported = DeletionReturn.objects.get(import_batch=batch)
    assert (
        imported.reference.startswith("DEL-") and imported.organisation == school_user.organisation
    )
    one = LogEntry.objects.get_for_object(single).get()
    bulk = LogEntry.objects.get_for_object(imported).get()
    assert bulk.action == one.action == LogEntry.Action.CREATE
    assert bulk.content_type == one.content_type
    assert bulk.actor == one.actor == school_user
    assert bulk.object_repr == imported.reference
    assert set(bulk.changes or {}) == set(one.changes or {})
    assert bulk.changes_dict["surname"] == [one.changes_dict["surname"][0], "Example"]


def test_an_imported_return_writes_its_line_on_the_childs_open_case(officer: User) -> None:
    urn = SchoolFactory().urn
    by_upn = CaseFactory(child__upn=UPN_1)
    by_name = CaseFactory(
        child__upn="", child__forenames="Noah", child__surname="Sample",
        child__date_of_birth=date(2014, 1, 2),
    )  # fmt: skip
    data = csv_bytes(
        csv_row(urn),
        csv_row(urn, upn="", forename="Noah", surname="Sample", date_of_birth="02/01/2014"),
        csv_row(urn, upn=UPN_2, surname="Unknown"),
    )
    batch, preview = import_upload(data=data, filename="returns.csv", by=officer)
    assert preview is not None and len(preview.duplicates) == 2
    import_commit(batch=batch, valid_only=False, by=officer)
    for case in (by_upn, by_name):
        line = case.events.get(kind=EventKind.SUBMISSION_RECEIVED)
        assert line.actor == officer
        assert line.payload["reference"] in set(
            Submission.objects.filter(import_batch=batch).values_list("reference", flat=True)
        )
    assert CaseEvent.objects.filter(kind=EventKind.SUBMISSION_RECEIVED).count() == 2


def test_the_duplicate_check_does_not_query_row_by_row(
    officer: User, django_assert_max_num_queries: Any
) -> None:
    urn = SchoolFactory().urn
    ChildFactory(upn=UPN_1)
    rows = [
        csv_row(urn, upn="", surname=f"Example{n}", date_of_birth=f"2015-04-{n + 1:02d}")
        for n in range(25)
    ]
    parsed = parse_return_file(csv_bytes(csv_row(urn), *rows), "r.csv")
    with django_assert_max_num_queries(8):
        preview = import_preview(parsed=parsed, by=officer)
    assert preview.errors == [] and len(preview.duplicates) == 1


def test_an_unreadable_file_is_kept_with_its_reason_and_writes_no_returns(officer: User) -> None:
    batch, preview = import_upload(
        data=b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
        filename="evil.xml",
        by=officer,
    )
    assert preview is None and "unreadable" in batch.summary
    assert not Submission.objects.exists()
    with pytest.raises(ImportRefused):
        import_commit(batch=batch, valid_only=True, by=officer)


@pytest.mark.parametrize("value", ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)"])
def test_formulas_are_neutralised(value: str) -> None:
    assert neutralise(value) == "'" + value


def test_ordinary_text_is_left_alone() -> None:
    assert neutralise("Amelia") == "Amelia" and neutralise(None) == ""


# --- pages -------------------------------------------------------------------------------------


def test_upload_preview_and_commit_through_the_pages(school_user: User) -> None:
    client = client_for(school_user)
    urn = _urn(school_user)
    data = csv_bytes(csv_row(urn), csv_row(urn, upn=UPN_2, surname="=cmd|' /C calc'!A0"))
    upload = io.BytesIO(data)
    upload.name = "returns.csv"
    response = client.post(reverse("referrals:import"), {"file": upload})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Import 2 return(s)" in page
    assert "&#x27;=cmd" in page  # the formula is shown neutralised
    batch = ImportBatch.objects.get()
    client.post(reverse("referrals:import-commit", args=[batch.public_id]))
    assert DeletionReturn.objects.filter(organisation=school_user.organisation).count() == 2


def test_the_preview_lists_row_errors(school_user: User) -> None:
    client = client_for(school_user)
    upload = io.BytesIO(csv_bytes(csv_row("999999")))
    upload.name = "returns.csv"
    response = client.post(reverse("referrals:import"), {"file": upload}, follow=True)
    html = response.content.decode()
    assert "No school with URN 999999" in html and "govuk-error-summary" in html


def test_another_school_cannot_see_an_import(school_user: User, other_school_user: User) -> None:
    batch, _ = import_upload(
        data=csv_bytes(csv_row(_urn(school_user))), filename="r.csv", by=school_user
    )
    client = client_for(other_school_user)
    assert (
        client.get(reverse("referrals:import-preview", args=[batch.public_id])).status_code == 404
    )
    assert (
        client.post(reverse("referrals:import-commit", args=[batch.public_id])).status_code == 404
    )
    assert not Submission.objects.exists()


@pytest.mark.parametrize("persona", ["agency_user", "outsider"])
def test_agencies_and_other_authorities_cannot_import(
    persona: str, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("referrals:import")).status_code == 403
    assert client.get(reverse("referrals:import-template")).status_code == 403


def test_the_template_is_the_row_contracts_header(school_user: User) -> None:
    response = client_for(school_user).get(reverse("referrals:import-template"))
    assert response.content.decode().strip() == ",".join(TEMPLATE_COLUMNS)


# --- the command -------------------------------------------------------------------------------


def _run(*args: str) -> int:
    try:
        call_command("import_returns", *args, stdout=io.StringIO(), stderr=io.StringIO())
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def test_the_command_validates_commits_and_exits_by_outcome(
    admin_user: User, tmp_path: Path
) -> None:
    urn = SchoolFactory().urn
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(csv_row(urn)))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(csv_row(urn), csv_row("999999", upn=UPN_2)))
    assert _run(str(good)) == 0
    assert not Submission.objects.exists()  # validation only
    assert _run(str(bad), "--commit") == 1
    assert not Submission.objects.exists()
    assert _run(str(bad), "--commit", "--valid-only") == 0
    assert Submission.objects.count() == 1
    assert _run(str(tmp_path / "missing.csv")) == 2
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert _run(str(empty)) == 2
