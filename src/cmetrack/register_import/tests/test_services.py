"""The register migration's services on rows already read (the reading layer has its own
tests): the imported case keeps the old register's dates and notes, the check against the
register (schools, children already held, rows already imported), the all-or-valid commit with
deadlines from the original referral dates, and the undo."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.events import EventKind, describe
from cmetrack.cases.models import Case, CaseEvent, Task
from cmetrack.cases.services import (
    CaseError,
    ImportedCaseData,
    ImportedNote,
    ReferralData,
    case_add_note,
    case_import,
    timescales,
)
from cmetrack.cases.status import Status
from cmetrack.children.models import Child
from cmetrack.children.services import ChildData
from cmetrack.core.deadlines import CaseFacts, case_deadlines
from cmetrack.register_import.models import MigratedRow, MigrationState, RegisterMigration
from cmetrack.register_import.rows import HistoryNote, RegisterRow, RowError
from cmetrack.register_import.services import (
    MigrationRefused,
    migration_check_rows,
    migration_commit,
    migration_undo,
    undo_refusal,
)
from cmetrack.schooldays.selectors import school_calendar
from cmetrack.schooldays.services import term_dates_load_bundled
from cmetrack.testing.factories import (
    AddressFactory,
    CaseFactory,
    ChildFactory,
    SchoolFactory,
    reason,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
# Inside the bundled term dates (2024/25 to 2026/27), so every deadline can be worked out.
REFERRED = date(2025, 10, 6)


@pytest.fixture(autouse=True)
def term_dates(db: None) -> None:
    term_dates_load_bundled()


FORENAMES = {2: "Aisha", 3: "Bartosz", 4: "Catrin"}


def dob(n: int) -> date:
    return date(2014, 1, 1) + timedelta(days=50 * n)


def row(n: int, **given: object) -> RegisterRow:
    values: dict[str, object] = {
        "row": n,
        # Unlike names: rows' children must not look like one child with a mistyped name (the
        # scorer's term frequencies depend on what else the test process has seen).
        "forenames": FORENAMES[n],
        "surname": "Okonkwo",
        # Far apart: two rows' children must not look like one child with a mistyped date.
        "date_of_birth": dob(n),
        "referral_date": REFERRED,
        "reason_code": "whereabouts-unknown",
        "referral_source": "school",
        "status": "enquiries",
        "legacy_reference": f"OLD-{n}",
    }
    values.update(given)
    return RegisterRow(**values)  # type: ignore[arg-type]


def batch_for(by: User, name: str = "register.xlsx") -> RegisterMigration:
    return RegisterMigration.objects.create(
        original_name=name,
        uploaded_by=by,
        organisation=by.organisation,
        state=MigrationState.MAPPED,
        columns_confirmed=True,
        codes_confirmed=True,
    )


def checked(
    by: User, rows: list[RegisterRow], errors: list[RowError] | None = None, name: str = "r.xlsx"
) -> RegisterMigration:
    return migration_check_rows(
        batch=batch_for(by, name),
        rows=rows,
        errors=errors or [],
        warnings=[],
        total=len(rows),
        by=by,
    )


# --- the imported case -------------------------------------------------------------------------


def imported(
    officer: User, *, status: str = "enquiries", **given: object
) -> tuple[Child, ImportedCaseData]:
    child = ChildFactory()
    data = ImportedCaseData(
        referral=ReferralData(
            child=ChildData(forenames=child.forenames, surname=child.surname),
            primary_reason=reason(),
            referral_source="health",
            referral_date=REFERRED,
        ),
        status=status,
        **given,  # type: ignore[arg-type]
    )
    return child, data


def test_an_imported_case_keeps_the_registers_dates_status_and_dated_notes(officer: User) -> None:
    child, data = imported(
        officer,
        status="closed",
        outcome="on_roll_here",
        closed_on=date(2025, 12, 1),
        notes=[ImportedNote("Home visit: no answer", date(2025, 10, 9)), ImportedNote("Undated")],
        imported_from="capita-export.csv",
    )

    case = case_import(child=child, data=data, by=officer)

    case.refresh_from_db()
    assert (case.referral_date, case.status, case.outcome, case.closed_on) == (
        REFERRED,
        Status.CLOSED,
        "on_roll_here",
        date(2025, 12, 1),
    )
    timeline = [
        (e.kind, timezone.localdate(e.occurred_at), describe(e.kind, e.payload), e.payload)
        for e in case.events.order_by("occurred_at", "id")
    ]
    assert [(k, d, s) for k, d, s, _ in timeline] == [
        (
            "opened",
            REFERRED,
            "Case brought over from the previous CME register: referred by Health, closed",
        ),
        ("note_added", REFERRED, "Note from the previous CME register"),
        ("note_added", date(2025, 10, 9), "Note from the previous CME register"),
        ("closed", date(2025, 12, 1), "Case closed: On roll at a school in this authority"),
    ]
    assert {t[3].get("text") for t in timeline[1:3]} == {"Home visit: no answer", "Undated"}


def test_an_imported_case_is_audited_as_created_by_the_officer(officer: User) -> None:
    child, data = imported(officer)

    case = case_import(child=child, data=data, by=officer)

    entry = LogEntry.objects.get_for_object(case).get()
    assert entry.action == LogEntry.Action.CREATE and entry.actor == officer


@pytest.mark.parametrize(
    ("status", "given", "problem"),
    [
        ("closed", {}, "A closed case needs an outcome."),
        ("closed", {"outcome": "died"}, "A closed case needs the date it closed."),
        ("enquiries", {"outcome": "died"}, "Only a closed case has an outcome"),
        (
            "closed",
            {"outcome": "died", "closed_on": date(2025, 1, 1)},
            "The closure date cannot be before the referral date.",
        ),
    ],
)
def test_an_imported_case_that_breaks_the_case_rules_is_refused(
    officer: User, status: str, given: dict[str, object], problem: str
) -> None:
    child, data = imported(officer, status=status, **given)

    with pytest.raises(CaseError, match=problem):
        case_import(child=child, data=data, by=officer)
    assert not Case.objects.exists()


def test_only_the_cme_team_can_import_a_case(school_user: User) -> None:
    child, data = imported(school_user)

    with pytest.raises(CaseError):
        case_import(child=child, data=data, by=school_user)


# --- check and commit --------------------------------------------------------------------------


def test_the_commit_opens_each_case_with_its_original_referral_date_and_its_deadlines(
    officer: User,
) -> None:
    batch = checked(officer, [row(2, notes=(HistoryNote("Letter sent", date(2025, 10, 7)),))])

    migration_commit(batch=batch, valid_only=False, by=officer)

    case = Case.objects.get()
    assert case.referral_date == REFERRED
    assert case.events.filter(kind=EventKind.NOTE_ADDED, payload__text="Letter sent").exists()
    wanted = case_deadlines(
        CaseFacts(referral_date=REFERRED, status="enquiries", status_since=REFERRED),
        school_calendar(),
        timescales(),
    )
    assert {(t.kind, t.due_on) for t in case.tasks.all()} == {(d.kind.value, d.due) for d in wanted}
    batch.refresh_from_db()
    assert batch.state == MigrationState.COMMITTED
    assert batch.summary["committed"] == 1 and batch.summary["children_created"] == 1
    record = MigratedRow.objects.get()
    assert (record.case, record.child_created, record.legacy_reference) == (case, True, "OLD-2")


def test_a_file_with_an_error_commits_nothing_unless_valid_rows_only_is_chosen(
    officer: User,
) -> None:
    batch = checked(officer, [row(2), row(3)], errors=[RowError(4, "referral_date", "Not a date")])

    with pytest.raises(MigrationRefused, match="1 error"):
        migration_commit(batch=batch, valid_only=False, by=officer)
    assert not Case.objects.exists()

    migration_commit(batch=batch, valid_only=True, by=officer)
    assert Case.objects.count() == 2


def test_the_last_school_is_found_by_urn_or_by_name_and_an_unknown_one_is_a_warning(
    officer: User,
) -> None:
    by_urn, by_name = SchoolFactory(urn="104000"), SchoolFactory(name="St Mary's Primary")

    batch = checked(
        officer,
        [
            row(2, last_school="104000"),
            row(3, last_school="st mary's primary"),
            row(4, last_school="Nowhere Academy"),
        ],
    )
    migration_commit(batch=batch, valid_only=False, by=officer)

    schools = {c.child.forenames: c.last_school for c in Case.objects.select_related("child")}
    assert schools == {"Aisha": by_urn, "Bartosz": by_name, "Catrin": None}
    assert batch.summary["warnings"] == [
        [4, "last_school", "'Nowhere Academy': no school of that name: left blank"]
    ]


def test_a_child_with_an_open_case_already_is_known_and_not_imported_again(
    officer: User,
) -> None:
    case = CaseFactory(child=ChildFactory(forenames="Aisha", surname="Okonkwo", upn=""))
    case.child.date_of_birth = dob(2)
    case.child.save()

    batch = checked(officer, [row(2), row(3)])

    assert batch.summary["valid"] == 1 and batch.summary["known_rows"] == 1
    assert batch.summary["known"] == [
        [2, f"Aisha Okonkwo already has an open case ({case.reference})"]
    ]


def test_a_likely_child_already_held_is_shown_with_the_scorers_reasons_and_reused(
    officer: User,
) -> None:
    held = ChildFactory(forenames="Amelia", surname="Okonkwo", date_of_birth=dob(2))
    AddressFactory(child=held, postcode="L20 7AE")

    batch = checked(officer, [row(2, forenames="Millie", postcode="L20 7AE")])
    migration_commit(batch=batch, valid_only=False, by=officer)

    [(number, message, reasons)] = batch.summary["duplicates"]
    assert number == 2 and message.endswith("likely Amelia Okonkwo, already held")
    assert any("short form" in line for line in reasons)
    assert Case.objects.get().child == held
    assert Child.objects.count() == 1
    assert MigratedRow.objects.get().child_created is False


def test_a_child_held_with_the_same_upn_is_reused_and_said_so(officer: User) -> None:
    held = ChildFactory(forenames="Amelia", surname="Smith", upn="A123456789012")

    batch = checked(officer, [row(2, upn="A123456789012")])
    migration_commit(batch=batch, valid_only=False, by=officer)

    assert batch.summary["duplicates"] == [[2, "Amelia Smith, already held: the same UPN", []]]
    assert Case.objects.get().child == held


def test_the_same_child_twice_in_a_file_gets_one_record_with_both_cases(officer: User) -> None:
    closed = row(
        2,
        forenames="Sam",
        status="closed",
        outcome="on_roll_here",
        closed_on=date(2025, 11, 1),
        date_of_birth=date(2014, 5, 5),
        legacy_reference="OLD-A",
    )
    reopened = row(
        3, forenames="Sam", date_of_birth=date(2014, 5, 5), referral_date=date(2025, 11, 20)
    )

    batch = checked(officer, [closed, reopened])
    migration_commit(batch=batch, valid_only=False, by=officer)

    assert Child.objects.count() == 1
    assert Case.objects.filter(child=Child.objects.get()).count() == 2


def test_a_second_open_case_for_the_same_child_in_one_file_is_a_row_error(officer: User) -> None:
    born = date(2014, 5, 5)
    batch = checked(
        officer,
        [row(2, forenames="Sam", date_of_birth=born), row(3, forenames="Sam", date_of_birth=born)],
    )

    assert batch.summary["errors"] == [[3, "(row)", "A second open case for the child of row 2"]]


def test_a_committed_row_is_known_to_the_next_migration_by_its_old_reference(
    officer: User,
) -> None:
    first = checked(officer, [row(2)], name="first.csv")
    migration_commit(batch=first, valid_only=False, by=officer)

    again = checked(officer, [row(2, status="closed", outcome="died", closed_on=REFERRED)])

    assert again.summary["valid"] == 0
    assert again.summary["known"] == [[2, "Already imported from first.csv (row 2)"]]


def test_a_batch_is_committed_once_though_two_officers_press_import(
    officer: User, manager: User
) -> None:
    batch = checked(officer, [row(2), row(3)])
    stale = RegisterMigration.objects.get(pk=batch.pk)  # the second officer's page, as checked

    migration_commit(batch=batch, valid_only=False, by=officer)
    with pytest.raises(MigrationRefused, match="already been imported"):
        migration_commit(batch=stale, valid_only=False, by=manager)

    assert Case.objects.count() == 2
    assert MigratedRow.objects.count() == 2


def test_a_commit_refuses_a_row_whose_child_has_had_a_case_opened_since_the_check(
    officer: User,
) -> None:
    held = ChildFactory(forenames="Aisha", surname="Okonkwo", date_of_birth=dob(2))
    batch = checked(officer, [row(2), row(3)])
    CaseFactory(child=held)  # opened by someone else after the preview

    with pytest.raises(MigrationRefused, match="Aisha Okonkwo already has an open case"):
        migration_commit(batch=batch, valid_only=False, by=officer)
    assert Case.objects.count() == 1  # the one opened since: the import wrote nothing
    assert RegisterMigration.objects.get(pk=batch.pk).state == MigrationState.CHECKED


def test_the_cme_team_alone_may_check_or_commit(officer: User, school_user: User) -> None:
    batch = checked(officer, [row(2)])

    with pytest.raises(MigrationRefused, match="CME team"):
        migration_commit(batch=batch, valid_only=False, by=school_user)
    with pytest.raises(MigrationRefused, match="CME team"):
        migration_check_rows(
            batch=batch_for(officer), rows=[row(2)], errors=[], warnings=[], total=1, by=school_user
        )


# --- undo ----------------------------------------------------------------------------------------


def test_undo_removes_the_cases_and_the_children_the_batch_created_and_keeps_those_held(
    officer: User,
) -> None:
    held = ChildFactory(forenames="Bartosz", surname="Okonkwo", date_of_birth=dob(3), upn="")
    batch = checked(officer, [row(2), row(3)])
    migration_commit(batch=batch, valid_only=False, by=officer)
    created = Child.objects.exclude(pk=held.pk).get()
    cases = list(Case.objects.all())

    migration_undo(batch=batch, by=officer)

    assert not Case.objects.exists() and not Task.objects.exists()
    assert not CaseEvent.objects.exists()
    assert list(Child.objects.all()) == [held]
    for case in cases:
        assert (
            LogEntry.objects.get_for_object(case).filter(action=LogEntry.Action.DELETE).get().actor
            == officer
        )
    assert LogEntry.objects.get_for_object(created).filter(action=LogEntry.Action.DELETE).exists()
    batch.refresh_from_db()
    assert (batch.state, batch.undone_by) == (MigrationState.UNDONE, officer)


def test_undo_is_refused_naming_the_case_someone_has_changed_since(
    officer: User, manager: User
) -> None:
    batch = checked(officer, [row(2), row(3)])
    migration_commit(batch=batch, valid_only=False, by=officer)
    touched = Case.objects.get(child__forenames="Bartosz")
    case_add_note(case=touched, text="Spoke to the family", by=manager)

    with pytest.raises(MigrationRefused) as refused:
        migration_undo(batch=batch, by=officer)

    assert f"Row 3: {touched.reference} (Bartosz Okonkwo) has changed since" in str(refused.value)
    assert Case.objects.count() == 2
    assert RegisterMigration.objects.get(pk=batch.pk).state == MigrationState.COMMITTED


def test_undo_is_refused_when_a_case_is_opened_on_a_child_the_batch_created(
    officer: User,
) -> None:
    batch = checked(officer, [row(2, status="closed", outcome="died", closed_on=REFERRED)])
    batch = migration_commit(batch=batch, valid_only=False, by=officer)
    CaseFactory(child=Child.objects.get())

    assert undo_refusal(batch=batch) == ["Row 2: Aisha Okonkwo's record has changed since"]


def test_after_an_undo_the_same_rows_import_again(officer: User) -> None:
    first = checked(officer, [row(2), row(3)])
    migration_commit(batch=first, valid_only=False, by=officer)
    migration_undo(batch=first, by=officer)

    again = checked(officer, [row(2), row(3)])
    assert again.summary["valid"] == 2 and again.summary["known_rows"] == 0
    migration_commit(batch=again, valid_only=False, by=officer)

    assert Case.objects.count() == 2


def test_a_batch_not_committed_cannot_be_undone(officer: User) -> None:
    batch = checked(officer, [row(2)])

    with pytest.raises(MigrationRefused, match="Only an imported register"):
        migration_undo(batch=batch, by=officer)


def test_a_closed_case_without_an_old_reference_is_known_by_its_child_and_referral_date(
    officer: User,
) -> None:
    closed = {"status": "closed", "outcome": "died", "closed_on": REFERRED, "legacy_reference": ""}
    first = checked(officer, [row(2, **closed)])
    migration_commit(batch=first, valid_only=False, by=officer)
    reference = Case.objects.get().reference

    again = checked(officer, [row(2, **closed)])

    assert again.summary["known"] == [
        [2, f"Aisha Okonkwo already has this case ({reference}, closed)"]
    ]
