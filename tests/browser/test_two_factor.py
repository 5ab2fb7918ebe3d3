"""Two-factor sign-in in the browser: enrol through a set-up link, then reach the dashboard."""

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from cmetrack.accounts.models import User
from cmetrack.testing.factories import UserFactory

from .conftest import PASSWORD, screenshot


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_officer_sets_up_sign_in_with_a_link_and_reaches_the_dashboard(
    live_server: LiveServer, page: Page, settings: Settings
) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cmetrack.accounts.services import enrolment_invite_issue

    settings.CMETRACK_REQUIRE_2FA = True
    admin = UserFactory(role=User.Role.ADMIN)
    user = UserFactory(username="twofa", role=User.Role.CME_OFFICER)
    _, token = enrolment_invite_issue(user=user, by=admin)

    page.goto(f"{live_server.url}/account/set-up/{token}/")
    expect(page.get_by_role("heading", name="Choose a password")).to_be_visible()
    expect(page).not_to_have_url(re.compile(re.escape(token)))  # the token leaves the address
    page.get_by_label("New password", exact=True).fill("plum kettle harbour lantern")
    page.get_by_label("Enter the new password again").fill("plum kettle harbour lantern")
    page.get_by_role("button", name="Save password").click()

    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator(".cmt-qr svg")).to_be_visible()
    screenshot(page, "two-factor-setup")
    device = TOTPDevice.objects.get(user=user)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    expect(page.locator(".cmt-recovery-codes li")).to_have_count(10)
    screenshot(page, "recovery-codes")
    page.get_by_role("link", name="I have saved my codes: continue").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_password_alone_is_told_to_ask_for_a_set_up_link(
    live_server: LiveServer, page: Page, settings: Settings
) -> None:
    settings.CMETRACK_REQUIRE_2FA = True
    UserFactory(username="nodevice", role=User.Role.CME_OFFICER)
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill("nodevice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(
        page.get_by_role("heading", name="Ask your administrator for a set-up link")
    ).to_be_visible()
    expect(page.locator(".cmt-qr")).to_have_count(0)
