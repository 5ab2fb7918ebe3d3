"""Timeline sentences: every kind the services write can be read back as a sentence."""

import datetime

import pytest
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.events import EventKind, describe
from cmetrack.cases.models import Case, EnquiryCheckType, Outcome, RiskLevel
from cmetrack.cases.selectors import case_timeline
from cmetrack.cases.services import (
    ReferralData,
    case_add_note,
    case_assign,
    case_change_category,
    case_change_primary_reason,
    case_change_status,
    case_document_event,
    case_enquiries_exhausted,
    case_flag_add,
    case_flag_remove,
    case_intake_event,
    case_reopen,
    case_set_risk,
    closure_approve,
    closure_request,
    closure_return,
    enquiry_mark_not_applicable,
    enquiry_record,
    escalation_acknowledge,
    escalation_resolve,
    referral_record,
    task_complete,
    task_create,
)
from cmetrack.cases.status import Status
from cmetrack.children.services import ChildData
from cmetrack.testing.factories import flag_type, reason

from .checklist import cover_checklist

EVIDENCE = "Letter from the new school in Krakow, received 3 November"


@pytest.fixture
def lived_case(officer: User, manager: User) -> Case:
    """A case taken through every service, so it holds an event of every kind, as written."""
    case = referral_record(
        data=ReferralData(
            child=ChildData(forenames="Amelia", surname="Kowalski"),
            primary_reason=reason(),
            referral_source="health",
            referral_date=timezone.localdate() - datetime.timedelta(days=20),
        ),
        by=officer,
    ).case
    case_change_status(case=case, to=Status.ENQUIRIES, by=officer, note="Started checks")
    case_assign(case=case, officer=officer, by=manager)
    case_assign(case=case, officer=None, by=manager)
    case_add_note(case=case, text="Called the GP surgery", by=officer)
    flag = case_flag_add(case=case, flag_type=flag_type("safety-concern"), by=officer)
    escalation = case.escalations.get()
    escalation_acknowledge(escalation=escalation, by=officer)
    escalation_resolve(escalation=escalation, action="Referred to MASH by phone", by=officer)
    case_flag_remove(case=case, flag=flag, by=officer)
    case_set_risk(case=case, risk_level=RiskLevel.HIGH, by=officer)
    case_change_category(
        case=case, category="at_risk", reason_text="Still on roll at St Mary's", by=officer
    )
    case_change_primary_reason(
        case=case, primary_reason=reason("moved-abroad-believed"), note="Neighbours say", by=officer
    )
    enquiry_record(
        case=case,
        check_type=EnquiryCheckType.objects.get(code="la-health"),
        done_on=timezone.localdate(),
        done_by_name="CME officer",
        method="phone",
        result="nothing",
        by=officer,
    )
    enquiry_mark_not_applicable(
        case=case,
        check_type=EnquiryCheckType.objects.get(code="la-benefits"),
        reason="No data-sharing agreement",
        by=officer,
    )
    cover_checklist(case)  # the rest, set up without timeline events
    case_enquiries_exhausted(case=case, by=manager, note="All checks made")
    first = closure_request(
        case=case,
        outcome=Outcome.MOVED_ABROAD,
        closed_on=timezone.localdate(),
        note=EVIDENCE,
        by=officer,
    )
    closure_return(request=first, reason="Ask the Home Office first", by=manager)
    second = closure_request(
        case=case,
        outcome=Outcome.MOVED_ABROAD,
        closed_on=timezone.localdate(),
        note=EVIDENCE,
        by=officer,
    )
    closure_approve(request=second, by=manager)
    case_reopen(case=case, reason="Seen in Bootle", by=officer)
    task = task_create(case=case, title="Ring the GP", due_on=datetime.date(2099, 1, 1), by=officer)
    task_complete(task=task, by=officer)
    case_intake_event(
        case=case,
        kind=EventKind.SUBMISSION_RECEIVED,
        by=None,
        kind_label="Deletion return",
        reference="DEL-TEST-0001",
    )
    case_intake_event(
        case=case,
        kind=EventKind.HANDOVER_CHANGED,
        by=officer,
        authority="Wirral Council",
        state_label="Accepted",
    )
    # The payloads the letters and attachments services write (their own tests check that
    # producing a letter or attaching evidence writes exactly these).
    case_document_event(
        case=case,
        kind=EventKind.LETTER_PRODUCED,
        by=officer,
        template="Letter to parent or carer about absence",
        version=2,
        letter="0c6d8b1e-0000-4000-8000-000000000001",
    )
    case_document_event(
        case=case, kind=EventKind.ATTACHMENT_ADDED, by=officer, kind_label="Home-visit note"
    )
    case_document_event(
        case=case, kind=EventKind.ATTACHMENT_REMOVED, by=officer, kind_label="Home-visit note"
    )
    return case


