"""The CME team sees an escalated arrival at the top of the incoming queue, with its risk and
flags, and the triage page's safeguarding banner; a late (h) notice shows its flags."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cmetrack.accounts.models import Organisation, User
from cmetrack.cases.models import MissingReason, RiskLevel
from cmetrack.children.models import VulnerabilityFlagType
from cmetrack.referrals.models import Submission
from cmetrack.referrals.services import (
    ChildParticulars,
    CmeReferralData,
    DeletionData,
    cme_referral_submit,
    deletion_return_submit,
    submission_apply_route,
)
from cmetrack.schooldays.services import term_dates_load_bundled
from cmetrack.testing.factories import OrganisationFactory, SchoolFactory, UserFactory

from .conftest import screenshot, sign_in


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_escalated_arrival_leads_the_queue_and_its_triage_page_says_so(
    live_server: LiveServer, page: Page
) -> None:
    term_dates_load_bundled()
    school = SchoolFactory(name="Netherton Park Primary School")
    school_org = OrganisationFactory(kind=Organisation.Kind.SCHOOL, name=school.name, school=school)
    school_user = UserFactory(role=User.Role.SCHOOL_USER, organisation=school_org)
    agency = OrganisationFactory(kind=Organisation.Kind.AGENCY, name="Sefton health visiting")
    nurse = UserFactory(role=User.Role.AGENCY_USER, organisation=agency)
    UserFactory(username="officer", role=User.Role.CME_OFFICER)
    reason = MissingReason.objects.get(code="whereabouts-unknown")
    # An older, ordinary return and a late ground (h) notice first ...
    deletion_return_submit(
        data=DeletionData(
            child=ChildParticulars("Leo", "Example", date(2016, 2, 3), "M", "", "4 Quay St"),
            school=school,
            ground="h",
            deletion_date=timezone.localdate() - timedelta(days=6),
            emergency_phone="",
            parent_names="Kim Example",
        ),
        by=school_user,
    )
    # ... then a referral carrying a child protection plan.
    urgent = cme_referral_submit(
        data=CmeReferralData(
            child=ChildParticulars("Ava", "Sample", date(2014, 9, 9), "F"),
            referrer_name="Sam Nurse",
            primary_reason=reason,
            flags=list(VulnerabilityFlagType.objects.filter(code="child-protection-plan")),
            risk_level=RiskLevel.HIGH,
        ),
        by=nurse,
    )
    Submission.objects.exclude(pk=urgent.pk).update(received_at=timezone.now() - timedelta(days=2))

    sign_in(page, live_server.url, "officer", "/intake/incoming/")
    first_row = page.locator("tbody tr").first
    expect(first_row).to_contain_text(urgent.reference)
    expect(first_row).to_contain_text("Escalated")
    expect(first_row).to_contain_text("Child protection plan")
    expect(page.locator("tbody tr").nth(1)).to_contain_text("Late by")
    screenshot(page, "intake-queue-escalated-arrival")

    page.get_by_role("link", name=urgent.reference).click()
    expect(page.get_by_role("alert")).to_contain_text("Child protection plan")
    screenshot(page, "intake-triage-escalated-arrival")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_return_naming_a_new_school_awaits_its_confirmation(
    live_server: LiveServer, page: Page
) -> None:
    term_dates_load_bundled()
    school = SchoolFactory(name="Netherton Park Primary School")
    new_school = SchoolFactory(name="Hillside High School")
    school_org = OrganisationFactory(kind=Organisation.Kind.SCHOOL, name=school.name, school=school)
    school_user = UserFactory(role=User.Role.SCHOOL_USER, organisation=school_org)
    officer = UserFactory(username="officer", role=User.Role.CME_OFFICER)
    moved = deletion_return_submit(
        data=DeletionData(
            child=ChildParticulars("Mia", "Example", date(2013, 6, 1), "F", "", "2 Mill Lane"),
            school=school,
            ground="g",
            deletion_date=timezone.localdate() + timedelta(days=1),
            emergency_phone="07700 900123",
            parent_names="Kim Example",
            new_school=new_school,
            new_school_start=timezone.localdate() + timedelta(days=3),
        ),
        by=school_user,
    )
    submission_apply_route(submission=moved, by=officer)

    sign_in(page, live_server.url, "officer", f"/intake/incoming/{moved.public_id}/")
    expect(page.get_by_text("Awaiting confirmation", exact=False).first).to_be_visible()
    screenshot(page, "intake-destination-awaiting-confirmation")
