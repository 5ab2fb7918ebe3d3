"""Enquiries exhausted only once every check on the checklist is recorded or marked not
applicable with a reason (issue 9, item 6): the services, the pages and who may use them."""

import re
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import Case, EnquiryCheck, EnquiryCheckType
from cmetrack.cases.selectors import case_timeline
from cmetrack.cases.services import (
    CaseError,
    case_enquiries_exhausted,
    enquiry_checks_missing,
    enquiry_mark_not_applicable,
    enquiry_record,
)
from cmetrack.cases.status import Status
from cmetrack.conftest import client_for
from cmetrack.testing.factories import CaseFactory

from .checklist import cover_checklist

pytestmark = pytest.mark.django_db

REFUSED_PERSONAS = ["school_user", "agency_user", "outsider"]


@pytest.fixture
def case() -> Case:
    return CaseFactory(status=Status.ENQUIRIES)


def check(code: str) -> EnquiryCheckType:
    return EnquiryCheckType.objects.get(code=code)


def record(case: Case, code: str, by: User, result: str = "nothing", note: str = "") -> None:
    enquiry_record(
        case=case,
        check_type=check(code),
        done_on=timezone.localdate(),
        done_by_name="Jo Bloggs, Sefton CME",
        method="phone",
        result=result,
        note=note,
        by=by,
    )


# --- what is missing -------------------------------------------------------------------------


def test_a_new_case_is_missing_every_check_on_the_checklist(case: Case) -> None:
    assert enquiry_checks_missing(case=case) == list(EnquiryCheckType.objects.all())


def test_a_check_made_with_any_outcome_counts_as_recorded(case: Case, officer: User) -> None:
    record(case, "la-s2s", officer, result="nothing")
    record(case, "la-health", officer, result="no_reply")
    record(case, "la-police", officer, result="found", note="Known at an address in Bootle")

    missing = {c.code for c in enquiry_checks_missing(case=case)}
    assert not missing & {"la-s2s", "la-health", "la-police"}
    assert len(missing) == EnquiryCheckType.objects.count() - 3


def test_a_retired_check_is_no_longer_required(case: Case) -> None:
    EnquiryCheckType.objects.filter(code="la-benefits").update(
        valid_to=timezone.localdate() - timedelta(days=1)
    )
    assert "la-benefits" not in {c.code for c in enquiry_checks_missing(case=case)}


def test_a_not_applicable_row_without_a_reason_does_not_count(case: Case) -> None:
    # As a row recorded before the reason was required might be.
    EnquiryCheck.objects.create(
        case=case,
        check_type=check("la-home-office"),
        done_on=timezone.localdate(),
        done_by_name="Jo",
        method="phone",
        result="not_applicable",
    )
    assert "la-home-office" in {c.code for c in enquiry_checks_missing(case=case)}


# --- the decision ----------------------------------------------------------------------------


def test_exhausted_is_refused_while_checks_are_missing_and_lists_them(
    case: Case, manager: User
) -> None:
    cover_checklist(case, except_codes=frozenset({"la-home-office", "school-home-visit"}))

    with pytest.raises(CaseError, match="Not yet recorded") as refused:
        case_enquiries_exhausted(case=case, by=manager, note="Nothing more to try")

    assert str(refused.value).endswith(
        "Not yet recorded: Home Office / Border Force (suspected move abroad); Home visit."
    )
    case.refresh_from_db()
    assert case.status == Status.ENQUIRIES and not case.events.exists()


def test_exhausted_is_allowed_once_each_check_is_done_or_not_applicable_with_a_reason(
    case: Case, officer: User, manager: User
) -> None:
    cover_checklist(case, except_codes=frozenset({"la-home-office", "la-benefits"}))
    record(case, "la-benefits", officer)
    with pytest.raises(CaseError, match="Home Office"):
        case_enquiries_exhausted(case=case, by=manager)

    enquiry_mark_not_applicable(
        case=case,
        check_type=check("la-home-office"),
        reason="No suggestion of a move abroad",
        by=officer,
    )
    case_enquiries_exhausted(case=case, by=manager, note="Every check made")

    case.refresh_from_db()
    assert case.status == Status.UNTRACED


