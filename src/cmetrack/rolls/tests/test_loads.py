"""Loading school rolls: all or nothing, dated and kept, each school's latest roll as of a date,
withdrawals left out; the files that are refused write nothing."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.conftest import client_for
from cmetrack.rolls.models import RollEntry, RollLoad, SchoolRoll
from cmetrack.rolls.selectors import entries_as_of, school_rolls_as_of
from cmetrack.rolls.services import RollRefused, roll_load, roll_withdraw
from cmetrack.testing.factories import SchoolFactory
from cmetrack.testing.roll_files import census_csv, ctf_xml, mis_csv, roll_pupil

pytestmark = pytest.mark.django_db


def _nothing_written() -> None:
    assert not RollLoad.objects.exists()
    assert not RollEntry.objects.exists()


def test_an_la_wide_census_extract_makes_one_roll_per_school(officer: User) -> None:
    a, b = SchoolFactory(), SchoolFactory()
    pupils = [
        roll_pupil(school_urn=a.urn, school_laestab="", upn="", surname="Ahmed"),
        roll_pupil(school_urn=b.urn, school_laestab="", upn="", surname="Byrne"),
        roll_pupil(school_urn=b.urn, school_laestab="", upn="", surname="Cole"),
    ]
    load = roll_load(
        content=census_csv(pupils), filename="census.csv", by=officer, as_of=date(2026, 10, 1)
    )
    assert (load.pupil_count, load.school_count, load.format) == (3, 2, "census")
    counts = dict(SchoolRoll.objects.values_list("school__urn", "pupil_count"))
    assert counts == {a.urn: 1, b.urn: 2}
    assert LogEntry.objects.get_for_object(load).filter(actor=officer).exists()


def test_a_school_found_by_its_dfe_number_and_one_not_in_the_register_kept_by_number(
    officer: User,
) -> None:
    school = SchoolFactory(la_code="343", establishment_number="2101")
    pupils = [
        roll_pupil(school_urn="", school_laestab="3432101", upn=""),
        roll_pupil(school_urn="", school_laestab="3439999", upn="", surname="Unknown"),
    ]
    load = roll_load(
        content=census_csv(pupils), filename="c.csv", by=officer, as_of=date(2026, 10, 1)
    )
    keys = set(SchoolRoll.objects.values_list("school_key", flat=True))
    assert keys == {school.urn, "laestab:3439999"}
    assert load.summary["unknown_schools"] == ["laestab:3439999"]


def test_a_file_naming_no_school_needs_the_school_chosen(officer: User) -> None:
    school = SchoolFactory()
    content = mis_csv([roll_pupil(school_urn="", school_laestab="")], school_columns=False)
    with pytest.raises(RollRefused, match="choose the school"):
        roll_load(content=content, filename="mis.csv", by=officer, as_of=date(2026, 10, 1))
    _nothing_written()
    load = roll_load(
        content=content, filename="mis.csv", by=officer, as_of=date(2026, 10, 1), school=school
    )
    assert load.school_rolls.get().school == school


def test_a_ctf_says_its_own_date_and_school(officer: User) -> None:
    school = SchoolFactory(la_code="343", establishment_number="2200")
    content = ctf_xml(
        [roll_pupil(school_urn=school.urn, school_laestab="3432200")],
        urn=school.urn,
        laestab="3432200",
        name=school.name,
        as_of=date(2026, 9, 20),
    )
    load = roll_load(content=content, filename="roll.xml", by=officer)
    assert (load.as_of, load.format) == (date(2026, 9, 20), "ctf")
    assert load.school_rolls.get().school == school


def test_refused_files_write_nothing(officer: User) -> None:
    school = SchoolFactory()
    good = census_csv([roll_pupil(school_urn=school.urn, school_laestab="")])
    cases = [
        (b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>", {}, "DOCTYPE/entities are not allowed"),
        (good, {}, "what date"),
        (good, {"as_of": timezone.localdate() + timedelta(days=1)}, "today or in the past"),
    ]
    for content, extra, message in cases:
        with pytest.raises(RollRefused, match=message):
            roll_load(content=content, filename="f.csv", by=officer, **extra)  # type: ignore[arg-type]
    _nothing_written()


def test_the_same_file_twice_is_refused_until_the_first_is_withdrawn(officer: User) -> None:
    school = SchoolFactory()
    content = census_csv([roll_pupil(school_urn=school.urn, school_laestab="")])
    first = roll_load(content=content, filename="a.csv", by=officer, as_of=date(2026, 10, 1))
    with pytest.raises(RollRefused, match="loaded already"):
        roll_load(content=content, filename="a.csv", by=officer, as_of=date(2026, 10, 1))
    roll_withdraw(load=first, reason="Wrong date", by=officer)
    roll_load(content=content, filename="a.csv", by=officer, as_of=date(2026, 10, 2))
    assert RollLoad.objects.count() == 2


def test_as_of_a_date_each_school_has_its_latest_roll_then(officer: User) -> None:
    a, b = SchoolFactory(), SchoolFactory()
    pupil = roll_pupil(school_urn=a.urn, school_laestab="")
    roll_load(
        content=census_csv(
            [pupil, dataclasses.replace(pupil, school_urn=b.urn, upn="", surname="Okoro")]
        ),
        filename="summer.csv",
        by=officer,
        as_of=date(2026, 7, 15),
    )
    autumn = roll_load(
        content=census_csv([dataclasses.replace(pupil, surname="Autumn", upn="")]),
        filename="autumn.csv",
        by=officer,
        as_of=date(2026, 10, 1),
    )
    then = {r.school_key: r.load.as_of for r in school_rolls_as_of(date(2026, 8, 1))}
    assert then == {a.urn: date(2026, 7, 15), b.urn: date(2026, 7, 15)}
    now = {r.school_key: r.load.as_of for r in school_rolls_as_of(date(2026, 11, 1))}
    assert now == {a.urn: date(2026, 10, 1), b.urn: date(2026, 7, 15)}
    assert set(entries_as_of(date(2026, 11, 1)).values_list("surname", flat=True)) == {
        "Autumn",
        "Okoro",
    }
    roll_withdraw(load=autumn, reason="Wrong file", by=officer)
    assert school_rolls_as_of(date(2026, 11, 1))[0].load.as_of == date(2026, 7, 15)


def test_a_pupil_who_left_or_had_not_started_is_not_on_the_roll_that_day(officer: User) -> None:
    school = SchoolFactory()
    pupils = [
        roll_pupil(
            school_urn=school.urn,
            school_laestab="",
            upn="",
            surname="Left",
            leaving_date=date(2026, 9, 10),
        ),
        roll_pupil(
            school_urn=school.urn,
            school_laestab="",
            upn="",
            surname="Later",
            entry_date=date(2026, 11, 2),
        ),
        roll_pupil(school_urn=school.urn, school_laestab="", upn="", surname="Here"),
    ]
    roll_load(content=census_csv(pupils), filename="c.csv", by=officer, as_of=date(2026, 9, 1))
    on = set(entries_as_of(date(2026, 10, 1)).values_list("surname", flat=True))
    assert on == {"Here"}


def test_only_the_cme_team_loads_or_withdraws(officer: User, school_user: User) -> None:
    school = SchoolFactory()
    content = census_csv([roll_pupil(school_urn=school.urn, school_laestab="")])
    with pytest.raises(RollRefused):
        roll_load(content=content, filename="a.csv", by=school_user, as_of=date(2026, 10, 1))
    load = roll_load(content=content, filename="a.csv", by=officer, as_of=date(2026, 10, 1))
    with pytest.raises(RollRefused):
        roll_withdraw(load=load, reason="x", by=school_user)


def test_the_upload_page_loads_a_file_and_shows_what_was_flagged(officer: User) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    school = SchoolFactory()
    content = census_csv(
        [
            roll_pupil(school_urn=school.urn, school_laestab="", upn="NOT-A-UPN"),
            roll_pupil(school_urn=school.urn, school_laestab="", upn="", surname="", forename=""),
        ]
    )
    client = client_for(officer)
    response = client.post(
        "/rolls/load/",
        {
            "file": SimpleUploadedFile("census.csv", content),
            "as_of_0": "1",
            "as_of_1": "10",
            "as_of_2": "2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"]).content.decode()
    assert "Roll of 1 October 2026" in page
    assert "Rows left out" in page and "Warnings" in page


def test_the_upload_page_puts_a_refusal_on_the_file_field(officer: User) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(officer).post(
        "/rolls/load/",
        {
            "file": SimpleUploadedFile("roll.csv", b"just,some\nwords,here\n"),
            "as_of_0": "1",
            "as_of_1": "10",
            "as_of_2": "2026",
        },
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    _nothing_written()
