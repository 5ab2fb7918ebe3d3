"""Builders the cross-check tests share: a synthetic authority's rolls loaded through the
service, and the records that say a leaver is known elsewhere."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.children.models import Child
from cmetrack.ehe.models import EheRecord, Source
from cmetrack.referrals.services import ChildParticulars
from cmetrack.referrals.services.deletion import deletion_return_submit
from cmetrack.referrals.tests.helpers import deletion_data
from cmetrack.rolls.reading import RollPupil
from cmetrack.rolls.services import roll_load
from cmetrack.schools.models import School
from cmetrack.testing.cohorts import AUTUMN, LA, SUMMER, Cohort
from cmetrack.testing.factories import CaseFactory, ChildFactory, SchoolFactory
from cmetrack.testing.roll_files import census_csv


def load_cohort(cohort: Cohort, by: User, *, autumn: bool = True) -> None:
    for s in cohort.schools:
        SchoolFactory(urn=s.urn, la_code=LA, establishment_number=s.estab, name=s.name)
    roll_load(content=census_csv(cohort.summer), filename="summer.csv", by=by, as_of=SUMMER)
    if autumn:
        roll_load(content=census_csv(cohort.autumn), filename="autumn.csv", by=by, as_of=AUTUMN)


def child_of(p: RollPupil) -> Child:
    return ChildFactory(
        forenames=p.forename,
        surname=p.surname,
        date_of_birth=p.date_of_birth,
        sex=p.sex,
        upn=p.upn,
    )


def record_known_elsewhere(cohort: Cohort, by: User) -> None:
    """A deletion return naming a new school for each leaver who left the area, an EHE record
    for each home-educated one, an open case for each one the CME team already has."""
    for p in cohort.leavers("left_area"):
        school = School.objects.get(urn=p.school_urn)
        deletion_return_submit(
            data=deletion_data(
                school,
                child=ChildParticulars(
                    forenames=p.forename,
                    surname=p.surname,
                    date_of_birth=p.date_of_birth,
                    sex=p.sex,
                    upn=p.upn,
                    address_line_1="1 Far Road",
                    town="Leeds",
                    postcode=p.postcode,
                ),
                ground="a",
                deletion_date=date(SUMMER.year, 7, 22),
                new_school_name="Leeds Academy",
                new_address="2 New Street, Leeds",
            ),
            by=by,
        )
    for p in cohort.leavers("home_educated"):
        EheRecord.objects.create(
            child=child_of(p), source=Source.OTHER, start_date=date(SUMMER.year, 9, 1)
        )
    for p in cohort.leavers("cme_case"):
        CaseFactory(child=child_of(p))


def today() -> date:
    return timezone.localdate()
