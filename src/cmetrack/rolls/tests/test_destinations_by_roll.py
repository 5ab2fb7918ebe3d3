"""A new school's roll confirms a removal's destination: the pupil listed on the named school's
roll dated after the removal (by UPN, or likely by the score) is confirmed there; a roll that
does not list them, or another school's, confirms nothing."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from cmetrack.accounts.models import User
from cmetrack.referrals.models import SharedStatus
from cmetrack.referrals.tests.helpers import CHILD
from cmetrack.referrals.tests.test_destinations import _awaiting
from cmetrack.rolls.models import RollLoad
from cmetrack.rolls.reading import RollPupil
from cmetrack.rolls.services import roll_load
from cmetrack.schools.models import School
from cmetrack.testing.factories import SchoolFactory
from cmetrack.testing.roll_files import census_csv, roll_pupil

pytestmark = pytest.mark.django_db

ON_ROLL = roll_pupil(
    upn="",
    forename="Ameila",
    surname=CHILD.surname,
    date_of_birth=CHILD.date_of_birth,
    postcode=CHILD.postcode,
    year_group="7",
)


@pytest.fixture
def new_school(db: None) -> School:
    return SchoolFactory(name="Oakfield High School")


def _load(
    school: School, officer: User, *pupils: RollPupil, as_of: date = date(2026, 10, 20)
) -> RollLoad:
    rows = [dataclasses.replace(p, school_urn=school.urn, school_laestab="") for p in pupils]
    return roll_load(content=census_csv(rows), filename="roll.csv", by=officer, as_of=as_of)


def test_the_named_schools_roll_confirms_the_destination(
    school_user: User, officer: User, new_school: School
) -> None:
    ret = _awaiting(school_user, officer, new_school=new_school)
    assert ret.shared_status == SharedStatus.AWAITING_DESTINATION
    load = _load(new_school, officer, ON_ROLL)
    ret.refresh_from_db()
    assert ret.shared_status == SharedStatus.CLOSED_ON_ROLL_ELSEWHERE
    assert "on the roll of Oakfield High School of 20 October 2026" in ret.destination_confirmation
    assert load.summary["destinations_confirmed"] == [ret.reference]


def test_another_schools_roll_or_a_stranger_or_an_earlier_roll_confirms_nothing(
    school_user: User, officer: User, new_school: School
) -> None:
    ret = _awaiting(school_user, officer, new_school=new_school)
    _load(SchoolFactory(), officer, ON_ROLL)
    _load(
        new_school,
        officer,
        roll_pupil(upn="", forename="Xavier", surname="Quill", date_of_birth=date(2012, 6, 6)),
    )
    _load(
        new_school,
        officer,
        dataclasses.replace(ON_ROLL, postcode="PR9 6UB"),
        as_of=date(2026, 10, 1),
    )  # before the removal on 9 October
    ret.refresh_from_db()
    assert ret.shared_status == SharedStatus.AWAITING_DESTINATION
