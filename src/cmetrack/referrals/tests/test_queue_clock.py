"""The incoming queue shows the statutory clock: the LA's joint-enquiry confirmation for grounds
(h)/(i), and whether a school's new-pupil return came by the 5th day after the name was entered."""

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from pytest_django import Settings

from cmetrack.accounts.models import User
from cmetrack.conftest import client_for
from cmetrack.referrals.selectors import incoming_queue
from cmetrack.referrals.services import deletion_return_submit, new_pupil_return_submit
from cmetrack.referrals.tests.helpers import CHILD, deletion_data, new_pupil_data
from cmetrack.schooldays.services import term_dates_load_bundled
from cmetrack.testing.factories import SchoolFactory

LONDON = ZoneInfo("Europe/London")


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def term_dates(db: None) -> None:
    term_dates_load_bundled()


def test_a_ground_h_return_shows_when_the_la_confirmation_is_due_and_turns_red_after(
    officer: User,
) -> None:
    with time_machine.travel(at(date(2026, 12, 1)), tick=False):
        deletion_return_submit(
            data=deletion_data(SchoolFactory(), ground="h", deletion_date=date(2026, 12, 10)),
            by=officer,
        )
        [item] = incoming_queue(user=officer)
        assert item.clock == "LA confirmation due 8 Dec 2026" and not item.overdue
    with time_machine.travel(at(date(2026, 12, 9)), tick=False):
        [item] = incoming_queue(user=officer)
        assert item.overdue
        page = client_for(officer).get(reverse("referrals:incoming")).content.decode()
        assert "LA confirmation due 8 Dec 2026" in page


def test_a_new_pupil_return_sent_late_says_by_how_many_days(officer: User) -> None:
    # Entered Mon 16 Nov 2026: due by the end of Sat 21 Nov (reg 13(1)); sent Thu 26 Nov.
    with time_machine.travel(at(date(2026, 11, 26)), tick=False):
        new_pupil_return_submit(
            data=new_pupil_data(SchoolFactory(), start_date=date(2026, 11, 16)), by=officer
        )
        [item] = incoming_queue(user=officer)
    assert item.clock == "Sent 5 days late (due 21 Nov)"


def test_a_reception_pupil_on_the_first_day_of_the_year_needs_no_return_unless_asked(
    officer: User, settings: Settings
) -> None:
    first_day = date(2026, 9, 3)  # the bundled term dates' first autumn day
    reception = replace(CHILD, date_of_birth=date(2021, 10, 1), upn="")
    with time_machine.travel(at(date(2026, 9, 20)), tick=False):
        new_pupil_return_submit(
            data=new_pupil_data(SchoolFactory(), child=reception, start_date=first_day),
            by=officer,
        )
        [item] = incoming_queue(user=officer)
        assert item.clock.startswith("Not required")
        settings.CMETRACK_NEW_PUPIL_RETURNS_YOUNGEST_CLASS = True
        [item] = incoming_queue(user=officer)
    assert item.clock.startswith("Sent")


def test_a_new_pupil_return_in_time_says_so(officer: User) -> None:
    with time_machine.travel(at(date(2026, 11, 17)), tick=False):
        new_pupil_return_submit(
            data=new_pupil_data(SchoolFactory(), start_date=date(2026, 11, 16)), by=officer
        )
        [item] = incoming_queue(user=officer)
    assert item.clock == "On time (due 21 Nov)"


def test_another_authority_sees_its_hand_overs_in_the_menu(outsider: User) -> None:
    page = client_for(outsider).get(reverse("referrals:mine")).content.decode()
    assert reverse("referrals:handovers-received") in page


def test_triage_offers_an_open_case_the_exact_rule_misses_with_its_reasons(
    officer: User,
) -> None:
    from cmetrack.referrals.services import ChildParticulars
    from cmetrack.referrals.tests.helpers import CHILD
    from cmetrack.testing.factories import AddressFactory, CaseFactory

    case = CaseFactory(
        child__forenames="Amelia",
        child__surname="Testington",
        child__date_of_birth=date(2015, 3, 27),
        child__upn="",
    )
    AddressFactory(child=case.child, postcode="L20 7AE")
    # The school wrote "Millie" and no UPN: not an exact match, very likely the same child.
    millie = ChildParticulars(**{**CHILD.__dict__, "forenames": "Millie", "upn": ""})
    ret = new_pupil_return_submit(data=new_pupil_data(SchoolFactory(), child=millie), by=officer)
    page = client_for(officer).get(reverse("referrals:triage", args=[ret.public_id]))
    html = page.content.decode()
    assert "may be a child who already has an open case" in html
    assert f"Link to {case.reference}" in html and "known short form" in html
