"""The officer's journey through the real views: record, move, note, close, reopen."""

import re
from datetime import date, timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case, CaseEvent
from cmetrack.children.models import Child
from cmetrack.conftest import client_for
from cmetrack.testing.factories import CaseFactory, ChildFactory, SchoolFactory, flag_type, reason


def _date(prefix: str, value: date) -> dict[str, str]:
    return {
        f"{prefix}_0": str(value.day),
        f"{prefix}_1": str(value.month),
        f"{prefix}_2": str(value.year),
    }


def referral_post(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data: dict[str, Any] = {
        "forenames": "Amelia",
        "surname": "Testington",
        "sex": "F",
        "upn": "H801200001001",
        "address_state": "known",
        "address_line_1": "1 Example Road",
        "town": "Bootle",
        "postcode": "l20 7ae",
        "parent_name": "Jo Testington",
        "parent_relationship": "Mother",
        "parent_phone": "07700 900123",
        "referral_source": "school",
        "referrer": "DSL, Test Primary",
        "category": "cme",
        "primary_reason": reason("whereabouts-unknown").pk,
        "risk_level": "medium",
        "note": "Not seen since half term.",
        **_date("date_of_birth", date(2015, 3, 27)),
        **_date("referral_date", today),
        "date_last_attended_0": "",
        "date_last_attended_1": "",
        "date_last_attended_2": "",
    }
    data.update(overrides)
    return data


def test_recording_a_referral_creates_the_child_and_case_and_shows_the_case(officer: User) -> None:
    school = SchoolFactory()
    client = client_for(officer)
    response = client.post(
        reverse("referrals:team-referral"),
        referral_post(
            last_school=school.pk,
            flags=[flag_type("young-carer").pk],
        ),
        follow=True,
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.child.upn == "H801200001001"
    assert case.child.current_address is not None
    assert case.child.current_address.postcode == "L20 7AE"
    assert case.last_school == school
    assert list(case.child.flags.values_list("flag_type__code", flat=True)) == ["young-carer"]
    assert [e.kind for e in case.events.order_by("occurred_at", "id")] == [
        "opened",
        "flag_added",
        "note_added",
    ]
    assert case.reference in response.content.decode()


def test_a_referral_for_a_known_child_reuses_their_record(officer: User) -> None:
    child = ChildFactory(forenames="Amelia", surname="Testington", date_of_birth=date(2015, 3, 27))
    response = client_for(officer).post(
        reverse("referrals:team-referral"), referral_post(upn=""), follow=True
    )
    assert response.status_code == 200
    assert Child.objects.count() == 1
    assert Case.objects.get().child == child
    assert "already known" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"forenames": ""}, "Enter the child&#x27;s first name"),
        ({"upn": "Z801200001001"}, "1510"),
        ({"primary_reason": ""}, "Choose the main reason"),
        ({"address_line_1": "", "postcode": ""}, "first line of the address"),
        (_date("referral_date", date.today() + timedelta(days=3)), "today or in the past"),
        ({"date_of_birth_0": "31", "date_of_birth_1": "2", "date_of_birth_2": "2015"}, ""),
    ],
)
def test_bad_referrals_show_a_gov_uk_error_summary_and_write_nothing(
    officer: User, overrides: dict[str, str], message: str
) -> None:
    logs_before = LogEntry.objects.count()
    response = client_for(officer).post(
        reverse("referrals:team-referral"), referral_post(**overrides)
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert message in body
    assert "<title>Error:" in body
    assert not Child.objects.exists() and not Case.objects.exists()
    assert LogEntry.objects.count() == logs_before


def test_a_second_open_case_for_the_same_child_is_refused_on_the_form(officer: User) -> None:
    CaseFactory(child__upn="H801200001001")
    response = client_for(officer).post(reverse("referrals:team-referral"), referral_post())
    assert "already has an open case" in response.content.decode()
    assert Case.objects.count() == 1
    assert Child.objects.count() == 1


def test_officer_moves_notes_closes_and_reopens_a_case_and_the_timeline_tells_it(
    officer: User, manager: User
) -> None:
    case = CaseFactory()
    client = client_for(officer)
    url = lambda name: reverse(name, args=[case.public_id])  # noqa: E731

    assert (
        client.post(url("cases:status"), {"status": "enquiries", "note": "Calls made"}).status_code
        == 302
    )
    assert client.post(url("cases:assign"), {"officer": manager.pk}).status_code == 302
    assert client.post(url("cases:note"), {"text": "Home visit: no answer."}).status_code == 302
    assert client.post(url("cases:risk"), {"risk_level": "high"}).status_code == 302
    assert (
        client.post(url("cases:flag-add"), {"flag_type": flag_type("young-carer").pk}).status_code
        == 302
    )
    assert (
        client.post(
            url("cases:close"),
            {"outcome": "on_roll_here", **_date("closed_on", timezone.localdate())},
        ).status_code
        == 302
    )
    # The child has a flag, so the officer's closure waits for a manager, who approves it.
    case.refresh_from_db()
    assert case.status == "enquiries"
    request = case.closure_requests.get()
    assert client.get(reverse("cases:approvals")).status_code == 403
    boss = client_for(manager)
    assert request.case.reference in boss.get(reverse("cases:approvals")).content.decode()
    assert boss.post(reverse("cases:closure-approve", args=[request.public_id])).status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.outcome == "on_roll_here"
    assert (
        client.post(url("cases:reopen"), {"reason": "Left the new school after a week"}).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == "enquiries" and case.outcome == ""

    page = client.get(url("cases:detail")).content.decode()
    for sentence in [
        "Status changed from Referred to Enquiries under way",
        f"Assigned to {manager}",
        "Note added",
        "Home visit: no answer.",
        "Risk changed from Medium to High",
        "Flag added: Young carer",
        "Case closed: On roll at a school in this authority",
        "Closure requested: On roll at a school in this authority",
        "Closure approved by a manager",
        "Case reopened",
        "Left the new school after a week",
    ]:
        assert sentence in page


def test_a_forbidden_status_is_not_offered_and_a_forged_one_is_refused(officer: User) -> None:
    case = CaseFactory(status="referred")
    client = client_for(officer)
    page = client.get(reverse("cases:status", args=[case.public_id])).content.decode()
    assert 'value="untraced"' not in page  # referred → untraced is not a legal move
    response = client.post(reverse("cases:status", args=[case.public_id]), {"status": "untraced"})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "referred"
    assert not CaseEvent.objects.filter(case=case).exists()


def test_closing_without_an_outcome_is_refused_with_an_error(officer: User) -> None:
    case = CaseFactory()
    response = client_for(officer).post(
        reverse("cases:close", args=[case.public_id]), _date("closed_on", timezone.localdate())
    )
    assert "Choose the outcome" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "referred"


def test_removing_a_flag_needs_a_post_and_is_recorded(officer: User) -> None:
    case = CaseFactory()
    client = client_for(officer)
    client.post(
        reverse("cases:flag-add", args=[case.public_id]), {"flag_type": flag_type("grt").pk}
    )
    remove = reverse("cases:flag-remove", args=[case.public_id, "grt"])
    assert client.get(remove).status_code == 405
    assert client.post(remove).status_code == 302
    assert not case.child.flags.filter(removed_at__isnull=True).exists()
    assert case.events.filter(kind="flag_removed").exists()


def test_viewing_a_case_is_audited_with_the_viewer(officer: User) -> None:
    case = CaseFactory()
    client_for(officer).get(reverse("cases:detail", args=[case.public_id]))
    views = LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
    assert {entry.content_type.model for entry in views} == {"case", "child"}
    assert all(entry.actor == officer for entry in views)


def test_case_list_filters_and_searches(officer: User) -> None:
    wanted = CaseFactory(
        child__surname="Quillfeather", child__upn="H801200001001", status="enquiries"
    )
    CaseFactory(child__surname="Other")
    client = client_for(officer)
    for query in ["Quillfeather", "quill", "h801 2000 01001", "27/03/2015", wanted.reference]:
        page = client.post(reverse("cases:list"), {"q": query}, follow=True).content.decode()
        assert "Quillfeather" in page, query
        if query != "27/03/2015":
            assert "Other" not in page.split("<tbody")[1], query
    page = client.get(reverse("cases:list"), {"status": "enquiries"}).content.decode()
    assert "Quillfeather" in page and ">Other<" not in page


def test_case_list_paginates(officer: User) -> None:
    for _ in range(30):
        CaseFactory()
    client = client_for(officer)
    first = client.get(reverse("cases:list")).content.decode()
    assert "Page 1 of 2" in first
    second = client.get(reverse("cases:list"), {"page": 2}).content.decode()
    assert "Page 2 of 2" in second


def test_dashboard_shows_counts_and_my_cases(officer: User) -> None:
    CaseFactory(assigned_to=officer, child__surname="Mineforme")
    CaseFactory(status="enquiries")
    page = client_for(officer).get(reverse("cases:dashboard")).content.decode()
    assert "Mineforme" in page
    assert "2</strong> open cases" in page


def test_case_page_links_to_duplicates_hand_overs_and_its_submissions(officer: User) -> None:
    case = CaseFactory()
    page = client_for(officer).get(reverse("cases:detail", args=[case.public_id])).content.decode()
    assert reverse("matching:candidates", args=[case.child.public_id]) in page
    assert reverse("referrals:handovers", args=[case.public_id]) in page
    assert "None linked to this case." in page


@pytest.mark.parametrize(
    "name", ["referrals:team-referral", "cases:note", "cases:close", "cases:enquiry-add"]
)
def test_forms_are_never_nested_in_another_form(officer: User, name: str) -> None:
    case = CaseFactory()
    url = (
        reverse(name) if name == "referrals:team-referral" else reverse(name, args=[case.public_id])
    )
    page = client_for(officer).get(url).content.decode()
    depth = 0
    for tag in re.findall(r"<(/?)form\b", page):
        depth += -1 if tag else 1
        assert depth <= 1, "a <form> inside another <form> is invalid and breaks submission"


def test_a_search_leaves_no_name_in_the_address(officer: User) -> None:
    CaseFactory(child__surname="Quillfeather", child__upn="H801200001001")
    client = client_for(officer)
    posted = client.post(reverse("cases:list"), {"q": "Quillfeather", "status": "new"})
    assert posted.status_code == 302
    address = posted["Location"]
    assert "Quillfeather" not in address and "status=new" in address and "search=" in address
    for query in ["H801200001001", "27/03/2015"]:
        assert query not in client.post(reverse("cases:list"), {"q": query})["Location"]


def test_an_old_bookmark_with_the_search_in_it_is_moved_out_of_the_address(
    officer: User,
) -> None:
    CaseFactory(child__surname="Quillfeather")
    client = client_for(officer)
    bookmark = client.get(reverse("cases:list"), {"q": "Quillfeather"})
    assert bookmark.status_code == 302 and "Quillfeather" not in bookmark["Location"]
    assert "Quillfeather" in client.get(bookmark["Location"]).content.decode()


def test_a_search_key_from_another_session_finds_nothing_and_says_so(officer: User) -> None:
    CaseFactory(child__surname="Quillfeather")
    CaseFactory(child__surname="Other")
    address = client_for(officer).post(reverse("cases:list"), {"q": "Quillfeather"})["Location"]
    page = client_for(officer).get(address).content.decode()
    assert "That search has expired" in page
    assert "Other" in page  # the unfiltered list: nothing is guessed from the key


def test_the_next_page_of_a_search_keeps_the_search_but_not_its_words(officer: User) -> None:
    for _ in range(30):
        CaseFactory(child__surname="Quillfeather")
    client = client_for(officer)
    first = client.post(reverse("cases:list"), {"q": "Quillfeather"}, follow=True)
    text = first.content.decode()
    assert "Page 1 of 2" in text
    assert "q=Quillfeather" not in text and "&amp;page=2" in text


def test_search_results_and_action_pages_record_a_view_of_each_child_shown(
    officer: User,
) -> None:
    wanted = CaseFactory(child__surname="Quillfeather")
    client = client_for(officer)
    views = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=officer)
    client.post(reverse("cases:list"), {"q": "Quillfeather"}, follow=True)
    assert [entry.object_pk for entry in views] == [str(wanted.child.pk)]
    views.delete()
    client.get(reverse("cases:note", args=[wanted.public_id]))
    assert {entry.content_type.model for entry in views} == {"case", "child"}
