"""Destinations awaiting confirmation (issue 9): a deletion return naming a new school is not
"on roll elsewhere" until a matching new-pupil return or the receiving authority confirms it;
unconfirmed by the due date, it opens a CME case (services/destinations.py)."""

import csv
import io
from dataclasses import replace
from datetime import date, datetime
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse

from cmetrack.accounts.models import Organisation, User
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import Case, Task
from cmetrack.conftest import client_for
from cmetrack.referrals.importing.rows import TEMPLATE_COLUMNS
from cmetrack.referrals.imports import import_commit, import_upload
from cmetrack.referrals.models import DeletionReturn, NewPupilReturn, SharedStatus, TriageState
from cmetrack.referrals.services import (
    IntakeError,
    deletion_return_submit,
    destination_confirm,
    destinations_lapse,
    new_pupil_return_submit,
    submission_apply_route,
)
from cmetrack.referrals.services.destinations import _lapse_one
from cmetrack.schooldays.services import term_dates_load_bundled
from cmetrack.schools.models import School
from cmetrack.testing.factories import (
    CaseFactory,
    OrganisationFactory,
    SchoolFactory,
    UserFactory,
)

from .helpers import CHILD, deletion_data, new_pupil_data

LONDON = ZoneInfo("Europe/London")
# Removed Friday 9 October 2026, expected at the new school from Monday 12 October. Ten school
# days after the start: 13-16 and 19-23 October are nine; autumn half-term (26-30 October) and
# the INSET day on Monday 2 November are not school days; the tenth is Tuesday 3 November.
REMOVED = date(2026, 10, 9)
STARTS = date(2026, 10, 12)
DUE = date(2026, 11, 3)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def term_dates(db: None) -> None:
    term_dates_load_bundled()


@pytest.fixture
def new_school(db: None) -> School:
    """The destination: a school in another authority (Wirral, 344)."""
    return SchoolFactory(name="Wirral Park Primary", la_code="344", la_name="Wirral")


@pytest.fixture
def new_school_user(new_school: School) -> User:
    org = OrganisationFactory(
        kind=Organisation.Kind.SCHOOL, name=new_school.name, school=new_school
    )
    return UserFactory(role=User.Role.SCHOOL_USER, organisation=org)


def _school(user: User) -> School:
    assert user.organisation is not None and user.organisation.school is not None
    return user.organisation.school


def _awaiting(sender: User, officer: User, **overrides: Any) -> DeletionReturn:
    """A deletion return naming a new school, sent on 5 October and triaged record-only."""
    values: dict[str, Any] = {
        "ground": "a",
        "deletion_date": REMOVED,
        "new_school_start": STARTS,
    }
    values.update(overrides)
    with time_machine.travel(at(date(2026, 10, 5)), tick=False):
        ret = deletion_return_submit(data=deletion_data(_school(sender), **values), by=sender)
        submission_apply_route(submission=ret, by=officer)
    ret.refresh_from_db()
    return ret


def _new_pupil(by: User, school: School, day: date = STARTS, **child: Any) -> None:
    with time_machine.travel(at(day), tick=False):
        new_pupil_return_submit(
            data=new_pupil_data(school, child=replace(CHILD, **child), start_date=STARTS), by=by
        )


# --- awaiting --------------------------------------------------------------------------------


@pytest.mark.parametrize("ground", ["a", "g", "n"])
def test_a_named_new_school_awaits_confirmation_ten_school_days_after_the_start_across_half_term(
    ground: str, school_user: User, officer: User, new_school: School
) -> None:
    ret = _awaiting(school_user, officer, ground=ground, new_school=new_school)
    assert ret.triage_state == TriageState.TRIAGED
    assert ret.shared_status == SharedStatus.AWAITING_DESTINATION
    assert ret.destination_due == DUE
    assert "03/11/2026" in ret.triage_note
    assert not Case.objects.exists()
    with time_machine.travel(at(date(2026, 10, 6)), tick=False):
        school_page = client_for(school_user).get(
            reverse("referrals:submission", args=[ret.public_id])
        )
        team_page = client_for(officer).get(reverse("referrals:triage", args=[ret.public_id]))
    school_text = school_page.content.decode()
    assert "Waiting for the new school to confirm" in school_text
    assert "Closed: on roll elsewhere" not in school_text
    team_text = team_page.content.decode()
    assert "Awaiting confirmation</strong> until 3 November 2026" in team_text
    assert "Record the confirmation" in team_text


