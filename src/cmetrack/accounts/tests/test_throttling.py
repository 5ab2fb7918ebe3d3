"""Sign-in throttling (django-axes): every password door pauses after too many failures."""

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from cmetrack.accounts.models import User
from cmetrack.conftest import client_for
from cmetrack.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
SIGN_IN = "/account/sign-in/"


WRONG = "wrong-password"


def attempt(username: str, password: str = WRONG, **extra: Any):
    return Client().post(SIGN_IN, {"username": username, "password": password}, **extra)


def signed_in(response) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


def test_ten_wrong_passwords_pause_the_account_and_the_eleventh_fails_even_when_right() -> None:
    UserFactory(username="manager")
    for _ in range(9):
        assert attempt("manager").status_code == 200  # the form again, with its error
    tenth = attempt("manager")
    assert tenth.status_code == 429
    assert "Too many attempts to sign in" in tenth.content.decode()
    eleventh = attempt("manager", PASSWORD)
    assert eleventh.status_code == 429
    assert not signed_in(eleventh)


def test_an_account_is_paused_whatever_address_the_guesses_come_from() -> None:
    UserFactory(username="jo")
    for n in range(10):
        attempt("jo", REMOTE_ADDR=f"198.51.100.{n + 1}")
    assert attempt("jo", PASSWORD, REMOTE_ADDR="198.51.100.200").status_code == 429


def test_an_address_trying_many_accounts_is_paused_for_every_account() -> None:
    UserFactory(username="jo")
    # Two guesses each at fifteen accounts: no account reaches its own limit of ten, but the
    # address reaches its thirty.
    for n in range(15):
        for _ in range(2):
            attempt(f"guess{n}", REMOTE_ADDR="203.0.113.9")
    refused = attempt("jo", PASSWORD, REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429
    # Another address is not paused, and the account itself is not either.
    assert signed_in(attempt("jo", PASSWORD, REMOTE_ADDR="203.0.113.10"))


def test_an_office_sharing_an_address_is_not_paused_by_a_few_mistakes() -> None:
    for n in range(5):
        UserFactory(username=f"officer{n}")
        for _ in range(3):
            attempt(f"officer{n}", REMOTE_ADDR="192.0.2.1")
    assert signed_in(attempt("officer0", PASSWORD, REMOTE_ADDR="192.0.2.1"))


def test_the_pause_ends_after_thirty_minutes() -> None:
    UserFactory(username="jo")
    for _ in range(10):
        attempt("jo")
    assert attempt("jo", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=29)):
        assert attempt("jo", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert signed_in(attempt("jo", PASSWORD))


def test_tries_during_the_pause_do_not_make_it_longer() -> None:
    UserFactory(username="jo")
    for _ in range(10):
        attempt("jo")
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        attempt("jo")
        attempt("jo", PASSWORD)
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert signed_in(attempt("jo", PASSWORD))


def test_the_limits_come_from_the_settings(settings: Settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="jo")
    for _ in range(3):
        attempt("jo")
    assert attempt("jo", PASSWORD).status_code == 429


def test_the_paused_page_is_the_same_for_an_account_that_does_not_exist() -> None:
    UserFactory(username="jo")
    for _ in range(10):
        attempt("jo", REMOTE_ADDR="198.51.100.1")
        attempt("nobody", REMOTE_ADDR="198.51.100.2")
    real = attempt("jo", REMOTE_ADDR="198.51.100.1")
    unknown = attempt("nobody", REMOTE_ADDR="198.51.100.2")
    assert real.status_code == unknown.status_code == 429

    def page(response) -> str:
        return re.sub(r'nonce="[^"]+"', "", response.content.decode())

    assert page(real) == page(unknown)
    assert "30 minutes" in page(real)
    assert "administrator" in page(real)
    assert "jo" not in page(real).split("<main", 1)[1]


def test_failures_and_the_pause_are_recorded_without_the_password() -> None:
    UserFactory(username="jo")
    for _ in range(10):
        attempt("jo", "my-secret-guess")
    record = AccessAttempt.objects.get(username="jo")
    assert record.failures_since_start == 10
    assert record.path_info == SIGN_IN
    assert "my-secret-guess" not in record.post_data
    failures = AccessFailureLog.objects.filter(username="jo")
    assert failures.count() == 10
    assert failures.filter(locked_out=True).exists()


def test_an_administrator_lifts_a_pause_in_django_admin(admin_user: User) -> None:
    UserFactory(username="jo")
    for _ in range(10):
        attempt("jo")
    admin = client_for(admin_user)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert "jo" in admin.get(changelist).content.decode()
    ids = list(AccessAttempt.objects.filter(username="jo").values_list("pk", flat=True))
    response = admin.post(
        changelist, {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert response.status_code == 302
    assert signed_in(attempt("jo", PASSWORD))


def test_the_reset_username_command_lifts_a_pause() -> None:
    UserFactory(username="jo")
    for _ in range(10):
        attempt("jo")
    call_command("axes_reset_username", "jo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert signed_in(attempt("jo", PASSWORD))


def test_only_administrators_see_the_sign_in_records(manager: User, officer: User) -> None:
    changelist = reverse("admin:axes_accessattempt_changelist")
    for user in (manager, officer):
        response = client_for(user).get(changelist)
        assert response.status_code in (302, 403)
        assert "Access attempts" not in response.content.decode()


# --- the admin site's sign-in -----------------------------------------------------------------


def test_admin_sign_in_sends_people_to_the_throttled_sign_in_page() -> None:
    response = Client().get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/?next=%2Fadmin%2Faccounts%2Fuser%2F"
    # Admin itself, signed out, ends at the sign-in page too (through admin's login address).
    final = Client().get("/admin/", follow=True)
    assert final.redirect_chain[-1][0].startswith("/account/sign-in/")


def test_posting_a_password_to_admin_sign_in_signs_nobody_in(admin_user: User) -> None:
    client = Client()
    response = client.post("/admin/login/", {"username": admin_user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert not response.wsgi_request.user.is_authenticated
    assert client.get("/admin/").status_code == 302


def test_an_administrator_reaches_admin_through_the_sign_in_page(admin_user: User) -> None:
    client = Client()
    response = client.post(
        f"{SIGN_IN}?next=/admin/",
        {"username": admin_user.username, "password": PASSWORD, "next": "/admin/"},
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_paused_administrator_cannot_reach_admin_either(admin_user: User) -> None:
    for _ in range(10):
        attempt(admin_user.username)
    response = attempt(admin_user.username, PASSWORD)
    assert response.status_code == 429


def test_a_signed_in_non_administrator_is_refused_admin_without_a_redirect_loop(
    manager: User,
) -> None:
    response = client_for(manager).get("/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) <= 2
