"""Optimistic locking (issue 11): two officers open the same case; the second, submitting from
a stale form, is told the case changed and what changed, and nothing of theirs is written.

Each web test uses two signed-in clients, as two officers at two desks: both open a page, the
first changes the case, the second submits the form it opened before that change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmetrack.accounts.models import Organisation, User
from cmetrack.cases.models import Case, CaseEvent, ClosureRequest, RiskLevel
from cmetrack.cases.services import (
    CaseChanged,
    case_add_note,
    case_assign,
    case_change_category,
    case_change_primary_reason,
    case_change_status,
    case_close,
    case_flag_add,
    case_flag_remove,
    case_reopen,
    case_set_risk,
    case_version_bump,
    checklist_in_force,
    closure_request,
    enquiry_mark_not_applicable,
    enquiry_record,
)
from cmetrack.cases.status import Status
from cmetrack.cases.views import actions
from cmetrack.cases.views.conflict import conflict_from
from cmetrack.children.models import ChildFlag
from cmetrack.conftest import client_for
from cmetrack.matching.services import child_merge
from cmetrack.testing.factories import CaseFactory, ChildFactory, UserFactory, flag_type, reason

pytestmark = pytest.mark.django_db

CHANGED = "This case changed since you opened it"
VERSION_INPUT = re.compile(r'<input type="hidden" name="version" value="(\d+)"')


@pytest.fixture
def colleague(la_team: Organisation) -> User:
    """A second CME officer: the one who changes the case first."""
    return UserFactory(
        role=User.Role.CME_OFFICER, organisation=la_team, first_name="Priya", last_name="Shah"
    )


def opened_version(client: Client, url: str) -> int:
    """Open a page as a browser would and read the version its form carries."""
    page = client.get(url)
    assert page.status_code == 200
    found = VERSION_INPUT.search(page.content.decode())
    assert found, f"{url} has no version in its form"
    return int(found.group(1))


def snapshot(case: Case) -> dict[str, Any]:
    """Everything a guarded form could write: the case's fields, its timeline, its child's
    flags, its closure requests."""
    case.refresh_from_db()
    return {
        "version": case.version,
        "status": case.status,
        "risk": case.risk_level,
        "assigned": case.assigned_to_id,
        "category": case.category,
        "reason": case.primary_reason_id,
        "outcome": case.outcome,
        "events": case.events.count(),
        "flags": sorted(
            ChildFlag.objects.filter(child=case.child, removed_at__isnull=True).values_list(
                "flag_type__code", flat=True
            )
        ),
        "closure_requests": ClosureRequest.objects.filter(case=case).count(),
    }


def _closed_on_today() -> dict[str, str]:
    today = timezone.localdate()
    return {
        "closed_on_0": str(today.day),
        "closed_on_1": str(today.month),
        "closed_on_2": str(today.year),
    }


# --- the issue's own story ---------------------------------------------------------------------


def test_a_stale_risk_form_is_refused_naming_the_status_change_it_never_saw(
    officer: User, colleague: User
) -> None:
    case = CaseFactory(risk_level=RiskLevel.MEDIUM)
    first, second = client_for(colleague), client_for(officer)
    status_url = reverse("cases:status", args=[case.public_id])
    risk_url = reverse("cases:risk", args=[case.public_id])
    first_version = opened_version(first, status_url)
    stale_version = opened_version(second, risk_url)
    assert first_version == stale_version == case.version == 1

    done = first.post(
        status_url, {"status": "enquiries", "note": "Calls made", "version": first_version}
    )
    assert done.status_code == 302
    before = snapshot(case)

    refused = second.post(risk_url, {"risk_level": "low", "version": stale_version})

    assert refused.status_code == 200
    page = refused.content.decode()
    assert CHANGED in page
    assert "<title>Error:" in page
    assert f"Status changed from {Status.REFERRED.label} to {Status.ENQUIRIES.label}" in page
    assert "Priya Shah" in page
    assert snapshot(case) == before  # nothing of the second officer's was written
    assert before["risk"] == RiskLevel.MEDIUM and before["status"] == Status.ENQUIRIES
    # The fresh form is at the version the case is at now, and applies once resubmitted.
    fresh = VERSION_INPUT.search(page)
    assert fresh and int(fresh.group(1)) == before["version"] == 2
    again = second.post(risk_url, {"risk_level": "low", "version": fresh.group(1)})
    assert again.status_code == 302
    case.refresh_from_db()
    assert (case.risk_level, case.status, case.version) == (RiskLevel.LOW, Status.ENQUIRIES, 3)


def test_a_stale_assignment_leaves_the_first_officers_assignment(
    officer: User, colleague: User, manager: User
) -> None:
    case = CaseFactory()
    url = reverse("cases:assign", args=[case.public_id])
    first, second = client_for(colleague), client_for(officer)
    v1, v2 = opened_version(first, url), opened_version(second, url)
    assert first.post(url, {"officer": colleague.pk, "version": v1}).status_code == 302

    refused = second.post(url, {"officer": manager.pk, "version": v2})

    assert refused.status_code == 200 and CHANGED in refused.content.decode()
    assert f"Assigned to {colleague}" in refused.content.decode()
    case.refresh_from_db()
    assert case.assigned_to == colleague


def test_a_stale_choice_no_longer_offered_still_gets_the_conflict_page(
    officer: User, colleague: User
) -> None:
    """Both officers move the case on to enquiries: the second's choice is not offered from
    enquiries, but what they are told is that the case changed, not "select a valid choice"."""
    case = CaseFactory()
    url = reverse("cases:status", args=[case.public_id])
    first, second = client_for(colleague), client_for(officer)
    v1, v2 = opened_version(first, url), opened_version(second, url)
    assert first.post(url, {"status": "enquiries", "version": v1}).status_code == 302

    refused = second.post(url, {"status": "enquiries", "version": v2})

    page = refused.content.decode()
    assert refused.status_code == 200 and CHANGED in page
    assert "Select a valid choice" not in page
    assert CaseEvent.objects.filter(case=case, kind="status_changed").count() == 1


def test_a_change_made_between_the_pages_read_and_the_write_is_refused_by_the_service(
    officer: User, colleague: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's own look at the version is made to miss (as when the other change commits
    just after it): the service's check under the row lock still refuses the stale form."""
    case = CaseFactory(risk_level=RiskLevel.MEDIUM)
    url = reverse("cases:risk", args=[case.public_id])
    client = client_for(officer)
    stale = opened_version(client, url)
    case_set_risk(case=case, risk_level=RiskLevel.HIGH, by=colleague)
    monkeypatch.setattr(actions, "_stale", lambda form, case: None)

    refused = client.post(url, {"risk_level": "low", "version": stale})

    assert refused.status_code == 200 and CHANGED in refused.content.decode()
    case.refresh_from_db()
    assert case.risk_level == RiskLevel.HIGH


