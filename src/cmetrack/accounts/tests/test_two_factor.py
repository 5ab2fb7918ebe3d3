"""Two-factor sign-in: with the setting on, nobody reaches a page before the second factor."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from cmetrack.accounts.models import User
from cmetrack.testing.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_on")]


@pytest.fixture
def two_factor_on(settings: Settings) -> None:
    settings.CMETRACK_REQUIRE_2FA = True


def signed_in(user: User) -> Client:
    client = Client()
    response = client.post(
        reverse("accounts:sign-in"), {"username": user.username, "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    return client


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_user_without_a_device_is_sent_to_ask_for_a_set_up_link_before_any_page() -> None:
    user = UserFactory()
    client = signed_in(user)
    response = client.get(reverse("cases:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two-factor-setup"))
    page = client.get(response["Location"]).content.decode()
    assert "Ask your administrator for a set-up link" in page


def test_the_password_alone_never_shows_an_authenticator_secret() -> None:
    # Whoever reached a QR code first with a stolen password would own the second factor.
    user = UserFactory()
    client = signed_in(user)
    for _ in range(2):  # a reload neither
        page = client.get(reverse("accounts:two-factor-setup")).content.decode()
        assert "<svg" not in page
        assert "secret" not in page.lower()
        assert "otpauth" not in page
    post = client.post(reverse("accounts:two-factor-setup"), {"token": "123456"})
    assert post.status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert client.get(reverse("cases:dashboard")).status_code == 302


def test_a_new_session_asks_for_the_code_and_refuses_a_wrong_one() -> None:
    user = UserFactory()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = signed_in(user)
    response = client.get(reverse("cases:list"))
    assert response["Location"].startswith(reverse("accounts:two-factor-verify"))
    bad = client.post(reverse("accounts:two-factor-verify"), {"token": "123456", "next": "/cases/"})
    assert "That code is not right" in bad.content.decode()
    assert client.get(reverse("cases:list")).status_code == 302
    immediately = client.post(
        reverse("accounts:two-factor-verify"), {"token": current_code(device), "next": "/cases/"}
    )
    assert "too many tries" in immediately.content.decode()  # throttled after a wrong code
    with time_machine.travel(timezone.now() + timedelta(seconds=10)):
        good = client.post(
            reverse("accounts:two-factor-verify"),
            {"token": current_code(device), "next": "/cases/"},
        )
    assert good["Location"] == "/cases/"
    assert client.get(reverse("cases:list")).status_code == 200


def test_the_next_address_cannot_send_the_user_off_site() -> None:
    user = UserFactory()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = signed_in(user)
    response = client.post(
        reverse("accounts:two-factor-verify"),
        {"token": current_code(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("cases:dashboard")


def test_signing_out_works_before_the_second_factor() -> None:
    client = signed_in(UserFactory())
    assert client.post(reverse("accounts:sign-out")).status_code == 302


@override_settings(CMETRACK_REQUIRE_2FA=False)
def test_with_the_setting_off_the_password_alone_signs_in() -> None:
    client = signed_in(UserFactory())
    assert client.get(reverse("cases:dashboard")).status_code == 200


def test_partners_need_the_second_factor_too(school_user: User) -> None:
    client = signed_in(school_user)
    response = client.get(reverse("referrals:mine"))
    assert response["Location"].startswith(reverse("accounts:two-factor-setup"))


def test_a_page_with_a_query_string_survives_the_second_factor_intact() -> None:
    user = UserFactory()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = signed_in(user)
    response = client.get("/cases/?status=enquiries&page=2")
    assert "next=%2Fcases%2F%3Fstatus%3Denquiries%26page%3D2" in response["Location"]
    verify = client.get(response["Location"]).content.decode()
    assert 'value="/cases/?status=enquiries&amp;page=2"' in verify
    assert device.confirmed
