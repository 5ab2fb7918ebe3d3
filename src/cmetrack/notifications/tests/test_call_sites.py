"""The emails the service sends now go through the outbox: a mail outage neither fails the
work that sends them nor loses them, and a re-run of the daily job queues nothing twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from pytest_django import Settings

from cmetrack.accounts.models import User
from cmetrack.cases.models import MissingReason
from cmetrack.cases.services import case_flag_add
from cmetrack.children.models import VulnerabilityFlagType
from cmetrack.notifications.models import OutboundEmail
from cmetrack.notifications.services import emails_retry_due
from cmetrack.referrals.services import CmeReferralData, cme_referral_submit, deletion_return_submit
from cmetrack.referrals.services.escalation import arrival_escalations_notify_missing
from cmetrack.referrals.tests.helpers import CHILD, deletion_data
from cmetrack.testing.factories import CaseFactory, flag_type

from .backends import LOCMEM, REFUSING
from .helpers import START

pytestmark = pytest.mark.django_db

Status = OutboundEmail.Status
MASH = "mash@example.gov.uk"


@pytest.fixture
def mail_down(settings: Settings) -> None:
    settings.EMAIL_BACKEND = REFUSING


@pytest.mark.usefixtures("mail_down")
def test_an_acknowledgement_that_cannot_be_sent_is_kept_and_sent_when_mail_is_back(
    school_user: User, settings: Settings
) -> None:
    assert school_user.organisation and school_user.organisation.school
    with time_machine.travel(START, tick=False) as traveller:
        ret = deletion_return_submit(
            data=deletion_data(school_user.organisation.school), by=school_user
        )
        email = OutboundEmail.objects.get()
        assert email.kind == "acknowledgement" and email.reference == ret.reference
        assert email.status == Status.FAILED
        settings.EMAIL_BACKEND = LOCMEM
        traveller.shift(timedelta(minutes=5))
        assert emails_retry_due() == 1
    (message,) = mail.outbox
    assert message.to == [school_user.email] and ret.reference in message.subject


@override_settings(CMETRACK_MASH_EMAIL=MASH)
@pytest.mark.usefixtures("mail_down")
def test_a_mash_escalation_is_stamped_when_queued_and_the_daily_job_does_not_queue_it_again(
    agency_user: User,
) -> None:
    ref = cme_referral_submit(
        data=CmeReferralData(
            child=CHILD,
            referrer_name="Sam Nurse",
            primary_reason=MissingReason.objects.first(),
            flags=list(VulnerabilityFlagType.objects.filter(code="child-protection-plan")),
        ),
        by=agency_user,
    )
    ref.refresh_from_db()
    assert ref.mash_notified_at is not None  # queued: the outbox retries it
    email = OutboundEmail.objects.get(kind="mash-escalation")
    assert email.status == Status.FAILED and email.to == [MASH]
    assert email.reference == ref.reference
    assert arrival_escalations_notify_missing() == 0
    assert OutboundEmail.objects.filter(kind="mash-escalation").count() == 1


@override_settings(CMETRACK_MASH_EMAIL=MASH)
@pytest.mark.usefixtures("mail_down")
def test_a_case_escalation_is_raised_even_when_the_mail_server_is_down(officer: User) -> None:
    case = CaseFactory()
    case_flag_add(case=case, flag_type=flag_type("child-protection-plan"), by=officer)
    escalation = case.escalations.get()
    assert escalation.notified_at is not None
    email = OutboundEmail.objects.get(kind="mash-escalation")
    assert email.reference == case.reference and email.status == Status.FAILED
