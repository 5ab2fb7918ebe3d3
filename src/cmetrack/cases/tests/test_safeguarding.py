"""Escalation, reasonable enquiries, manager approval of closures and the enquiries-exhausted
decision: through the services and the real views, allowed and refused."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case, ClosureRequest, EnquiryCheck, EnquiryCheckType, Escalation
from cmetrack.cases.services import (
    CaseError,
    case_close,
    case_enquiries_exhausted,
    case_flag_add,
    closure_approve,
    closure_request,
    closure_return,
    escalation_resolve,
)
from cmetrack.children.services import child_flag_add
from cmetrack.conftest import client_for
from cmetrack.testing.factories import CaseFactory, flag_type

from .checklist import cover_checklist


def today_str() -> str:
    return timezone.localdate().strftime("%d/%m/%Y")


@override_settings(CMETRACK_MASH_EMAIL="mash@example.invalid")
@pytest.mark.django_db(transaction=True)
def test_an_escalating_flag_raises_one_escalation_and_tells_mash_without_child_details(
    officer: User,
) -> None:
    case = CaseFactory(child__surname="Hiddenname")
    case_flag_add(case=case, flag_type=flag_type("child-protection-plan"), by=officer)
    escalation = case.escalations.get()
    assert escalation.due_on == timezone.localdate() and escalation.raised_by == officer
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert case.reference in body and "Hiddenname" not in body
    assert Escalation.objects.get().notified_at is not None


def test_a_flag_that_does_not_escalate_raises_nothing(officer: User) -> None:
    case = CaseFactory()
    case_flag_add(case=case, flag_type=flag_type("young-carer"), by=officer)
    assert not case.escalations.exists()


def test_the_daily_tick_escalates_a_flag_that_arrived_without_one_once(officer: User) -> None:
    case = CaseFactory()
    child_flag_add(child=case.child, flag_type=flag_type("looked-after"), by=officer)
    call_command("tick")
    call_command("tick")
    assert case.escalations.count() == 1
    assert case.events.filter(kind="escalation_raised").count() == 1


def test_a_case_cannot_close_until_its_escalation_is_resolved_with_an_action(
    officer: User, manager: User
) -> None:
    case = CaseFactory()
    case_flag_add(case=case, flag_type=flag_type("safety-concern"), by=officer)
    with pytest.raises(CaseError, match="Resolve the safeguarding escalation"):
        case_close(case=case, outcome="not_cme", by=manager)
    with pytest.raises(CaseError, match="Record the action"):
        escalation_resolve(escalation=case.escalations.get(), action="  ", by=officer)
    escalation_resolve(escalation=case.escalations.get(), action="Phoned MASH", by=officer)
    case_close(case=case, outcome="not_cme", by=manager)
    case.refresh_from_db()
    assert case.status == "closed"


def test_escalations_head_every_la_dashboard_and_the_case_page_until_resolved(
    officer: User, manager: User
) -> None:
    case = CaseFactory(child__surname="Urgentcase")
    case_flag_add(case=case, flag_type=flag_type("child-protection-plan"), by=officer)
    for user in (officer, manager):
        page = client_for(user).get(reverse("cases:dashboard")).content.decode()
        assert "1 safeguarding escalation not yet resolved" in page and "Urgentcase" in page
    detail = client_for(officer).get(reverse("cases:detail", args=[case.public_id]))
    assert "Safeguarding escalation" in detail.content.decode()

    escalation = case.escalations.get()
    client = client_for(officer)
    ack = reverse("cases:escalation-acknowledge", args=[case.public_id, escalation.public_id])
    assert client.get(ack).status_code == 405
    assert client.post(ack).status_code == 302
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == officer
    resolve = reverse("cases:escalation-resolve", args=[case.public_id, escalation.public_id])
    empty = client.post(resolve, {"action": ""})
    assert "Enter the action taken" in empty.content.decode()
    assert client.post(resolve, {"action": "Referred to MASH at 10:05"}).status_code == 302
    page = client.get(reverse("cases:dashboard")).content.decode()
    assert "safeguarding escalation" not in page


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_other_roles_cannot_touch_escalations_enquiries_or_approvals(
    persona: str, request: pytest.FixtureRequest, officer: User
) -> None:
    user: User = request.getfixturevalue(persona)
    case = CaseFactory()
    case_flag_add(case=case, flag_type=flag_type("safety-concern"), by=officer)
    escalation = case.escalations.get()
    client = client_for(user)
    for url in [
        reverse("cases:escalation-acknowledge", args=[case.public_id, escalation.public_id]),
        reverse("cases:escalation-resolve", args=[case.public_id, escalation.public_id]),
        reverse("cases:enquiry-add", args=[case.public_id]),
        reverse("cases:enquiries-exhausted", args=[case.public_id]),
        reverse("cases:approvals"),
    ]:
        assert client.post(url, {"action": "x"}).status_code == 403, url
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is None and escalation.resolved_at is None


def test_an_officer_records_a_reasonable_enquiry_and_a_future_date_is_refused(
    officer: User,
) -> None:
    case = CaseFactory(status="enquiries")
    check = EnquiryCheckType.objects.get(code="la-s2s")
    client = client_for(officer)
    url = reverse("cases:enquiry-add", args=[case.public_id])
    future = (timezone.localdate() + timedelta(days=2)).strftime("%d/%m/%Y")
    bad = client.post(
        url,
        {
            "check_type": check.pk,
            "done_on": future,
            "done_by_name": "Jo",
            "method": "system",
            "result": "nothing",
        },
    )
    assert "must be today or in the past" in bad.content.decode()
    assert not EnquiryCheck.objects.exists()
    good = client.post(
        url,
        {
            "check_type": check.pk,
            "done_on": today_str(),
            "done_by_name": "Jo Bloggs, CME",
            "method": "system",
            "result": "nothing",
            "note": "No lost-pupil CTF",
        },
    )
    assert good.status_code == 302
    recorded = EnquiryCheck.objects.get()
    assert recorded.recorded_by == officer and recorded.note == "No lost-pupil CTF"
    page = client.get(reverse("cases:detail", args=[case.public_id])).content.decode()
    assert "School to School (S2S) search and message" in page
    assert LogEntry.objects.get_for_object(recorded).get().actor == officer


@pytest.mark.django_db
def test_the_checklist_offers_both_school_and_la_checks() -> None:
    sides = set(EnquiryCheckType.objects.values_list("side", flat=True))
    assert sides == {"school", "la"}
    assert EnquiryCheckType.objects.count() >= 15


def test_an_officer_closing_a_flagged_child_asks_a_manager_who_approves(
    officer: User, manager: User
) -> None:
    case = CaseFactory(status="enquiries")
    case_flag_add(case=case, flag_type=flag_type("young-carer"), by=officer)
    with pytest.raises(CaseError, match="ask a manager"):
        case_close(case=case, outcome="on_roll_here", by=officer)
    request = closure_request(
        case=case, outcome="on_roll_here", closed_on=timezone.localdate(), by=officer
    )
    with pytest.raises(CaseError, match="already waiting"):
        closure_request(
            case=case, outcome="on_roll_here", closed_on=timezone.localdate(), by=officer
        )
    with pytest.raises(CaseError, match="Only a CME manager"):
        closure_approve(request=request, by=officer)
    closure_approve(request=request, by=manager)
    case.refresh_from_db()
    request.refresh_from_db()
    assert case.status == "closed" and request.state == ClosureRequest.State.APPROVED
    with pytest.raises(CaseError, match="already been decided"):
        closure_approve(request=request, by=manager)


def test_a_manager_sends_a_closure_back_with_a_reason_and_the_case_stays_open(
    officer: User, manager: User
) -> None:
    case = CaseFactory(status="enquiries")
    case_flag_add(case=case, flag_type=flag_type("grt"), by=officer)
    request = closure_request(
        case=case,
        outcome="moved_abroad",
        closed_on=timezone.localdate(),
        note="Letter from the family's new school in Romania, 3 November",
        by=officer,
    )
    boss = client_for(manager)
    url = reverse("cases:closure-return", args=[request.public_id])
    assert "Enter why the closure is sent back" in boss.post(url, {"reason": ""}).content.decode()
    assert boss.post(url, {"reason": "Check with the Home Office"}).status_code == 302
    request.refresh_from_db()
    case.refresh_from_db()
    assert request.state == "returned" and case.status == "enquiries"
    with pytest.raises(CaseError):
        closure_return(request=request, reason="again", by=manager)


def test_an_unflagged_case_is_closed_by_an_officer_directly(officer: User) -> None:
    case = CaseFactory(status="enquiries")
    response = client_for(officer).post(
        reverse("cases:close", args=[case.public_id]),
        {
            "outcome": "not_cme",
            "closed_on_0": str(date.today().day),
            "closed_on_1": str(date.today().month),
            "closed_on_2": str(date.today().year),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and not case.closure_requests.exists()


def test_only_a_manager_decides_enquiries_are_exhausted_which_makes_the_child_untraced(
    officer: User, manager: User
) -> None:
    case = CaseFactory(status="enquiries", referral_date=date(2026, 9, 1))
    cover_checklist(case)
    url = reverse("cases:enquiries-exhausted", args=[case.public_id])
    assert client_for(officer).get(url).status_code == 403
    with pytest.raises(CaseError, match="Only a CME manager"):
        case_enquiries_exhausted(case=case, by=officer)
    response = client_for(manager).post(
        url, {"off_roll_date": "20/11/2026", "note": "All LA checks made; S2S no trace"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "untraced"
    event = case.events.get(kind="enquiries_exhausted")
    assert event.payload["off_roll_date"] == "2026-11-20" and event.actor == manager


def test_enquiries_exhausted_is_refused_from_a_status_that_cannot_become_untraced(
    manager: User,
) -> None:
    case = CaseFactory(status="referred")
    with pytest.raises(CaseError, match="cannot move"):
        case_enquiries_exhausted(case=case, by=manager)
    case.refresh_from_db()
    assert case.status == "referred" and not case.events.exists()


def test_closing_an_untraced_child_needs_a_manager(officer: User, manager: User) -> None:
    case = CaseFactory(status="enquiries")
    cover_checklist(case)
    case_enquiries_exhausted(case=case, by=manager)
    evidence = "Home Office confirms the family left for Poland on 2 November"
    with pytest.raises(CaseError, match="ask a manager"):
        case_close(case=case, outcome="moved_abroad", note=evidence, by=officer)
    case_close(case=case, outcome="moved_abroad", note=evidence, by=manager)
    assert Case.objects.get(pk=case.pk).status == "closed"


def test_the_status_page_does_not_offer_untraced(officer: User) -> None:
    case = CaseFactory(status="enquiries")
    page = client_for(officer).get(reverse("cases:status", args=[case.public_id]))
    assert 'value="untraced"' not in page.content.decode()
    assert 'value="located"' in page.content.decode()


def test_a_second_run_racing_the_first_does_not_raise_the_escalation_twice(
    officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cmetrack.cases.services import escalation

    case = CaseFactory()
    flag = child_flag_add(child=case.child, flag_type=flag_type("looked-after"), by=officer)
    now = timezone.now()
    # The other run has just committed its escalation ...
    Escalation.objects.create(
        case=case, trigger_code="looked-after", trigger_label="x", raised_at=now, due_on=now.date()
    )

    def check_missed_it(*, case: Case, flag_type: object, by: object) -> Escalation:
        # ... and this run's existence check ran before that commit, so it inserts too.
        return Escalation.objects.create(
            case=case,
            trigger_code=flag.flag_type.code,
            trigger_label="x",
            raised_at=now,
            due_on=now.date(),
        )

    monkeypatch.setattr(escalation, "escalation_raise", check_missed_it)
    assert escalation.escalations_raise_missing() == 0
    assert case.escalations.count() == 1