def test_with_no_term_dates_for_the_start_it_waits_fourteen_calendar_days_and_says_so(
    school_user: User, officer: User, new_school: School
) -> None:
    # The bundled term dates end with 2026/27; a start in September 2027 has none.
    ret = _awaiting(school_user, officer, new_school=new_school, new_school_start=date(2027, 9, 6))
    assert ret.destination_due == date(2027, 9, 20)
    assert "14 calendar days used" in ret.triage_note
    assert "2027" in ret.triage_note


def test_a_ground_g_return_naming_only_a_new_address_still_opens_a_case(
    school_user: User, officer: User
) -> None:
    with time_machine.travel(at(date(2026, 10, 5)), tick=False):
        ret = deletion_return_submit(
            data=deletion_data(_school(school_user), ground="g", new_address="1 Far Road, Leeds"),
            by=school_user,
        )
        submission_apply_route(submission=ret, by=officer)
    ret.refresh_from_db()
    assert ret.case is not None and ret.destination_due is None


# --- confirmed by a new-pupil return ---------------------------------------------------------


@pytest.mark.parametrize("upn", [CHILD.upn, ""], ids=["same UPN", "no UPN: the scorer"])
def test_a_matching_new_pupil_return_from_the_named_school_confirms_it(
    upn: str, school_user: User, officer: User, new_school: School, new_school_user: User
) -> None:
    ret = _awaiting(school_user, officer, new_school=new_school)
    _new_pupil(new_school_user, new_school, upn=upn)
    ret.refresh_from_db()
    assert ret.shared_status == SharedStatus.CLOSED_ON_ROLL_ELSEWHERE
    assert ret.destination_confirmed_at is not None
    assert ret.destination_confirmation.startswith("New-pupil return NEW-")
    assert ret.destination_confirmation.endswith(f"from {new_school.name}")
    entry = LogEntry.objects.get_for_object(ret).order_by("-timestamp", "-pk").first()
    assert entry is not None and entry.actor == new_school_user
    assert "destination_confirmed_at" in (entry.changes_dict or {})
    page = client_for(school_user).get(reverse("referrals:submission", args=[ret.public_id]))
    text = page.content.decode()
    assert "Closed: on roll elsewhere" in text and "on roll at the new school" in text
    # The other school's reference is the team's to see, not the sender's.
    assert "New-pupil return NEW-" not in text


def test_a_twin_with_the_same_birth_date_and_surname_does_not_confirm_it(
    school_user: User, officer: User, new_school: School, new_school_user: User
) -> None:
    ret = _awaiting(school_user, officer, new_school=new_school)
    _new_pupil(new_school_user, new_school, forenames="Ava", upn="")
    ret.refresh_from_db()
    assert ret.shared_status == SharedStatus.AWAITING_DESTINATION
    assert ret.destination_confirmed_at is None


def test_a_new_pupil_return_from_a_school_the_return_did_not_name_does_not_confirm_it(
    school_user: User, officer: User, new_school: School
) -> None:
    ret = _awaiting(school_user, officer, new_school=new_school)
    elsewhere = SchoolFactory(la_code="343")  # not the named school, nor in its authority
    _new_pupil(officer, elsewhere)
    ret.refresh_from_db()
    assert ret.shared_status == SharedStatus.AWAITING_DESTINATION


def test_another_school_in_the_named_authority_confirms_only_a_strong_match(
    school_user: User, officer: User, new_school: School
) -> None:
    ret = _awaiting(school_user, officer, new_school=new_school)
    same_authority = SchoolFactory(la_code=new_school.la_code)
    # Same name, a birth date one digit out (ten days apart), no UPN: likely (84%), not strong.
    # (One day apart now scores 98%, strong: the scorer's "one day apart" level, issue 14.)
    _new_pupil(officer, same_authority, upn="", date_of_birth=date(2015, 3, 17), postcode="")
    ret.refresh_from_db()
    assert ret.shared_status == SharedStatus.AWAITING_DESTINATION
    _new_pupil(officer, same_authority, upn="")
    ret.refresh_from_db()
    assert ret.shared_status == SharedStatus.CLOSED_ON_ROLL_ELSEWHERE
    assert same_authority.name in ret.destination_confirmation