# --- every guarded form -------------------------------------------------------------------------


@dataclass(frozen=True)
class Guarded:
    """One form that changes the case: how to set its case up, which URL, what to post."""

    name: str
    url: Callable[[Case], str]
    data: Callable[[Case, User], dict[str, Any]]
    prepare: Callable[[Case, User], None] = lambda case, by: None
    as_manager: bool = False


def _detail(name: str) -> Callable[[Case], str]:
    return lambda case: reverse(f"cases:{name}", args=[case.public_id])


def _young_carer(case: Case, by: User) -> None:
    case_flag_add(case=case, flag_type=flag_type("young-carer"), by=by)


def _closed(case: Case, by: User) -> None:
    case_close(case=case, outcome="not_cme", by=by)


def _checks_done(case: Case, by: User) -> None:
    case_change_status(case=case, to=Status.ENQUIRIES, by=by)
    for check in checklist_in_force():
        enquiry_mark_not_applicable(case=case, check_type=check, reason="Not relevant", by=by)


GUARDED = [
    Guarded("status", _detail("status"), lambda c, u: {"status": "located", "note": ""}),
    Guarded("assign", _detail("assign"), lambda c, u: {"officer": u.pk}),
    Guarded("risk", _detail("risk"), lambda c, u: {"risk_level": "low"}),
    Guarded(
        "category",
        _detail("category"),
        lambda c, u: {"category": "at_risk", "reason_text": "Still on a roll"},
    ),
    Guarded(
        "primary-reason",
        _detail("primary-reason"),
        lambda c, u: {"primary_reason": reason("excluded").pk, "note": ""},
    ),
    Guarded(
        "close",
        _detail("close"),
        lambda c, u: {"outcome": "not_cme", "note": "", **_closed_on_today()},
    ),
    Guarded(
        "close-asking-a-manager",
        _detail("close"),
        lambda c, u: {"outcome": "not_cme", "note": "", **_closed_on_today()},
        prepare=_young_carer,
    ),
    Guarded("reopen", _detail("reopen"), lambda c, u: {"reason": "Back in the area"}, _closed),
    Guarded(
        "flag-add",
        _detail("flag-add"),
        lambda c, u: {"flag_type": flag_type("young-carer").pk, "note": ""},
    ),
    Guarded(
        "enquiries-exhausted",
        _detail("enquiries-exhausted"),
        lambda c, u: {"note": "Every enquiry made"},
        prepare=_checks_done,
        as_manager=True,
    ),
]


