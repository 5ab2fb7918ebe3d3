"""The register's writes: opening, reviews, ending, judged unsuitable (into CME), the
child-protection alert, and who may do each."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import Case, CaseEvent, Escalation, Outcome, ReferralSource
from cmetrack.cases.services import case_close, case_flag_add
from cmetrack.cases.status import Status
from cmetrack.children.models import Child
from cmetrack.children.services import (
    AddressData,
    ChildData,
    ContactData,
    child_flag_add,
    child_flag_remove,
)
from cmetrack.ehe.models import EheReason, EheRecord, EheReview, EndReason, Source
from cmetrack.ehe.services import (
    FIRST_REVIEW_DAYS,
    EheError,
    EheStart,
    ehe_alert_acknowledge,
    ehe_record_end,
    ehe_record_open,
    ehe_review_record,
)
from cmetrack.testing.factories import CaseFactory, ChildFactory, flag_type

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _start(**kwargs: object) -> EheStart:
    values: dict[str, object] = {
        "start_date": TODAY - timedelta(days=10),
        "source": Source.PARENT_NOTICE,
    }
    values.update(kwargs)
    return EheStart(**values)  # type: ignore[arg-type]


def _open(by: User, child: Child | None = None, **kwargs: object) -> EheRecord:
    return ehe_record_open(start=_start(**kwargs), child=child or ChildFactory(), by=by)


def test_a_parents_notice_creates_the_child_and_the_record(ehe_officer: User) -> None:
    data = ChildData(
        forenames="Isla",
        surname="Notice",
        date_of_birth=date(2014, 5, 1),
        sex="F",
        address=AddressData(line_1="2 Acacia Avenue", town="Bootle", postcode="l207ae"),
        contacts=[ContactData(name="Sam Notice", phone="07700 900123")],
    )
    record = ehe_record_open(start=_start(), child_data=data, by=ehe_officer)
    assert record.child.full_name == "Isla Notice"
    assert record.child.current_address is not None
    assert record.child.current_address.postcode == "L20 7AE"
    assert record.source == Source.PARENT_NOTICE
    assert record.next_review_due == record.start_date + timedelta(days=FIRST_REVIEW_DAYS)
    assert record.created_by == ehe_officer
    assert LogEntry.objects.get_for_object(record).filter(action=LogEntry.Action.CREATE).exists()


def test_a_notice_about_a_known_child_reuses_their_record(ehe_officer: User) -> None:
    child = ChildFactory(forenames="Ada", surname="Known", date_of_birth=date(2013, 1, 2))
    data = ChildData(forenames="ada", surname="KNOWN", date_of_birth=date(2013, 1, 2))
    record = ehe_record_open(start=_start(), child_data=data, by=ehe_officer)
    assert record.child == child
    assert Child.objects.count() == 1


def test_a_child_already_on_the_register_is_refused_a_second_open_record(
    ehe_officer: User,
) -> None:
    first = _open(ehe_officer)
    with pytest.raises(EheError, match=first.reference):
        _open(ehe_officer, child=first.child)
    assert EheRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"hours_per_week": 169}, "hours_per_week"),
        ({"next_review_due": TODAY - timedelta(days=30)}, "next_review_due"),
        ({"source": "carrier-pigeon"}, "source"),
        ({"provider": "robots"}, "provider"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_writes_nothing(
    ehe_officer: User, kwargs: dict[str, object], field: str
) -> None:
    child = ChildFactory()
    with pytest.raises(EheError) as raised:
        _open(ehe_officer, child=child, **kwargs)
    assert raised.value.field == field
    assert not EheRecord.objects.exists()


def test_a_reason_no_longer_in_force_on_the_start_date_is_refused(ehe_officer: User) -> None:
    retired = EheReason.objects.create(
        code="retired", label="Retired reason", valid_to=TODAY - timedelta(days=100)
    )
    with pytest.raises(EheError, match="not a reason in use"):
        _open(ehe_officer, reason=retired)


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_partners_cannot_put_a_child_on_the_register(
    persona: str, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(EheError):
        _open(request.getfixturevalue(persona))
    assert not EheRecord.objects.exists()


def test_the_cme_team_may_record_a_notice(officer: User) -> None:
    assert _open(officer).created_by == officer


def test_a_review_sets_the_next_review_due(ehe_officer: User) -> None:
    record = _open(ehe_officer)
    due = TODAY + timedelta(days=180)
    review = ehe_review_record(
        record=record,
        reviewed_on=TODAY,
        method=EheReview.Method.HOME_VISIT,
        outcome=EheReview.Outcome.SUITABLE,
        next_review_due=due,
        by=ehe_officer,
    )
    record.refresh_from_db()
    assert record.next_review_due == due
    assert review.reviewed_by == ehe_officer
    assert record.is_open


@pytest.mark.parametrize(
    ("reviewed_on", "next_due", "message"),
    [
        (TODAY + timedelta(days=1), TODAY + timedelta(days=90), "future"),
        (TODAY - timedelta(days=30), TODAY + timedelta(days=90), "before home education"),
        (TODAY, None, "next review"),
        (TODAY, TODAY, "after this one"),
    ],
)
def test_a_review_with_bad_dates_is_refused(
    ehe_officer: User, reviewed_on: date, next_due: date | None, message: str
) -> None:
    record = _open(ehe_officer)
    with pytest.raises(EheError, match=message):
        ehe_review_record(
            record=record,
            reviewed_on=reviewed_on,
            method=EheReview.Method.PHONE,
            outcome=EheReview.Outcome.SUITABLE,
            next_review_due=next_due,
            by=ehe_officer,
        )
    assert not EheReview.objects.exists()


@pytest.mark.parametrize("persona", ["officer", "manager", "school_user"])
def test_only_the_ehe_team_records_reviews_and_ends_records(
    ehe_officer: User, persona: str, request: pytest.FixtureRequest
) -> None:
    record = _open(ehe_officer)
    user = request.getfixturevalue(persona)
    with pytest.raises(EheError):
        ehe_review_record(
            record=record,
            reviewed_on=TODAY,
            method=EheReview.Method.PHONE,
            outcome=EheReview.Outcome.SUITABLE,
            next_review_due=TODAY + timedelta(days=90),
            by=user,
        )
    with pytest.raises(EheError):
        ehe_record_end(
            record=record, end_date=TODAY, end_reason=EndReason.RETURNED_TO_SCHOOL, by=user
        )
    record.refresh_from_db()
    assert record.is_open and not record.reviews.exists()


def test_ending_a_record_returned_to_school_opens_no_case(ehe_officer: User) -> None:
    record = _open(ehe_officer)
    record = ehe_record_end(
        record=record, end_date=TODAY, end_reason=EndReason.RETURNED_TO_SCHOOL, by=ehe_officer
    )
    assert record.end_date == TODAY and record.end_reason == EndReason.RETURNED_TO_SCHOOL
    assert record.next_review_due is None
    assert not Case.objects.exists()
    with pytest.raises(EheError, match="ended"):
        ehe_record_end(
            record=record, end_date=TODAY, end_reason=EndReason.MOVED_AWAY, by=ehe_officer
        )


def test_an_ended_child_may_join_the_register_again(ehe_officer: User) -> None:
    record = _open(ehe_officer)
    ehe_record_end(
        record=record, end_date=TODAY, end_reason=EndReason.RETURNED_TO_SCHOOL, by=ehe_officer
    )
    again = _open(ehe_officer, child=record.child, start_date=TODAY)
    assert again.is_open and again.pk != record.pk


def _judged_unsuitable_by_review(record: EheRecord, by: User) -> None:
    ehe_review_record(
        record=record,
        reviewed_on=TODAY,
        method=EheReview.Method.HOME_VISIT,
        outcome=EheReview.Outcome.UNSUITABLE,
        note="No structured education seen on two visits.",
        by=by,
    )


def test_judged_unsuitable_ends_the_record_and_opens_a_cme_case(ehe_officer: User) -> None:
    record = _open(ehe_officer)
    _judged_unsuitable_by_review(record, ehe_officer)
    record.refresh_from_db()
    assert record.end_reason == EndReason.JUDGED_UNSUITABLE and record.end_date == TODAY
    case = Case.objects.get(child=record.child)
    assert record.cme_case == case
    assert case.status == Status.REFERRED
    assert case.primary_reason.code == "ehe-unsuitable"
    assert case.referral_source == ReferralSource.EHE_TEAM
    assert case.referral_date == TODAY
    assert record.reference in case.referrer
    # The timeline names the record, in the officer's name.
    line = case.events.get(kind=EventKind.NOTE_ADDED)
    assert record.reference in line.payload["text"]
    assert line.payload["ehe_record"] == record.reference
    assert line.actor == ehe_officer
    # The child carries the flag "previously home educated (unsuitable)".
    assert record.child.flags.filter(flag_type__code="ehe-unsuitable").exists()
    assert case.events.filter(kind=EventKind.FLAG_ADDED).exists()


def test_judged_unsuitable_needs_a_reason_and_then_writes_nothing(ehe_officer: User) -> None:
    record = _open(ehe_officer)
    with pytest.raises(EheError, match="why"):
        ehe_review_record(
            record=record,
            reviewed_on=TODAY,
            method=EheReview.Method.HOME_VISIT,
            outcome=EheReview.Outcome.UNSUITABLE,
            by=ehe_officer,
        )
    record.refresh_from_db()
    assert record.is_open and not Case.objects.exists() and not record.reviews.exists()


def test_ending_as_judged_unsuitable_moves_the_child_into_cme_too(ehe_officer: User) -> None:
    record = _open(ehe_officer)
    record = ehe_record_end(
        record=record,
        end_date=TODAY,
        end_reason=EndReason.JUDGED_UNSUITABLE,
        note="Provision unsuitable.",
        by=ehe_officer,
    )
    assert record.cme_case is not None and record.cme_case.is_open


def test_judged_unsuitable_adds_to_the_childs_open_case(ehe_officer: User) -> None:
    case = CaseFactory(status=Status.ENQUIRIES)
    record = _open(ehe_officer, child=case.child)
    _judged_unsuitable_by_review(record, ehe_officer)
    record.refresh_from_db()
    assert record.cme_case == case
    assert Case.objects.count() == 1
    assert "added to this open case" in case.events.get(kind=EventKind.NOTE_ADDED).payload["text"]


def test_an_ehe_officers_judgement_opens_the_case_named_by_the_record(
    ehe_officer: User,
) -> None:
    # The cases services open a case for the CME team only; for an EHE officer the case opens
    # as an arrival named by the record, and the officer's own line says who judged it.
    record = _open(ehe_officer)
    _judged_unsuitable_by_review(record, ehe_officer)
    case = Case.objects.get()
    opened = case.events.get(kind=EventKind.OPENED)
    assert opened.payload.get("on_arrival") == record.reference
    assert opened.actor is None


def test_a_child_protection_plan_child_withdrawn_to_home_education_is_flagged_to_a_manager(
    ehe_officer: User, manager: User
) -> None:
    child = ChildFactory()
    child_flag_add(child=child, flag_type=flag_type("child-protection-plan"), by=manager)
    record = _open(ehe_officer, child=child)
    assert record.alert_open
    assert "Child protection plan" in record.alert_reason
    with pytest.raises(EheError, match="manager"):
        ehe_alert_acknowledge(record=record, note="Told CSC", by=ehe_officer)
    with pytest.raises(EheError, match="decided"):
        ehe_alert_acknowledge(record=record, note="  ", by=manager)
    record = ehe_alert_acknowledge(record=record, note="Told the social worker.", by=manager)
    assert not record.alert_open and record.alert_acknowledged_by == manager
    with pytest.raises(EheError, match="no alert"):
        ehe_alert_acknowledge(record=record, note="again", by=manager)


def test_a_child_protection_plan_child_with_an_open_case_raises_its_escalation(
    ehe_officer: User, officer: User
) -> None:
    case = CaseFactory(status=Status.ENQUIRIES)
    child_flag_add(child=case.child, flag_type=flag_type("child-protection-plan"), by=officer)
    assert not Escalation.objects.exists()
    record = _open(ehe_officer, child=case.child)
    assert record.alert_open
    escalation = Escalation.objects.get(case=case)
    assert escalation.trigger_code == "child-protection-plan"


def test_a_child_protection_plan_made_while_on_the_register_alerts_a_manager_again(
    ehe_officer: User, manager: User, officer: User
) -> None:
    child = ChildFactory()
    record = _open(ehe_officer, child=child)
    assert not record.alert_open

    flag = child_flag_add(child=child, flag_type=flag_type("child-protection-plan"), by=officer)

    record.refresh_from_db()
    assert record.alert_open and "made while home educated" in record.alert_reason
    ehe_alert_acknowledge(record=record, note="Spoke to the social worker.", by=manager)
    # Removed and made again later: the acknowledged alert opens once more.
    child_flag_remove(flag=flag, by=officer)
    child_flag_add(child=child, flag_type=flag_type("child-protection-plan"), by=officer)
    record.refresh_from_db()
    assert record.alert_open and record.alert_note == ""


def test_another_flag_or_an_ended_record_raises_no_alert(ehe_officer: User, officer: User) -> None:
    child = ChildFactory()
    record = _open(ehe_officer, child=child)
    child_flag_add(child=child, flag_type=flag_type("looked-after"), by=officer)
    record.refresh_from_db()
    assert not record.alert_open

    other = ChildFactory()
    child_flag_add(child=other, flag_type=flag_type("child-protection-plan"), by=officer)
    assert not EheRecord.objects.filter(child=other).exists()


def test_a_child_without_a_plan_raises_no_alert(ehe_officer: User, officer: User) -> None:
    case = CaseFactory(status=Status.ENQUIRIES)
    case_flag_add(case=case, flag_type=flag_type("looked-after"), by=officer)
    escalations = Escalation.objects.count()
    record = _open(ehe_officer, child=case.child)
    assert not record.alert_open and record.alert_raised_at is None
    assert Escalation.objects.count() == escalations


def test_judged_unsuitable_for_a_child_protection_plan_child_escalates_the_new_case(
    ehe_officer: User, manager: User
) -> None:
    child = ChildFactory()
    child_flag_add(child=child, flag_type=flag_type("child-protection-plan"), by=manager)
    record = _open(ehe_officer, child=child)
    _judged_unsuitable_by_review(record, ehe_officer)
    case = Case.objects.get(child=child)
    assert case.escalations.filter(trigger_code="child-protection-plan").exists()
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ESCALATION_RAISED).exists()


def test_closing_a_case_as_passed_to_the_ehe_team_puts_the_child_on_the_register(
    officer: User,
) -> None:
    case = CaseFactory(status=Status.ENQUIRIES)

    case_close(case=case, outcome=Outcome.HOME_EDUCATION, by=officer)

    record = EheRecord.objects.get(child=case.child)
    assert (record.source, record.source_reference) == (Source.CME_CASE, case.reference)
    assert record.start_date == timezone.localdate() and record.is_open
    assert record.next_review_due is not None


def test_a_child_already_on_the_register_is_not_put_on_it_twice(
    ehe_officer: User, officer: User
) -> None:
    case = CaseFactory(status=Status.ENQUIRIES)
    held = _open(ehe_officer, child=case.child)

    case_close(case=case, outcome=Outcome.HOME_EDUCATION, by=officer)

    assert list(EheRecord.objects.filter(child=case.child)) == [held]


def test_another_outcome_puts_no_one_on_the_register(officer: User) -> None:
    case = CaseFactory(status=Status.ENQUIRIES)

    case_close(case=case, outcome=Outcome.MOVED_ABROAD, note="Letter from the school", by=officer)

    assert not EheRecord.objects.exists()


def test_an_overdue_review_is_reported_to_the_ehe_team_once_without_the_childs_details(
    ehe_officer: User,
) -> None:
    from django.core import mail

    from cmetrack.ehe.services import ehe_reviews_report_overdue

    child = ChildFactory(forenames="Ottilie", surname="Brennan")
    record = _open(ehe_officer, child=child)
    EheRecord.objects.filter(pk=record.pk).update(
        next_review_due=timezone.localdate() - timedelta(days=3)
    )
    ended = _open(ehe_officer)
    EheRecord.objects.filter(pk=ended.pk).update(
        next_review_due=timezone.localdate() - timedelta(days=3),
        end_date=timezone.localdate(),
        end_reason=EndReason.RETURNED_TO_SCHOOL,
    )
    mail.outbox.clear()

    assert ehe_reviews_report_overdue() == 1
    assert ehe_reviews_report_overdue() == 0  # each due date once

    (message,) = mail.outbox
    assert message.to == [ehe_officer.email]
    assert "1 home-education review(s) became overdue" in message.body
    assert "/ehe/?review=overdue" in message.body
    assert "Ottilie" not in message.body and "Brennan" not in message.body

    # A later due date that passes in its turn is news again.
    EheRecord.objects.filter(pk=record.pk).update(
        next_review_due=timezone.localdate() - timedelta(days=1)
    )
    assert ehe_reviews_report_overdue() == 1
