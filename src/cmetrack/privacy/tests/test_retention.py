"""Retention: a child past the retention age with every case closed is anonymised; nothing
identifying survives in the record, its cases, its submissions or the audit log."""

import json
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from pytest_django.fixtures import Settings

from cmetrack.accounts.models import User
from cmetrack.cases.services import case_add_note, case_close, referral_record, task_create
from cmetrack.children.models import Address, Child, Contact
from cmetrack.children.services import AddressData, ChildData, ContactData
from cmetrack.matching.models import ChildMatchKey
from cmetrack.privacy.retention import child_anonymise, children_due_for_anonymising
from cmetrack.testing.factories import CaseFactory, ChildFactory, reason

TODAY = date(2026, 12, 1)


def old_child_with_history(officer: User, manager: User, *, close: bool = True) -> Child:
    from cmetrack.cases.services import ReferralData

    result = referral_record(
        data=ReferralData(
            child=ChildData(
                forenames="Zebulon",
                surname="Quartermaine",
                date_of_birth=date(2000, 6, 17),
                upn="H801200001001",
                address=AddressData(line_1="12 Secret Street", postcode="L20 7AE"),
                contacts=[ContactData(name="Parent Quartermaine", phone="07700 900999")],
            ),
            primary_reason=reason(),
            referral_source="school",
            referral_date=date(2015, 1, 5),
            referrer="Ms Teacher, Hidden Primary",
        ),
        by=officer,
    )
    case_add_note(case=result.case, text="Zebulon seen at 12 Secret Street", by=officer)
    task_create(case=result.case, title="Ring Zebulon's aunt", due_on=date(2015, 2, 1), by=officer)
    if close:
        case_close(case=result.case, outcome="on_roll_here", by=manager, closed_on=date(2015, 3, 1))
    return result.case.child


def test_only_children_past_the_age_with_every_case_closed_are_due(
    officer: User, manager: User
) -> None:
    due = old_child_with_history(officer, manager)
    CaseFactory(child__date_of_birth=date(1999, 1, 1))  # old, but the case is still open
    ChildFactory(date_of_birth=date(2015, 1, 1))  # young
    assert list(children_due_for_anonymising(TODAY)) == [due]


def test_a_child_born_on_29_february_reaches_the_age_on_1_march_in_a_common_year(
    db: None, settings: Settings
) -> None:
    settings.CMETRACK_RETENTION_AGE = 25
    leap_day = ChildFactory(date_of_birth=date(2000, 2, 29))
    assert list(children_due_for_anonymising(date(2025, 2, 28))) == []
    assert list(children_due_for_anonymising(date(2025, 3, 1))) == [leap_day]


def test_on_29_february_only_children_who_have_reached_the_age_are_due(
    db: None, settings: Settings
) -> None:
    settings.CMETRACK_RETENTION_AGE = 25
    reached = ChildFactory(date_of_birth=date(2003, 2, 28))
    ChildFactory(date_of_birth=date(2003, 3, 1))  # 25 tomorrow
    assert list(children_due_for_anonymising(date(2028, 2, 29))) == [reached]


def test_anonymising_removes_identity_everywhere_and_keeps_the_statistics(
    officer: User, manager: User
) -> None:
    child = old_child_with_history(officer, manager)
    case = child.cases.get()
    child_anonymise(child=child)

    child.refresh_from_db()
    case.refresh_from_db()
    assert (child.forenames, child.surname, child.upn) == ("Anonymised", "child", "")
    assert child.date_of_birth == date(2000, 6, 1)  # month kept for year groups
    assert child.anonymised_at is not None
    assert not Address.objects.filter(child=child).exists()
    assert not Contact.objects.filter(child=child).exists()
    assert not ChildMatchKey.objects.filter(child=child).exists()
    assert case.referrer == "" and case.outcome == "on_roll_here"
    assert case.primary_reason == reason() and case.closed_on == date(2015, 3, 1)
    assert case.tasks.get().title == "[removed]"  # free text on related rows is scrubbed
    everything = json.dumps(
        [list(e.payload.values()) for e in case.events.all()]
        + [t.title for t in case.tasks.all()]
        + [[e.object_repr, e.changes, e.changes_text] for e in LogEntry.objects.all()],
        default=str,
    )
    for secret in [
        "Zebulon",
        "Quartermaine",
        "Secret Street",
        "H801200001001",
        "07700",
        "Ms Teacher",
    ]:
        assert secret not in everything, secret
    assert LogEntry.objects.filter(changes__has_key="anonymised").count() == 1


def test_anonymising_twice_changes_nothing_the_second_time(officer: User, manager: User) -> None:
    child = old_child_with_history(officer, manager)
    child_anonymise(child=child)
    logs = LogEntry.objects.count()
    assert child_anonymise(child=child).rows_scrubbed == 0
    assert LogEntry.objects.count() == logs


def test_a_child_with_an_open_case_is_never_anonymised(officer: User, manager: User) -> None:
    child = old_child_with_history(officer, manager, close=False)
    with pytest.raises(ValueError, match="open case"):
        child_anonymise(child=child)
    child.refresh_from_db()
    assert child.forenames == "Zebulon"


def test_the_command_counts_on_a_dry_run_and_anonymises_otherwise(
    officer: User, manager: User, capsys: pytest.CaptureFixture[str]
) -> None:
    old_child_with_history(officer, manager)
    call_command("retention", "--dry-run")
    assert "1 children are due" in capsys.readouterr().out
    assert Child.objects.get().forenames == "Zebulon"
    call_command("retention")
    assert Child.objects.get().forenames == "Anonymised"