def test_a_check_recorded_as_not_applicable_needs_a_reason_in_the_note(
    case: Case, officer: User
) -> None:
    with pytest.raises(CaseError, match="why this enquiry does not apply"):
        record(case, "la-youth-justice", officer, result="not_applicable")
    assert not EnquiryCheck.objects.exists()
    record(case, "la-youth-justice", officer, result="not_applicable", note="Aged 6")
    assert "la-youth-justice" not in {c.code for c in enquiry_checks_missing(case=case)}


def test_the_exhausted_decision_stays_a_managers(case: Case, officer: User) -> None:
    cover_checklist(case)
    with pytest.raises(CaseError, match="Only a CME manager"):
        case_enquiries_exhausted(case=case, by=officer)


# --- marking a check not applicable ----------------------------------------------------------


def test_marking_not_applicable_records_who_why_and_a_timeline_line(
    case: Case, officer: User
) -> None:
    marked = enquiry_mark_not_applicable(
        case=case,
        check_type=check("la-home-office"),
        reason="  No suggestion of a move abroad ",
        by=officer,
    )

    assert marked.result == EnquiryCheck.Result.NOT_APPLICABLE and marked.method == ""
    assert marked.note == "No suggestion of a move abroad"
    assert marked.done_on == timezone.localdate() and marked.recorded_by == officer
    assert marked.done_by_name == str(officer)
    event = case.events.get(kind=EventKind.ENQUIRY_NOT_APPLICABLE)
    assert event.actor == officer
    row = case_timeline(case=case)[0]
    assert row["sentence"] == (
        "Enquiry marked not applicable: Home Office / Border Force (suspected move abroad)"
    )
    assert row["detail"] == "No suggestion of a move abroad"
    assert LogEntry.objects.get_for_object(marked).get().actor == officer


@pytest.mark.parametrize("reason", ["", "   "])
def test_marking_not_applicable_needs_a_reason(case: Case, officer: User, reason: str) -> None:
    with pytest.raises(CaseError, match="Say why"):
        enquiry_mark_not_applicable(
            case=case, check_type=check("la-police"), reason=reason, by=officer
        )
    assert not EnquiryCheck.objects.exists() and not case.events.exists()


def test_a_check_already_recorded_cannot_be_marked_not_applicable(
    case: Case, officer: User
) -> None:
    record(case, "la-police", officer)
    with pytest.raises(CaseError, match="already recorded"):
        enquiry_mark_not_applicable(
            case=case, check_type=check("la-police"), reason="Not needed", by=officer
        )
    assert case.enquiries.count() == 1


def test_a_closed_case_cannot_have_checks_marked_not_applicable(officer: User) -> None:
    case = CaseFactory(status=Status.CLOSED, outcome="not_cme", closed_on=timezone.localdate())
    with pytest.raises(CaseError, match="closed"):
        enquiry_mark_not_applicable(
            case=case, check_type=check("la-police"), reason="Not needed", by=officer
        )


def test_a_retired_check_cannot_be_marked_not_applicable(case: Case, officer: User) -> None:
    EnquiryCheckType.objects.filter(code="la-benefits").update(valid_to=date(2020, 1, 1))
    with pytest.raises(CaseError, match="no longer on the checklist"):
        enquiry_mark_not_applicable(
            case=case, check_type=check("la-benefits"), reason="Not needed", by=officer
        )


