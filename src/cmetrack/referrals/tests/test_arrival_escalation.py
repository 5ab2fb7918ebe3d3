"""Escalation on arrival (issue 9, item 4): a referral carrying a child protection plan,
looked-after status or high risk goes to MASH at once and leads the incoming queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from cmetrack.accounts.models import User
from cmetrack.cases.models import Escalation, MissingReason, RiskLevel
from cmetrack.children.models import VulnerabilityFlagType
from cmetrack.conftest import client_for
from cmetrack.referrals.models import CmeReferral, Submission
from cmetrack.referrals.selectors import incoming_queue
from cmetrack.referrals.services import CmeReferralData, cme_referral_submit
from cmetrack.testing.factories import CaseFactory

from .helpers import CHILD

pytestmark = pytest.mark.django_db

MASH = "mash@example.gov.uk"


def _refer(by: User, *, flags: tuple[str, ...] = (), risk: str = RiskLevel.MEDIUM) -> CmeReferral:
    return cme_referral_submit(
        data=CmeReferralData(
            child=CHILD,
            referrer_name="Sam Nurse",
            primary_reason=MissingReason.objects.first(),
            flags=list(VulnerabilityFlagType.objects.filter(code__in=flags)),
            risk_level=risk,
        ),
        by=by,
    )


@override_settings(CMETRACK_MASH_EMAIL=MASH)
def test_a_referral_with_a_child_protection_plan_is_escalated_and_mash_told_at_once(
    agency_user: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ref = _refer(agency_user, flags=("child-protection-plan",))
    ref.refresh_from_db()
    assert ref.escalated_at is not None and ref.mash_notified_at is not None
    assert ref.urgent_reasons == ["Child protection plan"]
    (email,) = [m for m in mail.outbox if MASH in m.to]
    assert ref.reference in email.body and "Child protection plan" in email.body
    assert CHILD.surname not in email.body and CHILD.forenames not in email.body


def test_high_risk_without_a_flag_is_escalated_too(agency_user: User) -> None:
    ref = _refer(agency_user, risk=RiskLevel.HIGH)
    ref.refresh_from_db()
    assert ref.urgent_reasons == ["Assessed as high risk"] and ref.queue_priority == 0


def test_the_queue_puts_escalated_arrivals_first_then_high_medium_low_then_oldest(
    agency_user: User, officer: User
) -> None:
    low = _refer(agency_user, risk=RiskLevel.LOW)
    medium_old = _refer(agency_user)
    medium_new = _refer(agency_user)
    Submission.objects.filter(pk=medium_old.pk).update(
        received_at=timezone.now() - timedelta(days=3)
    )
    escalated = _refer(agency_user, flags=("looked-after",))
    order = [item.submission.pk for item in incoming_queue(user=officer)]
    assert order == [escalated.pk, medium_old.pk, medium_new.pk, low.pk]


def test_the_queue_page_shows_the_escalation_risk_and_flags(
    agency_user: User, officer: User
) -> None:
    _refer(agency_user, flags=("looked-after",))
    html = client_for(officer).get(reverse("referrals:incoming")).content.decode()
    assert "Escalated" in html and "Looked after" in html and "Risk: medium" in html


def test_an_escalated_arrival_for_a_child_with_an_open_case_raises_the_cases_banner(
    agency_user: User,
) -> None:
    case = CaseFactory(child__upn=CHILD.upn)
    _refer(agency_user, flags=("child-protection-plan",))
    assert Escalation.objects.filter(case=case, trigger_code="child-protection-plan").exists()


def test_the_daily_tick_tells_mash_about_an_escalation_it_could_not_send(
    agency_user: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ref = _refer(agency_user, flags=("child-protection-plan",))  # no MASH address yet
    ref.refresh_from_db()
    assert ref.mash_notified_at is None
    with override_settings(CMETRACK_MASH_EMAIL=MASH):
        call_command("tick")
        call_command("tick")  # safe to re-run: told once
    assert len([m for m in mail.outbox if MASH in m.to]) == 1
