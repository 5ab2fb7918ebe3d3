"""The rolls as a source of candidates at triage: a child a school says has left is shown on
another school's roll today, with the score's explanation; a stranger is not."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.conftest import client_for
from cmetrack.matching.other_sources import source_matches
from cmetrack.matching.records import PersonRecord
from cmetrack.referrals.services.deletion import deletion_return_submit
from cmetrack.referrals.tests.helpers import CHILD, deletion_data
from cmetrack.rolls.models import RollLoad
from cmetrack.rolls.services import roll_load, roll_withdraw
from cmetrack.testing.factories import SchoolFactory
from cmetrack.testing.roll_files import census_csv, roll_pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_roll_elsewhere(officer: User) -> RollLoad:
    """CHILD (the intake tests' child) on another school's roll, entered under a new UPN and
    with the first name mistyped."""
    school = SchoolFactory(name="Oakfield High School")
    pupil = roll_pupil(
        school_urn=school.urn,
        school_laestab="",
        upn="",
        forename="Ameila",
        surname=CHILD.surname,
        date_of_birth=CHILD.date_of_birth,
        postcode=CHILD.postcode,
        year_group="7",
    )
    return roll_load(
        content=census_csv(
            [
                pupil,
                dataclasses.replace(
                    pupil, forename="Tom", surname="Other", date_of_birth=date(2014, 1, 1)
                ),
            ]
        ),
        filename="autumn.csv",
        by=officer,
        as_of=timezone.localdate() - timedelta(days=30),
    )


def test_a_child_on_another_schools_roll_is_shown_at_triage(
    on_roll_elsewhere: object, officer: User, school_user: User
) -> None:
    assert school_user.organisation is not None
    school = school_user.organisation.school
    assert school is not None
    ret = deletion_return_submit(data=deletion_data(school, ground="b"), by=school_user)
    page = (
        client_for(officer).get(reverse("referrals:triage", args=[ret.public_id])).content.decode()
    )
    assert "On a school&#x27;s roll" in page or "On a school's roll" in page
    assert "Year 7 at Oakfield High School" in page
    assert "likely the same child" in page


def test_only_likely_pupils_are_offered_and_a_withdrawn_load_is_not(
    on_roll_elsewhere: RollLoad, officer: User
) -> None:
    record = PersonRecord(
        forenames=CHILD.forenames,
        surname=CHILD.surname,
        date_of_birth=CHILD.date_of_birth,
        postcode=CHILD.postcode,
    )
    found = source_matches(record)
    assert [m.name for m in found] == [f"Ameila {CHILD.surname}"]
    assert found[0].explanation.probability >= 0.5
    stranger = PersonRecord(forenames="Xavier", surname="Quill", date_of_birth=date(2012, 6, 6))
    assert source_matches(stranger) == []
    roll_withdraw(load=on_roll_elsewhere, reason="Wrong file", by=officer)
    assert source_matches(record) == []


def test_the_teams_referral_form_shows_the_pupil_on_roll_once_before_recording(
    on_roll_elsewhere: RollLoad, officer: User
) -> None:
    from cmetrack.cases.models import Case
    from cmetrack.cases.tests.test_views_journey import referral_post

    client = client_for(officer)
    data = referral_post(upn="")
    first = client.post(reverse("referrals:team-referral"), data)
    assert first.status_code == 200
    page = first.content.decode()
    assert "Year 7 at Oakfield High School" in page and 'name="rolls_seen"' in page
    assert not Case.objects.exists()
    second = client.post(reverse("referrals:team-referral"), {**data, "rolls_seen": "1"})
    assert second.status_code == 302
    assert Case.objects.count() == 1