@pytest.mark.parametrize("form", GUARDED, ids=[g.name for g in GUARDED])
def test_every_guarded_form_refuses_a_stale_submission_and_applies_a_fresh_one(
    form: Guarded, officer: User, colleague: User, manager: User
) -> None:
    case = CaseFactory(risk_level=RiskLevel.MEDIUM)
    form.prepare(case, manager)
    submitter = manager if form.as_manager else officer
    client = client_for(submitter)
    url = form.url(case)
    data = form.data(case, colleague)
    stale = opened_version(client, url)

    case_set_risk(case=case, risk_level=RiskLevel.HIGH, by=colleague)  # the first officer
    before = snapshot(case)
    refused = client.post(url, {**data, "version": stale})

    assert refused.status_code == 200, form.name
    page = refused.content.decode()
    assert CHANGED in page and "Risk changed from Medium to High" in page
    assert snapshot(case) == before, f"{form.name} wrote from a stale form"

    fresh = VERSION_INPUT.search(page)
    assert fresh and int(fresh.group(1)) == before["version"]
    applied = client.post(url, {**data, "version": fresh.group(1)})
    assert applied.status_code == 302, applied.content.decode()[:2000]
    assert snapshot(case) != before


def test_a_stale_flag_removal_is_refused_and_offered_again(officer: User, colleague: User) -> None:
    case = CaseFactory()
    _young_carer(case, colleague)
    url = reverse("cases:flag-remove", args=[case.public_id, "young-carer"])
    case.refresh_from_db()
    stale = case.version  # what the case page, opened now, would put beside the button
    case_set_risk(case=case, risk_level=RiskLevel.HIGH, by=colleague)
    before = snapshot(case)
    client = client_for(officer)

    refused = client.post(url, {"version": stale})

    assert refused.status_code == 200
    page = refused.content.decode()
    assert CHANGED in page and "Remove the flag: Young carer" in page
    assert snapshot(case) == before
    fresh = VERSION_INPUT.search(page)
    assert fresh and int(fresh.group(1)) == before["version"]
    assert client.post(url, {"version": fresh.group(1)}).status_code == 302
    assert snapshot(case)["flags"] == []


@pytest.mark.parametrize("junk", ["abc", "0", "-1", "1.5", "99999999999999999999"])
def test_a_version_that_cannot_be_read_is_a_clear_error_and_writes_nothing(
    officer: User, junk: str
) -> None:
    case = CaseFactory(risk_level=RiskLevel.MEDIUM)
    before = snapshot(case)
    response = client_for(officer).post(
        reverse("cases:risk", args=[case.public_id]), {"risk_level": "low", "version": junk}
    )
    assert response.status_code == 200
    assert "go back to the case and open it again" in response.content.decode()
    assert snapshot(case) == before