EXPECTED_SENTENCES = {
    EventKind.OPENED: ["Case opened from a referral by Health"],
    EventKind.STATUS_CHANGED: [
        "Status changed from Referred to Enquiries under way",
        "Status changed from Enquiries under way to Untraced, under review",
    ],
    EventKind.ASSIGNED: ["Assigned to {officer}", "Unassigned"],
    EventKind.NOTE_ADDED: ["Note added"],
    EventKind.FLAG_ADDED: ["Flag added: Concern for the child's safety"],
    EventKind.FLAG_REMOVED: ["Flag removed: Concern for the child's safety"],
    EventKind.RISK_CHANGED: ["Risk changed from Medium to High"],
    EventKind.CATEGORY_CHANGED: [
        "Category changed from child missing education to at risk of missing education"
    ],
    EventKind.PRIMARY_REASON_CHANGED: [
        "Main reason changed from Whereabouts unknown to Believed to have moved out of the country"
    ],
    EventKind.CLOSED: ["Case closed: Moved abroad (confirmed)"],
    EventKind.REOPENED: ["Case reopened"],
    EventKind.TASK_ADDED: ["Task added: Ring the GP, due 1 January 2099"],
    EventKind.TASK_DONE: ["Task done: Ring the GP"],
    EventKind.ESCALATION_RAISED: [
        "Escalated to children's social care: Concern for the child's safety"
    ],
    EventKind.ESCALATION_ACKNOWLEDGED: ["Escalation acknowledged: Concern for the child's safety"],
    EventKind.ESCALATION_RESOLVED: ["Escalation resolved: Concern for the child's safety"],
    EventKind.ENQUIRY_RECORDED: [
        "Enquiry recorded: Health: GP registration, health visitor, school nurse (nothing found)"
    ],
    EventKind.ENQUIRY_NOT_APPLICABLE: [
        "Enquiry marked not applicable: Benefits data (where an agreement exists)"
    ],
    EventKind.CLOSURE_REQUESTED: [
        "Closure requested: Moved abroad (confirmed)",
        "Closure requested: Moved abroad (confirmed)",
    ],
    EventKind.CLOSURE_APPROVED: ["Closure approved by a manager"],
    EventKind.CLOSURE_RETURNED: ["Closure sent back by a manager"],
    EventKind.ENQUIRIES_EXHAUSTED: ["Enquiries exhausted: child untraced"],
    EventKind.SUBMISSION_RECEIVED: ["Deletion return received (DEL-TEST-0001)"],
    EventKind.HANDOVER_CHANGED: ["Hand-over to Wirral Council: accepted"],
    EventKind.LETTER_PRODUCED: [
        "Letter produced: Letter to parent or carer about absence (template version 2)"
    ],
    EventKind.ATTACHMENT_ADDED: ["Attachment added: Home-visit note"],
    EventKind.ATTACHMENT_REMOVED: ["Attachment removed: Home-visit note"],
}


def test_the_expected_sentences_cover_every_event_kind() -> None:
    assert set(EXPECTED_SENTENCES) == set(EventKind)


def test_the_services_write_an_event_of_every_kind(lived_case: Case) -> None:
    assert set(lived_case.events.values_list("kind", flat=True)) == {k.value for k in EventKind}


@pytest.mark.parametrize("kind", list(EventKind), ids=lambda k: k.value)
def test_every_event_kind_reads_as_a_sentence_with_the_payload_the_services_write(
    lived_case: Case, officer: User, kind: EventKind
) -> None:
    events = lived_case.events.filter(kind=kind).order_by("id")

    sentences = [describe(e.kind, e.payload) for e in events]

    expected = [s.format(officer=officer.get_full_name()) for s in EXPECTED_SENTENCES[kind]]
    assert sentences == expected


@pytest.mark.parametrize("kind", list(EventKind), ids=lambda k: k.value)
def test_every_event_kind_describes_itself_as_a_non_empty_string(
    lived_case: Case, kind: EventKind
) -> None:
    for event in lived_case.events.filter(kind=kind):
        sentence = describe(kind, event.payload)
        assert isinstance(sentence, str) and sentence.strip()
        assert describe(kind.value, event.payload) == sentence


def test_the_timeline_pairs_each_event_with_its_sentence_newest_first(lived_case: Case) -> None:
    timeline = case_timeline(case=lived_case)

    assert len(timeline) == lived_case.events.count() == 30
    assert timeline[0]["sentence"] == "Attachment removed: Home-visit note"
    assert timeline[-1]["sentence"] == "Case opened from a referral by Health"
    for row in timeline:
        assert row["sentence"] == describe(row["event"].kind, row["event"].payload)
    details = [row["detail"] for row in timeline if row["detail"]]
    assert details[::-1] == [
        "Started checks",
        "Called the GP surgery",
        "Referred to MASH by phone",
        "Still on roll at St Mary's",
        "Neighbours say",
        "No data-sharing agreement",
        "All checks made",
        "All checks made",
        EVIDENCE,
        "Ask the Home Office first",
        EVIDENCE,
        EVIDENCE,
        "Seen in Bootle",
    ]


def test_an_opened_event_without_a_source_still_reads() -> None:
    assert describe("opened", {}) == "Case opened from a referral by unknown source"


@pytest.mark.parametrize("kind", ["", "deleted", "OPENED", "status-changed"])
def test_an_unknown_event_kind_raises_value_error(kind: str) -> None:
    with pytest.raises(ValueError):
        describe(kind, {})


def test_intake_may_write_only_its_own_event_kinds(officer: User) -> None:
    from cmetrack.cases.services import CaseError
    from cmetrack.testing.factories import CaseFactory

    case = CaseFactory()
    with pytest.raises(CaseError):
        case_intake_event(case=case, kind=EventKind.CLOSED, by=officer, outcome_label="x")
    assert not case.events.exists()
