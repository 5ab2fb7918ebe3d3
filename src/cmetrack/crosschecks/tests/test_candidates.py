"""What an officer does with a candidate: dismiss with a reason (remembered by the next run of
the same check), reopen, or refer in one step (once, even if two press at once)."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from cmetrack.accounts.models import User
from cmetrack.cases.models import ReferralSource
from cmetrack.crosschecks.kinds import CheckKind
from cmetrack.crosschecks.models import (
    CandidateState,
    CrossCheckCandidate,
    CrossCheckDismissal,
    CrossCheckRun,
)
from cmetrack.crosschecks.services import (
    CheckRequest,
    CrossCheckRefused,
    candidate_dismiss,
    candidate_refer,
    candidate_reopen,
    crosscheck_rerun,
    crosscheck_start,
)
from cmetrack.referrals.models import CmeReferral
from cmetrack.testing.cohorts import SUMMER, authority

from .helpers import load_cohort, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(officer: User) -> CrossCheckRun:
    cohort = authority(seed=3)
    load_cohort(cohort, officer)
    started = crosscheck_start(
        request=CheckRequest(kind=CheckKind.TRANSITION, check_on=today(), leavers_on=SUMMER),
        by=officer,
    )
    started.refresh_from_db()
    assert started.candidates.count() >= 2
    return started


def _first(run: CrossCheckRun) -> CrossCheckCandidate:
    return run.candidates.filter(state=CandidateState.OPEN).order_by("pk").first()  # type: ignore[return-value]


def test_a_dismissal_is_remembered_by_the_next_run_and_reopening_forgets_it(
    run: CrossCheckRun, officer: User
) -> None:
    candidate = _first(run)
    candidate_dismiss(candidate=candidate, reason="Moved to Leeds: Leeds CME confirmed", by=officer)
    again = crosscheck_rerun(run=run, by=officer)
    again.refresh_from_db()
    remembered = again.candidates.get(identity=candidate.identity)
    assert remembered.state == CandidateState.DISMISSED_BEFORE
    assert remembered.dismissed_reason == "Moved to Leeds: Leeds CME confirmed"
    assert again.summary["dismissed_before"] == 1
    assert again.summary["candidates"] == run.summary["candidates"] - 1
    candidate_reopen(candidate=remembered, by=officer)
    assert not CrossCheckDismissal.objects.exists()
    third = crosscheck_rerun(run=again, by=officer)
    third.refresh_from_db()
    assert third.candidates.get(identity=candidate.identity).state == CandidateState.OPEN


def test_a_dismissal_needs_a_reason_and_happens_once(run: CrossCheckRun, officer: User) -> None:
    candidate = _first(run)
    with pytest.raises(CrossCheckRefused, match="Say why"):
        candidate_dismiss(candidate=candidate, reason="  ", by=officer)
    candidate_dismiss(candidate=candidate, reason="Known", by=officer)
    with pytest.raises(CrossCheckRefused, match="dismissed already"):
        candidate_dismiss(candidate=candidate, reason="Again", by=officer)


def test_referring_makes_one_prefilled_referral_found_by_cross_check(
    run: CrossCheckRun, officer: User
) -> None:
    candidate = _first(run)
    referral = candidate_refer(candidate=candidate, by=officer)
    assert isinstance(referral, CmeReferral)
    assert referral.referral_source == ReferralSource.DATA_CHECK
    assert referral.primary_reason.code == "key-stage-transition"
    assert (referral.forenames, referral.surname, referral.date_of_birth) == (
        candidate.forenames,
        candidate.surname,
        candidate.date_of_birth,
    )
    assert referral.school == candidate.last_school and referral.school is not None
    action = referral.actions.get()
    assert "key-stage transition cross-check" in action.action
    candidate.refresh_from_db()
    assert candidate.state == CandidateState.REFERRED and candidate.referral_id == referral.pk
    with pytest.raises(CrossCheckRefused, match="referred already"):
        candidate_refer(candidate=candidate, by=officer)
    assert CmeReferral.objects.count() == 1


def test_every_run_dismissal_and_referral_is_audited(run: CrossCheckRun, officer: User) -> None:
    candidate = _first(run)
    candidate_dismiss(candidate=candidate, reason="Known", by=officer)
    entries = LogEntry.objects.get_for_object(candidate)
    assert entries.filter(actor=officer, action=LogEntry.Action.UPDATE).exists()
    assert LogEntry.objects.get_for_object(run).filter(actor=officer).exists()


def test_only_the_cme_team_can_run_dismiss_or_refer(
    run: CrossCheckRun, school_user: User, agency_user: User
) -> None:
    candidate = _first(run)
    for user in (school_user, agency_user):
        with pytest.raises(CrossCheckRefused):
            crosscheck_start(
                request=CheckRequest(kind=CheckKind.REPEATED_MOVES, check_on=today()), by=user
            )
        with pytest.raises(CrossCheckRefused):
            candidate_dismiss(candidate=candidate, reason="x", by=user)
        with pytest.raises(CrossCheckRefused):
            candidate_refer(candidate=candidate, by=user)
