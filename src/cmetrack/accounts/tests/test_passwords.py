"""Changing a password (signed in, with the current one) and resetting it by email."""

import re
from typing import Any

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from cmetrack.accounts.models import User
from cmetrack.conftest import client_for
from cmetrack.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
NEW = "walnut ferry meadow candle"
CHANGE = "/account/password/change/"
RESET = "/account/password/reset/"


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def change(client: Client, current: str, new: str = NEW):
    return client.post(
        CHANGE, {"old_password": current, "new_password1": new, "new_password2": new}
    )


# --- change -----------------------------------------------------------------------------------


def test_changing_the_password_needs_the_current_one(officer: User) -> None:
    client = client_for(officer)
    refused = change(client, "not-my-password")
    assert refused.status_code == 200
    assert "Your current password is not right" in refused.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    done = change(client, PASSWORD)
    assert done["Location"] == reverse("accounts:password-change-done")
    officer.refresh_from_db()
    assert officer.check_password(NEW)
    entry = LogEntry.objects.get(additional_data__security_event="password changed")
    assert entry.actor == officer


def test_changing_the_password_keeps_this_session_and_ends_the_others(officer: User) -> None:
    here, elsewhere = client_for(officer), client_for(officer)
    change(here, PASSWORD)
    assert here.get(reverse("cases:dashboard")).status_code == 200
    assert elsewhere.get(reverse("cases:dashboard")).status_code == 302


def test_the_current_password_check_is_throttled_like_sign_in(officer: User) -> None:
    # A stolen session must not become a way to guess the password.
    client = client_for(officer)
    for _ in range(9):
        assert change(client, "a-wrong-guess").status_code == 200
    assert change(client, "a-wrong-guess").status_code == 429
    assert change(client, PASSWORD).status_code == 429
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    attempt = AccessAttempt.objects.get(username=officer.username)
    assert attempt.path_info == CHANGE
    assert "a-wrong-guess" not in attempt.post_data
    assert NEW not in attempt.post_data


def test_the_new_password_follows_the_rules(officer: User) -> None:
    response = change(client_for(officer), PASSWORD, "short")
    assert "at least 12 characters" in response.content.decode()


def test_the_change_page_needs_a_signed_in_user() -> None:
    response = Client().get(CHANGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


# --- reset ------------------------------------------------------------------------------------


def reset_page(email: str, **extra: Any) -> str:
    response = Client().post(RESET, {"email": email}, follow=True, **extra)
    assert response.status_code == 200
    return re.sub(
        r'nonce="[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode()
    )


def test_the_reset_page_says_the_same_for_an_address_with_no_account() -> None:
    UserFactory(email="jo@example.invalid")
    known = reset_page("jo@example.invalid", REMOTE_ADDR="198.51.100.1")
    unknown = reset_page("nobody@example.invalid", REMOTE_ADDR="198.51.100.2")
    assert known == unknown
    assert "Check your email" in known
    assert [m.to for m in mail.outbox] == [["jo@example.invalid"]]


def test_the_reset_email_carries_only_the_link() -> None:
    user = UserFactory(username="jo.bloggs", email="jo@example.invalid", first_name="Jolene")
    reset_page("jo@example.invalid")
    (email,) = mail.outbox
    links = re.findall(r"https?://\S+", str(email.body))
    assert len(links) == 1
    assert links[0].startswith("http://127.0.0.1:8000/account/password/reset/")
    for detail in (user.username, user.first_name, user.last_name, user.email):
        assert detail not in email.body
        assert detail not in email.subject


def test_the_reset_link_sets_a_new_password_once() -> None:
    user = UserFactory(email="jo@example.invalid")
    reset_page("jo@example.invalid")
    (url,) = re.findall(r"http://127.0.0.1:8000(\S+)", str(mail.outbox[0].body))
    client = Client()
    form = client.get(url, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}, follow=True
    )
    assert "Your password has been reset" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert LogEntry.objects.filter(
        additional_data__security_event="password reset with an emailed link"
    ).exists()
    again = Client().get(url, follow=True)
    assert "This link does not work" in again.content.decode()


def test_a_reset_lifts_a_sign_in_pause_so_the_new_password_works() -> None:
    user = UserFactory(email="jo@example.invalid")
    for _ in range(10):
        Client().post("/account/sign-in/", {"username": user.username, "password": "guess"})
    reset_page("jo@example.invalid")
    (url,) = re.findall(r"http://127.0.0.1:8000(\S+)", str(mail.outbox[0].body))
    client = Client()
    form = client.get(url, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    signed_in = Client().post("/account/sign-in/", {"username": user.username, "password": NEW})
    assert signed_in.status_code == 302


def test_the_reset_link_uses_the_configured_address_not_the_host_header() -> None:
    UserFactory(email="jo@example.invalid")
    with override_settings(ALLOWED_HOSTS=["*"]):
        Client().post(RESET, {"email": "jo@example.invalid"}, HTTP_HOST="evil.example")
    assert "evil.example" not in mail.outbox[0].body


def test_reset_requests_are_limited_per_address() -> None:
    for n in range(5):
        assert Client().post(RESET, {"email": f"a{n}@example.invalid"}).status_code == 302
    refused = Client().post(RESET, {"email": "b@example.invalid"})
    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()
    other = Client().post(RESET, {"email": "b@example.invalid"}, REMOTE_ADDR="10.1.1.1")
    assert other.status_code == 302


def test_reset_emails_to_one_address_stop_quietly_after_three_an_hour() -> None:
    UserFactory(email="jo@example.invalid")
    pages = {reset_page("jo@example.invalid", REMOTE_ADDR=f"10.0.0.{n}") for n in range(5)}
    assert len(pages) == 1
    assert len(mail.outbox) == 3