def test_the_named_school_itself_needs_only_a_likely_match(
    school_user: User, officer: User, new_school: School
) -> None:
    ret = _awaiting(school_user, officer, new_school=new_school)
    _new_pupil(officer, new_school, upn="", date_of_birth=date(2015, 3, 28), postcode="")
    ret.refresh_from_db()
    assert ret.shared_status == SharedStatus.CLOSED_ON_ROLL_ELSEWHERE


def test_a_school_named_only_in_words_is_confirmed_by_a_strong_match_anywhere(
    school_user: User, officer: User
) -> None:
    ret = _awaiting(school_user, officer, new_school_name="St Anywhere's, Leeds")
    assert ret.shared_status == SharedStatus.AWAITING_DESTINATION
    _new_pupil(officer, SchoolFactory(), upn="", date_of_birth=date(2015, 3, 17), postcode="")
    ret.refresh_from_db()
    assert ret.shared_status == SharedStatus.AWAITING_DESTINATION
    _new_pupil(officer, SchoolFactory())
    ret.refresh_from_db()
    assert ret.shared_status == SharedStatus.CLOSED_ON_ROLL_ELSEWHERE


def test_back_at_the_school_that_removed_them_is_not_on_roll_elsewhere(
    school_user: User, officer: User
) -> None:
    ret = _awaiting(school_user, officer, new_school_name="St Anywhere's, Leeds")
    _new_pupil(school_user, _school(school_user))
    ret.refresh_from_db()
    assert ret.shared_status == SharedStatus.AWAITING_DESTINATION


def test_a_new_pupil_return_that_came_first_confirms_it_at_triage(
    school_user: User, officer: User, new_school: School, new_school_user: User
) -> None:
    _new_pupil(new_school_user, new_school, day=date(2026, 10, 5))
    ret = _awaiting(school_user, officer, new_school=new_school)
    assert ret.shared_status == SharedStatus.CLOSED_ON_ROLL_ELSEWHERE
    assert ret.destination_confirmation.endswith(f"from {new_school.name}")


