"""Grounds (h) and (i) (issue 9, item 5): the school's notice opens an at-risk case at once,
the earliest lawful removal comes from the school-day calendar, a manager agrees the removal
date and the school sees it; a removal before that agreement is recorded, flagged and
escalated to the managers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from pytest_django import DjangoCaptureOnCommitCallbacks

from cmetrack.accounts.models import User
from cmetrack.cases.events import describe
from cmetrack.cases.models import Case
from cmetrack.referrals.imports import import_commit, import_upload
from cmetrack.referrals.models import DeletionReturn, SharedStatus
from cmetrack.referrals.services import IntakeError, deletion_confirm_enquiries
from cmetrack.referrals.services import deletion_return_submit as submit
from cmetrack.schooldays.services import term_dates_load_bundled
from cmetrack.schools.models import School

from .helpers import deletion_data

pytestmark = pytest.mark.django_db

# Wed 11 Nov 2026, inside the bundled autumn term.
NOW = datetime(2026, 11, 11, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def term_dates(db: None) -> None:
    term_dates_load_bundled()


def _school(user: User) -> School:
    assert user.organisation is not None and user.organisation.school is not None
    return user.organisation.school


def _notice(user: User, ground: str, **overrides: object) -> DeletionReturn:
    with time_machine.travel(NOW, tick=False):
        return submit(data=deletion_data(_school(user), ground=ground, **overrides), by=user)


def test_a_ground_h_notice_opens_an_at_risk_case_on_arrival_with_no_officer(
    school_user: User,
) -> None:
    ret = _notice(
        school_user, "h", deletion_date=date(2026, 11, 30), absence_from=date(2026, 11, 2)
    )
    ret.refresh_from_db()
    case = Case.objects.get()
    assert ret.case == case and case.category == "at_risk" and case.is_open
    opened = case.events.get(kind="opened")
    assert opened.actor is None
    assert ret.reference in describe(opened.kind, opened.payload)
    assert not ret.removed_before_agreement


def test_the_earliest_lawful_removal_is_ten_school_days_after_the_leave_ended(
    school_user: User,
) -> None:
    # Leave ended Fri 6 Nov 2026; 10 school days: 9-13, 16-20 Nov; removal from Mon 23 Nov.
    ret = _notice(
        school_user, "h", deletion_date=date(2026, 11, 30), absence_from=date(2026, 11, 6)
    )
    assert ret.earliest_removal == date(2026, 11, 23)


def test_a_removal_date_before_the_earliest_lawful_one_is_flagged(school_user: User) -> None:
    ret = _notice(
        school_user, "i", deletion_date=date(2026, 11, 20), absence_from=date(2026, 11, 2)
    )
    assert ret.earliest_removal is not None and ret.deletion_date < ret.earliest_removal
    assert any("before the earliest lawful removal" in m for _f, m in ret.intake_warnings)


def test_no_last_day_means_no_earliest_date_and_a_warning_never_a_refusal(
    school_user: User,
) -> None:
    ret = _notice(school_user, "h", deletion_date=date(2026, 11, 30))
    assert ret.pk and ret.earliest_removal is None
    assert any("Last day of the authorised leave" in m for _f, m in ret.intake_warnings)


def test_a_removal_already_made_is_accepted_flagged_and_the_managers_told(
    school_user: User,
    manager: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ret = _notice(school_user, "i", deletion_date=date(2026, 11, 10))
    ret.refresh_from_db()
    assert ret.removed_before_agreement
    assert any("before joint enquiries were complete" in m for _f, m in ret.intake_warnings)
    (email,) = [m for m in mail.outbox if manager.email in m.to]
    assert ret.reference in email.subject and ret.surname not in email.body


def test_a_manager_agrees_the_removal_no_earlier_than_the_law_allows_and_the_school_sees_it(
    school_user: User, manager: User
) -> None:
    ret = _notice(
        school_user, "h", deletion_date=date(2026, 11, 30), absence_from=date(2026, 11, 6)
    )
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(IntakeError, match="earliest lawful date, 23/11/2026"):
            deletion_confirm_enquiries(
                deletion=ret,
                by=manager,
                note="S2S, GP, council tax",
                removal_agreed_on=date(2026, 11, 20),
            )
        done = deletion_confirm_enquiries(
            deletion=ret,
            by=manager,
            note="S2S, GP, council tax",
            removal_agreed_on=date(2026, 11, 23),
        )
    assert done.removal_agreed_on == date(2026, 11, 23) and done.removal_agreed_by == manager
    assert done.shared_status == SharedStatus.REMOVAL_AGREED
    case = Case.objects.get()
    notes = [e.payload.get("text", "") for e in case.events.filter(kind="note_added")]
    assert any("removal from roll agreed on 23/11/2026" in n for n in notes)
    assert case.category == "cme"  # off roll from the agreed date: missing education


def test_an_officer_cannot_agree_a_removal(school_user: User, officer: User) -> None:
    ret = _notice(school_user, "h", deletion_date=date(2026, 11, 30))
    with pytest.raises(IntakeError, match="Only a CME manager"):
        deletion_confirm_enquiries(deletion=ret, by=officer, note="done")


def test_an_imported_ground_i_row_opens_its_at_risk_case_and_counts_from_the_last_day(
    school_user: User,
) -> None:
    urn = _school(school_user).urn
    csv = (
        "return_type,school_urn,surname,forename,date_of_birth,sex,ground,deletion_date,"
        "parent_name,parent_phone,address_line_1,absence_from\n"
        f"deletion,{urn},Example,Ava,2015-04-12,F,i,2026-12-14,Sam Example,07700 900123,"
        "1 Example Road,2026-11-02\n"
    ).encode()
    with time_machine.travel(NOW, tick=False):
        batch, preview = import_upload(data=csv, filename="r.csv", by=school_user)
        assert preview is not None
        assert not preview.errors, preview.errors
        import_commit(batch=batch, valid_only=False, by=school_user)
    ret = DeletionReturn.objects.get()
    # 20 school days after Mon 2 Nov 2026: 3 Nov .. 30 Nov; removal from Tue 1 Dec.
    assert ret.earliest_removal == date(2026, 12, 1)
    assert ret.case is not None and ret.case.category == "at_risk"
