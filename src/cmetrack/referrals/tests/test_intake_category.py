"""Item 11 of issue 9: not every notice is a CME case. A pupil still on a roll opens as at
risk of missing education; a child outside compulsory school age is not CME at all."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case, MissingReason
from cmetrack.referrals.models import TriageState
from cmetrack.referrals.services import (
    CmeReferralData,
    IntakeError,
    cme_referral_submit,
    submission_apply_route,
    submission_no_action,
)

from .helpers import CHILD

pytestmark = pytest.mark.django_db


def _refer(by: User, **overrides: object) -> CmeReferralData:
    data = CmeReferralData(
        child=CHILD, referrer_name="Sam Teacher", primary_reason=MissingReason.objects.first()
    )
    return replace(data, **overrides)  # type: ignore[arg-type]


def test_a_pupil_still_on_roll_opens_as_at_risk_of_missing_education(
    school_user: User, officer: User
) -> None:
    ref = cme_referral_submit(data=_refer(school_user, still_on_roll=True), by=school_user)
    submission_apply_route(submission=ref, by=officer)
    assert Case.objects.get().category == "at_risk"


def test_a_child_off_roll_opens_as_cme(school_user: User, officer: User) -> None:
    ref = cme_referral_submit(data=_refer(school_user), by=school_user)
    submission_apply_route(submission=ref, by=officer)
    assert Case.objects.get().category == "cme"


def test_a_child_over_compulsory_school_age_is_not_opened_as_cme_and_the_notice_stays(
    agency_user: User, officer: User
) -> None:
    adult = replace(CHILD, date_of_birth=date(2007, 1, 15), upn="")
    ref = cme_referral_submit(data=_refer(agency_user, child=adult), by=agency_user)
    with pytest.raises(IntakeError, match="not of compulsory school age"):
        submission_apply_route(submission=ref, by=officer)
    assert not Case.objects.exists()
    submission_no_action(submission=ref, reason="Over compulsory school age", by=officer)
    ref.refresh_from_db()
    assert ref.triage_state == TriageState.NO_ACTION
