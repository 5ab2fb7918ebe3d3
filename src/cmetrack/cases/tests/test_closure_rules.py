"""Closing as over compulsory school age or moved abroad (issue 9, item 6): the rules in
core.closure_rules, applied by case_close and closure_request, and shown on the close page."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import Case, ClosureRequest, Outcome
from cmetrack.cases.services import CaseError, case_close, case_flag_add, closure_approve
from cmetrack.cases.services import closure_request as closure_request_service
from cmetrack.cases.status import Status
from cmetrack.conftest import client_for
from cmetrack.core.school_age import birthday, compulsory_school_age_end
from cmetrack.schooldays.models import TermDate
from cmetrack.testing.factories import CaseFactory, flag_type

pytestmark = pytest.mark.django_db

EVIDENCE = "Confirmed by the receiving school in Poland by email on 3 November"


def today() -> date:
    return timezone.localdate()


def aged(years: int) -> date:
    """A date of birth that makes the child `years` old today (a month past the birthday)."""
    return birthday(today(), -years) - timedelta(days=30)


def case_for(date_of_birth: date | None, **kwargs: object) -> Case:
    kwargs.setdefault("referral_date", today() - timedelta(days=30))
    return CaseFactory(child__date_of_birth=date_of_birth, status=Status.ENQUIRIES, **kwargs)


def assert_still_open(case: Case) -> None:
    case.refresh_from_db()
    assert case.status == Status.ENQUIRIES and case.outcome == "" and case.closed_on is None
    assert not case.events.filter(kind=EventKind.CLOSED).exists()


# --- over compulsory school age --------------------------------------------------------------


def test_a_13_year_old_cannot_be_closed_as_over_compulsory_school_age(officer: User) -> None:
    dob = aged(13)
    case = case_for(dob)

    with pytest.raises(CaseError, match="of compulsory school age until") as refused:
        case_close(case=case, outcome=Outcome.OVER_AGE, by=officer)

    end = compulsory_school_age_end(dob)
    assert f"{end.day} {end:%B} {end.year}" in str(refused.value)
    assert_still_open(case)


def test_a_16_year_old_after_the_last_friday_in_june_closes_as_over_age(officer: User) -> None:
    dob = date(today().year - 17, 1, 15)  # 16 last January: left on last year's leaving date
    end = compulsory_school_age_end(dob)
    assert end == date(today().year - 1, 6, 30) - timedelta(
        days=(date(today().year - 1, 6, 30).weekday() - 4) % 7
    )
    case = case_for(dob, referral_date=end - timedelta(days=60))

    case_close(case=case, outcome=Outcome.OVER_AGE, closed_on=end + timedelta(days=1), by=officer)

    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.outcome == Outcome.OVER_AGE
    assert case.closed_on == end + timedelta(days=1)


def test_closing_as_over_age_on_the_leaving_date_itself_is_refused(officer: User) -> None:
    dob = date(today().year - 17, 1, 15)
    end = compulsory_school_age_end(dob)
    case = case_for(dob, referral_date=end - timedelta(days=60))

    with pytest.raises(CaseError, match="of compulsory school age until"):
        case_close(case=case, outcome=Outcome.OVER_AGE, closed_on=end, by=officer)
    assert_still_open(case)


def test_a_child_with_no_date_of_birth_cannot_close_as_over_age(officer: User) -> None:
    case = case_for(None)

    with pytest.raises(CaseError, match="date of birth"):
        case_close(case=case, outcome=Outcome.OVER_AGE, by=officer)
    assert_still_open(case)


def _review_case() -> tuple[Case, int]:
    """A child 16 on 3 September of last year, a case open before the earlier leaving date."""
    year = today().year - 1
    return case_for(date(year - 16, 9, 3), referral_date=date(year, 5, 1)), year


def test_a_16th_birthday_before_a_late_autumn_term_ends_school_age_the_june_before(
    officer: User,
) -> None:
    case, year = _review_case()
    TermDate.objects.create(
        academic_year=year,
        kind="term",
        name="Autumn 1",
        start=date(year, 9, 4),
        end=date(year, 10, 23),
    )

    case_close(case=case, outcome=Outcome.OVER_AGE, closed_on=date(year, 10, 1), by=officer)

    case.refresh_from_db()
    assert case.outcome == Outcome.OVER_AGE


def test_a_16th_birthday_after_the_autumn_term_began_keeps_the_child_of_school_age(
    officer: User,
) -> None:
    case, year = _review_case()
    TermDate.objects.create(
        academic_year=year,
        kind="term",
        name="Autumn 1",
        start=date(year, 9, 2),
        end=date(year, 10, 23),
    )

    with pytest.raises(CaseError, match="of compulsory school age until"):
        case_close(case=case, outcome=Outcome.OVER_AGE, closed_on=date(year, 10, 1), by=officer)
    assert_still_open(case)


def test_without_term_dates_the_september_birthday_is_refused_with_both_possible_ends(
    officer: User,
) -> None:
    case, year = _review_case()

    with pytest.raises(CaseError, match="term dates") as refused:
        case_close(case=case, outcome=Outcome.OVER_AGE, closed_on=date(year, 10, 1), by=officer)
    assert "first days of September" in str(refused.value)
    assert_still_open(case)


def test_a_school_age_child_cannot_even_be_put_to_a_manager_as_over_age(officer: User) -> None:
    case = case_for(aged(13))
    case_flag_add(case=case, flag_type=flag_type("young-carer"), by=officer)

    with pytest.raises(CaseError, match="of compulsory school age until"):
        closure_request_service(case=case, outcome=Outcome.OVER_AGE, closed_on=today(), by=officer)
    assert not ClosureRequest.objects.exists()


# --- moved abroad (confirmed) ----------------------------------------------------------------


@pytest.mark.parametrize("note", ["", "   "])
def test_moved_abroad_without_evidence_is_refused(officer: User, note: str) -> None:
    case = case_for(aged(10))

    with pytest.raises(CaseError, match="what confirms the move abroad"):
        case_close(case=case, outcome=Outcome.MOVED_ABROAD, note=note, by=officer)
    assert_still_open(case)


def test_moved_abroad_with_evidence_closes_and_keeps_the_evidence_on_the_timeline(
    officer: User,
) -> None:
    case = case_for(aged(10))

    case_close(case=case, outcome=Outcome.MOVED_ABROAD, note=f"  {EVIDENCE} ", by=officer)

    case.refresh_from_db()
    assert case.outcome == Outcome.MOVED_ABROAD
    assert case.events.get(kind=EventKind.CLOSED).payload["note"] == EVIDENCE


def test_a_request_to_close_as_moved_abroad_needs_the_evidence_and_carries_it_to_approval(
    officer: User, manager: User
) -> None:
    case = case_for(aged(10))
    case_flag_add(case=case, flag_type=flag_type("young-carer"), by=officer)

    with pytest.raises(CaseError, match="what confirms the move abroad"):
        closure_request_service(
            case=case, outcome=Outcome.MOVED_ABROAD, closed_on=today(), by=officer
        )
    assert not ClosureRequest.objects.exists()

    request = closure_request_service(
        case=case, outcome=Outcome.MOVED_ABROAD, closed_on=today(), note=EVIDENCE, by=officer
    )
    closure_approve(request=request, by=manager)

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.events.get(kind=EventKind.CLOSED).payload["note"] == EVIDENCE


def test_other_outcomes_need_neither_evidence_nor_an_age(officer: User) -> None:
    case = case_for(None)
    case_close(case=case, outcome=Outcome.NOT_CME, by=officer)
    case.refresh_from_db()
    assert case.status == Status.CLOSED


# --- the close page --------------------------------------------------------------------------


def _close_post(outcome: str, note: str = "") -> dict[str, str]:
    day = today()
    return {
        "outcome": outcome,
        "closed_on_0": str(day.day),
        "closed_on_1": str(day.month),
        "closed_on_2": str(day.year),
        "note": note,
    }


def test_the_close_page_explains_the_evidence_and_the_age_rule(officer: User) -> None:
    case = case_for(aged(10))
    page = client_for(officer).get(reverse("cases:close", args=[case.public_id]))
    text = page.content.decode()
    assert "For moved abroad (confirmed), say what confirms the move" in text
    assert "last Friday in June of the school year in which they turn 16" in text


def test_the_close_page_refuses_moved_abroad_without_evidence_then_accepts_it(
    officer: User,
) -> None:
    case = case_for(aged(10))
    client = client_for(officer)
    url = reverse("cases:close", args=[case.public_id])

    refused = client.post(url, _close_post(Outcome.MOVED_ABROAD))
    assert refused.status_code == 200
    assert "what confirms the move abroad" in refused.content.decode()
    assert_still_open(case)

    assert client.post(url, _close_post(Outcome.MOVED_ABROAD, EVIDENCE)).status_code == 302
    case.refresh_from_db()
    assert case.outcome == Outcome.MOVED_ABROAD


def test_the_close_page_refuses_over_age_for_a_13_year_old(officer: User) -> None:
    case = case_for(aged(13))
    response = client_for(officer).post(
        reverse("cases:close", args=[case.public_id]), _close_post(Outcome.OVER_AGE)
    )
    assert response.status_code == 200
    assert "of compulsory school age until" in response.content.decode()
    assert_still_open(case)


def test_a_request_dated_before_the_referral_is_refused_when_asked(officer: User) -> None:
    case = case_for(aged(10))
    case_flag_add(case=case, flag_type=flag_type("young-carer"), by=officer)
    with pytest.raises(CaseError, match="before the referral date"):
        closure_request_service(
            case=case,
            outcome=Outcome.NOT_CME,
            closed_on=case.referral_date - timedelta(days=1),
            by=officer,
        )
    assert not ClosureRequest.objects.exists()