@pytest.mark.parametrize("persona", REFUSED_PERSONAS)
def test_only_the_team_marks_a_check_not_applicable(
    case: Case, persona: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    with pytest.raises(CaseError, match="CME team"):
        enquiry_mark_not_applicable(
            case=case, check_type=check("la-police"), reason="Not needed", by=user
        )


# --- the pages -------------------------------------------------------------------------------


def test_the_exhausted_page_lists_the_checks_missing_and_holds_back_the_form(
    case: Case, manager: User
) -> None:
    cover_checklist(case, except_codes=frozenset({"la-home-office"}))
    page = client_for(manager).get(reverse("cases:enquiries-exhausted", args=[case.public_id]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "Not yet recorded" in text
    assert "Home Office / Border Force (suspected move abroad)" in text
    assert "?check=la-home-office" in text
    assert "Record the decision" not in text  # the submit button


def test_the_exhausted_page_refuses_a_post_while_checks_are_missing(
    case: Case, manager: User
) -> None:
    cover_checklist(case, except_codes=frozenset({"la-police"}))
    response = client_for(manager).post(
        reverse("cases:enquiries-exhausted", args=[case.public_id]), {"note": "Tried everything"}
    )
    assert response.status_code == 200 and "Not yet recorded: Police." in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.ENQUIRIES


def test_the_exhausted_page_offers_the_form_once_the_checklist_is_complete(
    case: Case, manager: User
) -> None:
    cover_checklist(case)
    client = client_for(manager)
    url = reverse("cases:enquiries-exhausted", args=[case.public_id])
    assert "Record the decision" in client.get(url).content.decode()
    assert client.post(url, {"note": "Every check made"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.UNTRACED


def test_an_officer_marks_a_check_not_applicable_on_its_page(case: Case, officer: User) -> None:
    client = client_for(officer)
    url = reverse("cases:enquiry-not-applicable", args=[case.public_id])
    page = client.get(url + "?check=la-home-office").content.decode()
    assert "Home Office / Border Force (suspected move abroad)" in page
    chosen = re.search(rf'<input[^>]*value="{check("la-home-office").pk}"[^>]*>', page)
    assert chosen is not None and "checked" in chosen.group(0)  # preselected

    empty = client.post(url, {"check_type": check("la-home-office").pk, "reason": ""})
    assert "Enter why the enquiry does not apply" in empty.content.decode()
    done = client.post(
        url, {"check_type": check("la-home-office").pk, "reason": "No suggestion of a move"}
    )
    assert done.status_code == 302
    assert case.enquiries.get().note == "No suggestion of a move"
    # Once recorded it is no longer offered.
    assert f'value="{check("la-home-office").pk}"' not in client.get(url).content.decode()


def test_the_case_page_says_which_checks_are_not_yet_recorded(case: Case, officer: User) -> None:
    cover_checklist(case, except_codes=frozenset({"la-police", "la-home-office"}))
    enquiry_mark_not_applicable(
        case=case, check_type=check("la-home-office"), reason="No sign of a move", by=officer
    )
    page = client_for(officer).get(reverse("cases:detail", args=[case.public_id]))
    text = page.content.decode()
    assert "1 check on the checklist not yet recorded" in text
    assert "Mark an enquiry not applicable" in text
    assert "No sign of a move" in text


@pytest.mark.parametrize("persona", REFUSED_PERSONAS)
def test_other_roles_cannot_open_or_post_the_not_applicable_page(
    case: Case, persona: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    client = client_for(user)
    url = reverse("cases:enquiry-not-applicable", args=[case.public_id])
    assert client.get(url).status_code in {403, 404}
    response = client.post(url, {"check_type": check("la-police").pk, "reason": "x"})
    assert response.status_code in {403, 404}
    assert not EnquiryCheck.objects.exists() and not case.events.exists()


def test_anonymous_visitors_are_sent_to_sign_in_from_the_not_applicable_page(case: Case) -> None:
    response = client_for(None).get(reverse("cases:enquiry-not-applicable", args=[case.public_id]))
    assert response.status_code == 302 and "sign-in" in response["Location"]