def test_a_post_without_a_version_is_applied_as_a_service_call_without_one(
    officer: User,
) -> None:
    case = CaseFactory(risk_level=RiskLevel.MEDIUM)
    response = client_for(officer).post(
        reverse("cases:risk", args=[case.public_id]), {"risk_level": "low"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.risk_level == RiskLevel.LOW


def test_additive_forms_are_not_refused_after_a_change(officer: User, colleague: User) -> None:
    """A note, or an enquiry recorded, adds to the case and overwrites nothing: not refused."""
    case = CaseFactory()
    client = client_for(officer)
    note_url = reverse("cases:note", args=[case.public_id])
    assert 'name="version"' not in client.get(note_url).content.decode()
    case_set_risk(case=case, risk_level=RiskLevel.HIGH, by=colleague)
    assert client.post(note_url, {"text": "Visited: no answer"}).status_code == 302


def test_the_wrong_role_is_still_refused_before_any_version_check(school_user: User) -> None:
    case = CaseFactory()
    response = client_for(school_user).post(
        reverse("cases:risk", args=[case.public_id]), {"risk_level": "low", "version": 1}
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.version == 1


# --- the services -------------------------------------------------------------------------------


CHANGES: list[tuple[str, Callable[[Case, User, int | None], object]]] = [
    ("risk", lambda c, u, v: case_set_risk(case=c, risk_level="high", by=u, expected_version=v)),
    ("assign", lambda c, u, v: case_assign(case=c, officer=u, by=u, expected_version=v)),
    (
        "status",
        lambda c, u, v: case_change_status(case=c, to="enquiries", by=u, expected_version=v),
    ),
    (
        "category",
        lambda c, u, v: case_change_category(
            case=c, category="at_risk", reason_text="x", by=u, expected_version=v
        ),
    ),
    (
        "primary reason",
        lambda c, u, v: case_change_primary_reason(
            case=c, primary_reason=reason("excluded"), by=u, expected_version=v
        ),
    ),
    (
        "close",
        lambda c, u, v: case_close(case=c, outcome="not_cme", by=u, expected_version=v),
    ),
    (
        "flag",
        lambda c, u, v: case_flag_add(
            case=c, flag_type=flag_type("young-carer"), by=u, expected_version=v
        ),
    ),
]


@pytest.mark.parametrize("change", CHANGES, ids=[name for name, _ in CHANGES])
def test_each_change_moves_the_version_on_by_one_and_stamps_its_event(
    change: tuple[str, Callable[[Case, User, int | None], object]], manager: User
) -> None:
    case = CaseFactory()
    change[1](case, manager, 1)
    case.refresh_from_db()
    assert case.version == 2
    assert CaseEvent.objects.filter(case=case, case_version=2).exists()


@pytest.mark.parametrize("change", CHANGES, ids=[name for name, _ in CHANGES])
def test_each_change_refuses_a_stale_version_and_writes_nothing(
    change: tuple[str, Callable[[Case, User, int | None], object]],
    manager: User,
    colleague: User,
) -> None:
    case = CaseFactory()
    case_add_note(case=case, text="first", by=colleague)
    case_set_risk(case=case, risk_level="low", by=colleague)
    before = snapshot(case)
    with pytest.raises(CaseChanged) as refused:
        change[1](case, manager, 1)
    assert snapshot(case) == before
    assert refused.value.case.version == 2 and refused.value.expected == 1


@pytest.mark.parametrize("change", CHANGES, ids=[name for name, _ in CHANGES])
def test_a_service_called_without_a_version_still_works(
    change: tuple[str, Callable[[Case, User, int | None], object]], manager: User
) -> None:
    case = CaseFactory()
    case_set_risk(case=case, risk_level="low", by=manager)
    change[1](case, manager, None)  # the instance is stale: the service re-reads it
    case.refresh_from_db()
    assert case.version == 3


def test_reopening_and_removing_a_flag_move_the_version_on(manager: User) -> None:
    case = CaseFactory()
    flag = case_flag_add(case=case, flag_type=flag_type("young-carer"), by=manager)
    case_flag_remove(case=case, flag=flag, by=manager, expected_version=2)
    case_close(case=case, outcome="not_cme", by=manager, expected_version=3)
    case_reopen(case=case, reason="Back", by=manager, expected_version=4)
    case.refresh_from_db()
    assert case.version == 5
    with pytest.raises(CaseChanged):
        case_reopen(case=case, reason="Again", by=manager, expected_version=4)


def test_a_closure_request_is_refused_from_a_stale_form_and_moves_nothing(
    officer: User, manager: User
) -> None:
    case = CaseFactory()
    case_flag_add(case=case, flag_type=flag_type("young-carer"), by=manager)
    with pytest.raises(CaseChanged):
        closure_request(
            case=case,
            outcome="not_cme",
            closed_on=timezone.localdate(),
            by=officer,
            expected_version=1,
        )
    closure_request(
        case=case, outcome="not_cme", closed_on=timezone.localdate(), by=officer, expected_version=2
    )
    case.refresh_from_db()
    assert case.version == 2  # a request changes nothing on the case itself


def test_notes_and_enquiries_leave_the_version_alone(officer: User) -> None:
    case = CaseFactory()
    case_add_note(case=case, text="Phoned", by=officer)
    check = checklist_in_force().first()
    assert check is not None
    enquiry_record(
        case=case,
        check_type=check,
        done_on=date.today(),
        done_by_name="A. Officer",
        method="phone",
        result="nothing",
        by=officer,
    )
    case.refresh_from_db()
    assert case.version == 1


def test_the_bump_itself_refuses_an_instance_read_before_another_change(officer: User) -> None:
    """UPDATE ... WHERE version = the one read: even a caller that skipped the lock cannot move
    the version on from a copy that is out of date."""
    case = CaseFactory()
    mine, theirs = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    case_version_bump(theirs)
    with pytest.raises(CaseChanged):
        case_version_bump(mine)
    case.refresh_from_db()
    assert case.version == 2


def test_the_conflict_lists_only_what_changed_after_the_form_was_opened(
    officer: User, colleague: User
) -> None:
    case = CaseFactory(risk_level=RiskLevel.MEDIUM)
    case_set_risk(case=case, risk_level="low", by=officer)  # before: version 2
    case_assign(case=case, officer=colleague, by=colleague)  # after the form (opened at 2)
    case_set_risk(case=case, risk_level="high", by=colleague)
    with pytest.raises(CaseChanged) as refused:
        case_set_risk(case=case, risk_level="medium", by=officer, expected_version=2)

    conflict = conflict_from(refused.value)

    assert [c.what for c in conflict.changes] == [
        f"Assigned to {colleague}",
        "Risk changed from Low to High",
    ]
    assert {c.who for c in conflict.changes} == {str(colleague)}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(st.tuples(st.sampled_from(["low", "medium", "high"]), st.booleans()), max_size=8)
)
def test_the_version_counts_the_changes_and_only_the_current_one_is_accepted(
    officer: User, steps: list[tuple[str, bool]]
) -> None:
    """Any run of risk changes, each from the current or a stale version: a change is applied
    exactly when its version is the case's, and the version counts the changes applied."""
    case = CaseFactory(risk_level=RiskLevel.MEDIUM)
    applied = 0
    for risk, stale in steps:
        case.refresh_from_db()
        current = case.version
        offered = current - 1 if stale else current
        try:
            case_set_risk(case=case, risk_level=risk, by=officer, expected_version=offered)
        except CaseChanged:
            assert stale
            continue
        except Exception as error:  # the same risk again: refused, nothing changes
            assert "already" in str(error)
            continue
        assert not stale
        applied += 1
    case.refresh_from_db()
    assert case.version == 1 + applied


def test_a_merge_moves_the_version_of_every_case_on_the_kept_record(
    officer: User, colleague: User
) -> None:
    target = ChildFactory(forenames="Millie", surname="Smith")
    source = ChildFactory(forenames="Millie", surname="Smith")
    kept_case = CaseFactory(child=target)
    moved_case = CaseFactory(
        child=source, status=Status.CLOSED, outcome="duplicate", closed_on=date(2025, 1, 1)
    )
    stale = kept_case.version

    child_merge(source=source, target=target, choices={}, by=officer)

    kept_case.refresh_from_db()
    moved_case.refresh_from_db()
    assert (kept_case.version, moved_case.version) == (2, 2)
    with pytest.raises(CaseChanged):
        case_set_risk(case=kept_case, risk_level="high", by=colleague, expected_version=stale)