def _csv(*rows: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TEMPLATE_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _new_pupil_row(urn: str, **overrides: str) -> dict[str, str]:
    values = {
        "return_type": "new_pupil",
        "school_urn": urn,
        "upn": "",
        "surname": CHILD.surname,
        "forename": CHILD.forenames,
        "date_of_birth": CHILD.date_of_birth.isoformat() if CHILD.date_of_birth else "",
        "sex": CHILD.sex,
        "postcode": CHILD.postcode,
        "parent_name": "Jo Testington",
        "parent_phone": "07700 900123",
        "start_date": STARTS.isoformat(),
    }
    values.update(overrides)
    return values


@pytest.mark.parametrize("importer", ["the new school", "the CME team"])
def test_a_bulk_import_of_new_pupil_returns_confirms_it(
    importer: str,
    school_user: User,
    officer: User,
    new_school: School,
    new_school_user: User,
) -> None:
    ret = _awaiting(school_user, officer, new_school=new_school)
    twin = _awaiting(
        school_user, officer, new_school=new_school, child=replace(CHILD, forenames="Ava", upn="")
    )
    by = new_school_user if importer == "the new school" else officer
    data = _csv(
        _new_pupil_row(new_school.urn),
        _new_pupil_row(new_school.urn, forename="Oliver", surname="Elsewhere"),
    )
    with time_machine.travel(at(STARTS), tick=False):
        batch, preview = import_upload(data=data, filename="starters.csv", by=by)
        assert preview is not None and preview.errors == [], preview and preview.errors
        import_commit(batch=batch, valid_only=False, by=by)
    ret.refresh_from_db()
    twin.refresh_from_db()
    assert ret.shared_status == SharedStatus.CLOSED_ON_ROLL_ELSEWHERE
    assert ret.destination_confirmation.startswith("New-pupil return NEW-")
    assert twin.shared_status == SharedStatus.AWAITING_DESTINATION


# --- confirmed by the CME team ---------------------------------------------------------------


def test_the_cme_team_records_the_receiving_authoritys_confirmation(
    school_user: User, officer: User, new_school: School
) -> None:
    case = CaseFactory(
        child__upn=CHILD.upn,
        child__forenames=CHILD.forenames,
        child__surname=CHILD.surname,
        child__date_of_birth=CHILD.date_of_birth,
    )
    ret = _awaiting(school_user, officer, new_school=new_school)
    assert ret.case == case and ret.shared_status == SharedStatus.AWAITING_DESTINATION
    url = reverse("referrals:destination-confirm", args=[ret.public_id])
    client = client_for(officer)
    response = client.post(url, {"how": "  Wirral CME officer confirmed by phone "})
    assert response.status_code == 302
    ret.refresh_from_db()
    assert ret.shared_status == SharedStatus.CLOSED_ON_ROLL_ELSEWHERE
    assert ret.destination_confirmation == (
        f"Wirral CME officer confirmed by phone (recorded by {officer})"
    )
    note = case.events.filter(kind=EventKind.NOTE_ADDED).latest("occurred_at")
    assert note.actor == officer and "Wirral CME officer confirmed by phone" in note.payload["text"]
    page = client.get(reverse("referrals:triage", args=[ret.public_id])).content.decode()
    assert "Confirmed on" in page and "Wirral CME officer confirmed by phone" in page
    again = client.post(url, {"how": "Again"})
    assert again.status_code == 400 and "already confirmed" in again.content.decode()


def test_the_team_must_say_who_confirmed_and_how(
    school_user: User, officer: User, new_school: School
) -> None:
    ret = _awaiting(school_user, officer, new_school=new_school)
    url = reverse("referrals:destination-confirm", args=[ret.public_id])
    response = client_for(officer).post(url, {"how": "   "})
    assert response.status_code == 400
    assert "Say who confirmed the pupil is on roll, and how" in response.content.decode()
    ret.refresh_from_db()
    assert ret.shared_status == SharedStatus.AWAITING_DESTINATION
    with pytest.raises(IntakeError, match="Only the local authority"):
        destination_confirm(deletion=ret, by=school_user, how="We phoned them")


def test_the_sending_school_is_refused_and_other_organisations_see_nothing(
    school_user: User,
    officer: User,
    new_school: School,
    new_school_user: User,
    other_school_user: User,
    agency_user: User,
    outsider: User,
) -> None:
    ret = _awaiting(school_user, officer, new_school=new_school)
    url = reverse("referrals:destination-confirm", args=[ret.public_id])
    assert client_for(school_user).post(url, {"how": "We phoned"}).status_code == 403
    for user in (other_school_user, new_school_user, agency_user, outsider):
        assert client_for(user).post(url, {"how": "We phoned"}).status_code == 404
    assert client_for(officer).get(url).status_code == 405
    ret.refresh_from_db()
    assert ret.shared_status == SharedStatus.AWAITING_DESTINATION


# --- lapse -----------------------------------------------------------------------------------


def test_an_unconfirmed_destination_lapses_into_one_case_with_its_tasks(
    school_user: User, officer: User, new_school: School
) -> None:
    ret = _awaiting(school_user, officer, new_school=new_school)
    with time_machine.travel(at(DUE), tick=False):
        call_command("tick", stdout=StringIO())
    ret.refresh_from_db()
    assert ret.shared_status == SharedStatus.AWAITING_DESTINATION  # still in time on the day
    out = StringIO()
    with time_machine.travel(at(date(2026, 11, 4)), tick=False):
        call_command("tick", stdout=out)
        call_command("tick", stdout=StringIO())
    assert "1 destination(s) not confirmed in time" in out.getvalue()
    case = Case.objects.get()
    ret.refresh_from_db()
    assert ret.case == case and ret.triage_state == TriageState.LINKED
    assert ret.destination_lapsed_at is not None
    assert ret.shared_status == SharedStatus.UNDER_ENQUIRY
    assert case.primary_reason.code == "whereabouts-unknown"
    assert case.events.get(kind=EventKind.OPENED).actor == officer
    [why] = [
        e for e in case.events.filter(kind=EventKind.NOTE_ADDED) if "nobody" in e.payload["text"]
    ]
    assert why.actor == officer
    assert ret.reference in why.payload["text"] and "03/11/2026" in why.payload["text"]
    assert Task.objects.filter(case=case, done_at__isnull=True).exists()
    team = client_for(officer).get(reverse("referrals:triage", args=[ret.public_id]))
    assert "Lapsed: not confirmed by 3 November 2026; case <a" in team.content.decode()
    school = client_for(school_user).get(reverse("referrals:submission", args=[ret.public_id]))
    assert "the CME team is making enquiries" in school.content.decode()
    assert case.reference not in school.content.decode()


def test_a_ground_g_lapse_opens_the_case_under_the_grounds_reason(
    school_user: User, officer: User, new_school: School
) -> None:
    _awaiting(school_user, officer, ground="g", new_school=new_school)
    cases, problems = destinations_lapse(today=date(2026, 11, 4))
    assert problems == [] and [c.primary_reason.code for c in cases] == [
        "moved-destination-unknown"
    ]


def test_two_runs_at_once_claim_each_return_once(
    school_user: User, officer: User, new_school: School
) -> None:
    ret = _awaiting(school_user, officer, new_school=new_school)
    today = date(2026, 11, 4)
    # Both runs listed the return before either lapsed it: the row lock and re-check mean
    # only the first opens a case.
    assert _lapse_one(ret.pk, today) is not None
    assert _lapse_one(ret.pk, today) is None
    assert destinations_lapse(today=today) == ([], [])
    assert Case.objects.count() == 1


def test_a_lapse_joins_the_childs_open_case(
    school_user: User, officer: User, new_school: School
) -> None:
    case = CaseFactory(
        child__upn=CHILD.upn,
        child__forenames=CHILD.forenames,
        child__surname=CHILD.surname,
        child__date_of_birth=CHILD.date_of_birth,
    )
    ret = _awaiting(school_user, officer, new_school=new_school)
    assert destinations_lapse(today=date(2026, 11, 4))[0] == [case]
    ret.refresh_from_db()
    assert ret.case == case and Case.objects.count() == 1


def test_a_lapse_falls_back_to_a_cme_manager_when_the_triaging_officer_has_left(
    school_user: User, officer: User, manager: User, new_school: School
) -> None:
    ret = _awaiting(school_user, officer, new_school=new_school)
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    [case], _ = destinations_lapse(today=date(2026, 11, 4))
    assert case.events.get(kind=EventKind.OPENED).actor == manager
    why = case.events.filter(kind=EventKind.NOTE_ADDED).latest("occurred_at")
    assert f"in {manager}'s name" in why.payload["text"]
    ret.refresh_from_db()
    assert ret.destination_lapsed_at is not None


def test_with_nobody_to_open_it_the_lapse_waits_and_says_why(
    school_user: User, officer: User, new_school: School
) -> None:
    ret = _awaiting(school_user, officer, new_school=new_school)
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    cases, problems = destinations_lapse(today=date(2026, 11, 4))
    assert cases == []
    assert problems == [f"{ret.reference}: No active CME manager to open the case in the name of."]
    ret.refresh_from_db()
    assert ret.shared_status == SharedStatus.AWAITING_DESTINATION


def test_a_new_pupil_return_after_the_lapse_leaves_the_case_to_the_team(
    school_user: User, officer: User, new_school: School, new_school_user: User
) -> None:
    ret = _awaiting(school_user, officer, new_school=new_school)
    [case], _ = destinations_lapse(today=date(2026, 11, 4))
    _new_pupil(new_school_user, new_school, day=date(2026, 11, 5))
    ret.refresh_from_db()
    assert ret.destination_lapsed_at is not None and ret.destination_confirmed_at is None
    # The new-pupil return's own line is on the case, where the team closes it as on roll.
    new_pupil = NewPupilReturn.objects.get()
    assert case.events.filter(
        kind=EventKind.SUBMISSION_RECEIVED, payload__reference=new_pupil.reference
    ).exists()
    with pytest.raises(IntakeError, match="lapsed"):
        destination_confirm(deletion=ret, by=officer, how="Too late")
