"""Recovery codes: ten single-use codes that stand in for the authenticator app."""

from datetime import timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from cmetrack.accounts.models import User
from cmetrack.accounts.services import recovery_codes_issue
from cmetrack.testing.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_on")]

VERIFY = "/account/two-factor/"


@pytest.fixture
def two_factor_on(settings: Settings) -> None:
    settings.CMETRACK_REQUIRE_2FA = True


@pytest.fixture
def enrolled() -> tuple[User, list[str]]:
    user = UserFactory()
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user, recovery_codes_issue(user=user)


def password_signed_in(user: User) -> Client:
    client = Client()
    client.post(
        reverse("accounts:sign-in"),
        {"username": user.username, "password": "a-long-test-password"},
    )
    return client


def test_ten_codes_of_eight_characters_each_never_all_digits(
    enrolled: tuple[User, list[str]],
) -> None:
    _, codes = enrolled
    assert len(set(codes)) == 10
    assert all(len(code) == 8 and not code.isdigit() for code in codes)


def test_a_recovery_code_signs_in_once_and_is_audited(enrolled: tuple[User, list[str]]) -> None:
    user, codes = enrolled
    client = password_signed_in(user)
    response = client.post(VERIFY, {"token": codes[0], "next": "/cases/"})
    assert response["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200
    entry = LogEntry.objects.get(additional_data__security_event="recovery code used")
    assert entry.actor == user
    assert entry.additional_data["remaining"] == 9
    assert codes[0] not in str(entry.additional_data)
    # The same code again, in a new session, after any throttle delay: refused.
    again = password_signed_in(user)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        refused = again.post(VERIFY, {"token": codes[0]})
    assert "That code is not right" in refused.content.decode()
    assert again.get("/cases/").status_code == 302


def test_the_user_is_told_how_many_codes_are_left(enrolled: tuple[User, list[str]]) -> None:
    user, codes = enrolled
    page = password_signed_in(user).post(VERIFY, {"token": codes[3]}, follow=True)
    assert "You have 9 left" in page.content.decode()


def test_the_last_code_says_to_ask_for_a_new_set_up_link(
    enrolled: tuple[User, list[str]],
) -> None:
    user, codes = enrolled
    StaticDevice.objects.get(user=user).token_set.exclude(token=codes[0]).delete()
    page = password_signed_in(user).post(VERIFY, {"token": codes[0]}, follow=True)
    assert "last recovery code" in page.content.decode()


def test_a_code_may_be_typed_with_spaces_a_hyphen_or_capitals(
    enrolled: tuple[User, list[str]],
) -> None:
    user, codes = enrolled
    typed = f" {codes[1][:4].upper()}-{codes[1][4:]} "
    response = password_signed_in(user).post(VERIFY, {"token": typed})
    assert response.status_code == 302


def test_mistyped_app_codes_do_not_hold_up_the_recovery_codes(
    enrolled: tuple[User, list[str]],
) -> None:
    # Each wrong code doubles the device's wait; were the recovery codes tried with every
    # authenticator code, ordinary typing mistakes would lock them away.
    user, codes = enrolled
    client = password_signed_in(user)
    for _ in range(6):
        client.post(VERIFY, {"token": "000000"})
    assert StaticDevice.objects.get(user=user).throttling_failure_count == 0
    assert client.post(VERIFY, {"token": codes[2]}).status_code == 302
