"""No input to a case page gives a 500 (issue 9): the team's referral entry, every form that
changes a case (status, assign, note, risk, close, reopen, flags, tasks) and the safeguarding
forms (escalation, enquiries, closure approval) get hostile values. The answer is a page with
errors, a redirect, 403 or 404, and a refused form writes nothing. See
`cmetrack.testing.hostile`."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case, EnquiryCheckType
from cmetrack.cases.services import case_flag_add, closure_request
from cmetrack.cases.status import Status
from cmetrack.conftest import client_for
from cmetrack.testing.factories import (
    AddressFactory,
    CaseFactory,
    ChildFactory,
    SchoolFactory,
    flag_type,
    reason,
)
from cmetrack.testing.hostile import NEVER_500, hostile_post, posted_safely, undone

from .test_views_journey import referral_post

TODAY = timezone.localdate()


def _date(prefix: str, day: str, month: str, year: str) -> dict[str, str]:
    return {f"{prefix}_0": day, f"{prefix}_1": month, f"{prefix}_2": year}


def test_the_team_referral_never_fails(officer: User) -> None:
    known = ChildFactory(forenames="Amelia", surname="Testington")
    AddressFactory(child=known)
    valid = referral_post(
        last_school=SchoolFactory().pk,
        flags=[flag_type("young-carer").pk],
        secondary_reasons=[reason("moved-abroad-believed").pk],
        child_choice=str(known.public_id),
        shown=[str(known.public_id)],
    )
    client, url = client_for(officer), reverse("referrals:team-referral")

    @NEVER_500
    @given(data=hostile_post(valid))
    def check(data: dict[str, Any]) -> None:
        with undone():
            posted_safely(client, url, data)

    check()


@pytest.mark.parametrize("field", ["date_of_birth", "referral_date", "date_last_attended"])
@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("1", "1", "1", "must be 1 January 2000 or later"),
        ("1", "1", "0001", "must be 1 January 2000 or later"),
        ("31", "12", "1999", "must be 1 January 2000 or later"),
        ("1", "1", "99999999999", "Enter a real date"),
        ("99999999999", "1", "2020", "Enter a real date"),
        ("1", "99999999999", "2020", "Enter a real date"),
        ("2", "12", "", "Enter the year"),
    ],
)
def test_a_date_the_team_referral_cannot_use_is_an_error_on_its_field(
    officer: User, field: str, day: str, month: str, year: str, message: str
) -> None:
    data = referral_post(**_date(field, day, month, year))
    response = posted_safely(client_for(officer), reverse("referrals:team-referral"), data)
    assert response.status_code == 200
    assert message in response.content.decode()


def _pages(officer: User) -> list[tuple[Client, str, dict[str, Any]]]:
    """Every form that changes an open case, with a valid answer each."""
    case = CaseFactory(status=Status.ENQUIRIES)
    closed = CaseFactory(status=Status.CLOSED, outcome="on_roll_here", closed_on=TODAY)

    def url(name: str, target: Case = case) -> str:
        return reverse(f"cases:{name}", args=[target.public_id])

    return [
        (client_for(officer), url("status"), {"status": Status.REFERRED.value, "note": "Why"}),
        (client_for(officer), url("assign"), {"officer": officer.pk}),
        (client_for(officer), url("note"), {"text": "Phoned the school"}),
        (client_for(officer), url("risk"), {"risk_level": "high"}),
        (
            client_for(officer),
            url("close"),
            {
                "outcome": "on_roll_here",
                "note": "Back at school",
                **_date("closed_on", str(TODAY.day), str(TODAY.month), str(TODAY.year)),
            },
        ),
        (client_for(officer), url("reopen", closed), {"reason": "Left again"}),
        (
            client_for(officer),
            url("flag-add"),
            {"flag_type": flag_type("young-carer").pk, "note": "Cares for mum"},
        ),
        (
            client_for(officer),
            url("task-add"),
            {
                "title": "Ring the family",
                "due_on": (TODAY + timedelta(days=3)).strftime("%d/%m/%Y"),
                "assigned_to": officer.pk,
            },
        ),
    ]


def test_the_case_action_forms_never_fail(officer: User) -> None:
    pages = _pages(officer)

    @settings(NEVER_500, max_examples=150)
    @given(page=st.sampled_from(range(len(pages))), data=st.data())
    def check(page: int, data: st.DataObject) -> None:
        client, url, valid = pages[page]
        with undone():
            posted_safely(client, url, data.draw(hostile_post(valid)))

    check()


def test_the_safeguarding_forms_never_fail(officer: User, manager: User) -> None:
    case = CaseFactory(status=Status.ENQUIRIES)
    case_flag_add(case=case, flag_type=flag_type("child-protection-plan"), by=officer)
    escalation = case.escalations.get()
    waiting = CaseFactory(status=Status.ENQUIRIES)
    closure = closure_request(case=waiting, outcome="on_roll_here", closed_on=TODAY, by=officer)
    check_type = EnquiryCheckType.objects.first()
    assert check_type is not None
    today = TODAY.strftime("%d/%m/%Y")
    pages: list[tuple[Client, str, dict[str, Any]]] = [
        (
            client_for(officer),
            reverse("cases:escalation-resolve", args=[case.public_id, escalation.public_id]),
            {"action": "Referred to MASH by phone"},
        ),
        (
            client_for(officer),
            reverse("cases:enquiry-add", args=[case.public_id]),
            {
                "check_type": check_type.pk,
                "done_on": today,
                "done_by_name": "Pat Officer, Sefton CME",
                "method": "phone",
                "result": "nothing",
                "note": "",
            },
        ),
        (
            client_for(manager),
            reverse("cases:enquiries-exhausted", args=[case.public_id]),
            {"off_roll_date": today, "note": "Every enquiry made"},
        ),
        (
            client_for(manager),
            reverse("cases:closure-return", args=[closure.public_id]),
            {"reason": "Check the new school first"},
        ),
    ]

    @settings(NEVER_500, max_examples=100)
    @given(page=st.sampled_from(range(len(pages))), data=st.data())
    def check(page: int, data: st.DataObject) -> None:
        client, url, valid = pages[page]
        with undone():
            posted_safely(client, url, data.draw(hostile_post(valid)))

    check()


def test_the_case_list_and_task_filters_never_fail(officer: User) -> None:
    CaseFactory(status=Status.ENQUIRIES)
    client = client_for(officer)
    filters = {
        "q": "Amelia",
        "status": "enquiries",
        "open_only": "true",
        "assigned_to": officer.pk,
        "last_school": "",
        "primary_reason": reason().pk,
        "flag": "",
        "page": "1",
    }

    @NEVER_500
    @given(
        url=st.sampled_from([reverse("cases:list"), reverse("cases:tasks")]),
        data=hostile_post(filters, extra=("show", "who")),
    )
    def check(url: str, data: dict[str, Any]) -> None:
        with undone():
            posted_safely(client, url, data, method="get")

    check()
