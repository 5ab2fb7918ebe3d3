"""Starting school, known to services and repeated moves, each against records whose truth
is known."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from cmetrack.accounts.models import User
from cmetrack.children.models import Address
from cmetrack.crosschecks.kinds import CheckKind
from cmetrack.crosschecks.models import CandidateState, CrossCheckRun, RunState
from cmetrack.crosschecks.services import CheckRequest, CrossCheckRefused, crosscheck_start
from cmetrack.rolls.services import roll_load
from cmetrack.testing.cohorts import authority
from cmetrack.testing.factories import AddressFactory, ChildFactory
from cmetrack.testing.roll_files import census_csv, mis_csv, roll_pupil

from .helpers import load_cohort, today

pytestmark = pytest.mark.django_db


def _done(run: CrossCheckRun) -> CrossCheckRun:
    run.refresh_from_db()
    assert run.state == RunState.DONE, run.error
    return run


def _names(run: CrossCheckRun) -> set[str]:
    return set(run.candidates.filter(state=CandidateState.OPEN).values_list("forenames", flat=True))


def _list(*pupils: object) -> bytes:
    return mis_csv(pupils, school_columns=False)  # type: ignore[arg-type]


def test_starting_school_names_children_of_age_on_no_roll(officer: User) -> None:
    cohort = authority(seed=3)
    load_cohort(cohort, officer)
    on_roll = next(p for p in cohort.autumn if p.year_group == "R")
    # Reaches compulsory school age on 31 December 2026 (fifth birthday in the autumn term).
    due = roll_pupil(forename="Zainab", surname="Okafor", upn="", date_of_birth=date(2021, 10, 3))
    too_young = roll_pupil(
        forename="Tobias", surname="Lindqvist", upn="", date_of_birth=date(2022, 11, 20)
    )
    no_dob = roll_pupil(forename="Ola", surname="Nowakowska", upn="", date_of_birth=None)
    listed = dataclasses.replace(on_roll, upn="")  # on a Reception roll: found by the score
    run = _done(
        crosscheck_start(
            request=CheckRequest(
                kind=CheckKind.STARTING_SCHOOL,
                check_on=today(),
                by_date=date(2026, 12, 31),
                list_content=_list(due, too_young, no_dob, listed),
                list_name="admissions.csv",
                list_source="Admissions: reception applications",
            ),
            by=officer,
        )
    )
    assert _names(run) == {"Zainab", "Ola"}
    assert run.summary["listed"] == 4
    assert run.summary["not_due"] == 1
    assert run.summary["found"]["roll"] == 1


def test_known_to_services_checks_only_children_of_compulsory_school_age(officer: User) -> None:
    cohort = authority(seed=3)
    load_cohort(cohort, officer)
    on_roll = next(p for p in cohort.autumn if p.year_group == "8")
    missing = roll_pupil(
        forename="Kacper", surname="Wisniewski", upn="", date_of_birth=date(2013, 5, 1)
    )
    adult = roll_pupil(forename="Dana", surname="Whitlock", upn="", date_of_birth=date(2006, 1, 1))
    run = _done(
        crosscheck_start(
            request=CheckRequest(
                kind=CheckKind.KNOWN_TO_SERVICES,
                check_on=today(),
                list_content=_list(on_roll, missing, adult),
                list_name="housing.csv",
                list_source="Housing: temporary accommodation",
            ),
            by=officer,
        )
    )
    assert _names(run) == {"Kacper"}
    assert run.summary["not_of_age"] == 1
    candidate = run.candidates.get()
    assert "Known to Housing: temporary accommodation" in candidate.explanation["why"][0]


def test_a_list_check_needs_a_list_and_its_source(officer: User) -> None:
    with pytest.raises(CrossCheckRefused, match="list of children"):
        crosscheck_start(
            request=CheckRequest(
                kind=CheckKind.KNOWN_TO_SERVICES, check_on=today(), list_source="Housing"
            ),
            by=officer,
        )
    with pytest.raises(CrossCheckRefused):
        crosscheck_start(
            request=CheckRequest(
                kind=CheckKind.KNOWN_TO_SERVICES,
                check_on=today(),
                list_content=b"\x89PNG\r\n\x1a\n" + b"\0" * 40,
                list_name="x.png",
                list_source="Housing",
            ),
            by=officer,
        )
    assert not CrossCheckRun.objects.exists()


def test_repeated_moves_flags_three_schools_three_addresses_and_two_unknown_destinations(
    officer: User,
) -> None:
    from cmetrack.testing.factories import SchoolFactory

    schools = [SchoolFactory(la_code="343") for _ in range(3)]
    mover = roll_pupil(upn="A343200110001", forename="Rhys", surname="Penhaligon")
    stayer = roll_pupil(upn="A343200110002", forename="Edith", surname="Marchbank")
    for n, (school, as_of) in enumerate(
        zip(schools, (date(2025, 10, 2), date(2026, 1, 15), date(2026, 5, 21)), strict=True)
    ):
        pupils = [dataclasses.replace(mover, school_urn=school.urn, school_laestab="")]
        if n == 0:
            pupils.append(dataclasses.replace(stayer, school_urn=school.urn, school_laestab=""))
        roll_load(content=census_csv(pupils), filename=f"r{n}.csv", by=officer, as_of=as_of)
    child = ChildFactory(forenames="Nia", surname="Cadwallader", date_of_birth=date(2014, 2, 2))
    for k in range(3):
        AddressFactory(
            child=child,
            postcode=f"L20 {k}AB",
            date_from=today() - timedelta(days=100 + 200 * k),
            state=Address.State.KNOWN,
        )
    run = _done(
        crosscheck_start(
            request=CheckRequest(kind=CheckKind.REPEATED_MOVES, check_on=today()), by=officer
        )
    )
    assert _names(run) == {"Rhys", "Nia"}
    rhys = run.candidates.get(forenames="Rhys")
    assert rhys.explanation["why"][0].startswith("On the rolls of 3 schools")
