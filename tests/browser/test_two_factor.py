"""Two-factor sign-in in the browser: enrol with the QR page, then reach the dashboard."""

import pytest
from playwright.sync_api import Page, expect
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from cmetrack.accounts.models import User
from cmetrack.testing.factories import UserFactory

from .conftest import screenshot


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_officer_sets_up_two_factor_sign_in_and_reaches_the_dashboard(
    live_server: LiveServer, page: Page, settings: Settings
) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.CMETRACK_REQUIRE_2FA = True
    user = UserFactory(username="twofa", role=User.Role.CME_OFFICER)
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill("twofa")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator(".cmt-qr svg")).to_be_visible()
    screenshot(page, "two-factor-setup")
    device = TOTPDevice.objects.get(user=user)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
