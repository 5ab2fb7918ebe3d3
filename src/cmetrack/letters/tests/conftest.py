"""A case with everything a letter can ask for, and the switch for the PDF tests.

CI installs LibreOffice and sets CMETRACK_REQUIRE_LIBREOFFICE=1, so there a PDF test that
finds no converter fails instead of skipping."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case, Outcome
from cmetrack.children.models import Contact
from cmetrack.letters.pdf import libreoffice_available
from cmetrack.referrals.models import DeletionReturn, Direction, Kind, Nature, OtherLaNotification
from cmetrack.testing.factories import AddressFactory, CaseFactory, ChildFactory, SchoolFactory


def needs_libreoffice() -> None:
    if libreoffice_available():
        return
    if os.environ.get("CMETRACK_REQUIRE_LIBREOFFICE"):
        pytest.fail("CMETRACK_REQUIRE_LIBREOFFICE is set but LibreOffice is not installed")
    pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")


@pytest.fixture
def full_case(officer: User) -> Case:
    """A closed case whose child has an address, a parent, a UPN and a school, with an agreed
    removal from roll and a hand-over to another authority: every placeholder has a value."""
    school = SchoolFactory(name="Litherland High School")
    child = ChildFactory(
        forenames="Amelia Rose",
        surname="Kowalski",
        upn="A123456789012",
        date_of_birth=date(2015, 3, 27),
    )
    AddressFactory(child=child, line_1="12 Linacre Road", town="Litherland", postcode="L21 8NR")
    Contact.objects.create(
        child=child, name="Marta Kowalska", relationship="Mother", phone="07700 900123"
    )
    case = CaseFactory(
        child=child,
        last_school=school,
        date_last_attended=date(2026, 9, 18),
        referrer="Jo Bloggs, attendance officer, Litherland High School",
        assigned_to=officer,
    )
    DeletionReturn.objects.create(
        reference="DEL-TEST-0001",
        kind=Kind.DELETION,
        case=case,
        school=school,
        forenames=child.forenames,
        surname=child.surname,
        ground="i",
        deletion_date=date(2026, 10, 20),
        removal_agreed_on=date(2026, 10, 20),
        removal_agreed_at=timezone.now(),
    )
    OtherLaNotification.objects.create(
        reference="OLA-TEST-0001",
        kind=Kind.OTHER_LA,
        case=case,
        direction=Direction.OUTBOUND,
        nature=Nature.HANDOVER,
        other_la_name="Wirral Council",
        officer_name="Sam Patel",
    )
    Case.objects.filter(pk=case.pk).update(
        status="closed", outcome=Outcome.MOVED_ABROAD, closed_on=timezone.localdate()
    )
    case.refresh_from_db()
    return case


@pytest.fixture
def bare_case() -> Case:
    """A case about a child known only by name: no address, no parent, no school."""
    return CaseFactory(
        child=ChildFactory(forenames="Tia", surname="Nobody", date_of_birth=None),
        referral_date=timezone.localdate() - timedelta(days=3),
    )
