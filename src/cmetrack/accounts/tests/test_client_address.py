"""The client's address: X-Forwarded-For believed only from a trusted proxy, for sign-in
throttling, the public form's rate limit and the audit log alike."""

from typing import Any

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.core.cache import cache, caches
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django_ratelimit.core import is_ratelimited
from pytest_django import Settings

from cmetrack.accounts.checks import trusted_proxies_check
from cmetrack.accounts.client_address import client_ip, parse_address, ratelimit_ip
from cmetrack.accounts.models import User
from cmetrack.testing.factories import UserFactory

PROXY = "127.0.0.1"  # trusted by default (CMETRACK_TRUSTED_PROXIES)
OUTSIDER = "203.0.113.50"
CLIENT = "198.51.100.7"


def ip(remote: str | None, forwarded: str | None = None) -> str | None:
    meta: dict[str, Any] = {}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    if remote is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote
    return client_ip(request)


def test_a_direct_connection_is_its_own_address_whatever_header_it_sends() -> None:
    assert ip(OUTSIDER) == OUTSIDER
    assert ip(OUTSIDER, CLIENT) == OUTSIDER


def test_a_trusted_proxy_is_believed_about_its_client() -> None:
    assert ip(PROXY, CLIENT) == CLIENT
    assert ip("::1", CLIENT) == CLIENT
    assert ip(PROXY) == PROXY  # no header: the proxy itself (a local request)


def test_what_the_client_wrote_to_the_left_of_the_proxy_s_entry_is_ignored() -> None:
    # The client sent "X-Forwarded-For: 10.9.9.9"; the proxy appended the address it saw.
    assert ip(PROXY, f"10.9.9.9, {CLIENT}") == CLIENT


@override_settings(CMETRACK_TRUSTED_PROXIES=["127.0.0.1", "10.0.0.0/24"])
def test_a_chain_of_trusted_proxies_is_walked_from_the_right() -> None:
    assert ip(PROXY, f"6.6.6.6, {CLIENT}, 10.0.0.5") == CLIENT
    assert ip("10.0.0.9", CLIENT) == CLIENT


@override_settings(CMETRACK_TRUSTED_PROXIES=["192.0.2.10"])
def test_only_the_configured_proxies_are_trusted() -> None:
    assert ip(PROXY, CLIENT) == PROXY
    assert ip("192.0.2.10", CLIENT) == CLIENT


def test_a_garbled_header_is_not_believed_beyond_the_garble() -> None:
    assert ip(PROXY, "unknown") == PROXY
    assert ip(PROXY, f"{CLIENT}, not-an-address") == PROXY


def test_addresses_with_ports_and_mapped_ipv4_are_read() -> None:
    assert parse_address("198.51.100.7:4431") == parse_address(CLIENT)
    assert str(parse_address("[2001:db8::1]:443")) == "2001:db8::1"
    assert str(parse_address("::ffff:198.51.100.7")) == CLIENT
    assert parse_address("") is None


def test_a_request_without_an_address_has_none_and_rate_limits_share_one_key() -> None:
    assert ip(None) is None
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert ratelimit_ip(request) == "0.0.0.0"  # noqa: S104


def test_trusting_every_peer_is_refused_by_the_system_check(settings: Settings) -> None:
    settings.CMETRACK_TRUSTED_PROXIES = ["*", "127.0.0.1"]
    (warning,) = trusted_proxies_check(None)
    assert warning.id == "cmetrack.accounts.W001"
    assert ip(PROXY, CLIENT) == CLIENT  # the valid entry still works
    settings.CMETRACK_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8", "::1"]
    assert trusted_proxies_check(None) == []


# --- sign-in throttling -----------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_in_failures_are_counted_against_the_forwarded_client_from_a_trusted_proxy() -> None:
    Client().post(
        "/account/sign-in/",
        {"username": "jo", "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=CLIENT,
    )
    assert AccessAttempt.objects.get().ip_address == CLIENT


@pytest.mark.django_db
def test_sign_in_failures_ignore_a_forwarded_header_from_an_untrusted_peer() -> None:
    Client().post(
        "/account/sign-in/",
        {"username": "jo", "password": "wrong"},
        REMOTE_ADDR=OUTSIDER,
        HTTP_X_FORWARDED_FOR=CLIENT,
    )
    assert AccessAttempt.objects.get().ip_address == OUTSIDER


@pytest.mark.django_db
def test_a_busy_proxy_does_not_pause_everyone_behind_it() -> None:
    UserFactory(username="jo")
    for n in range(40):  # more failures than one address may have, from many clients
        Client().post(
            "/account/sign-in/",
            {"username": f"guess{n}", "password": "wrong"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}",
        )
    response = Client().post(
        "/account/sign-in/",
        {"username": "jo", "password": "a-long-test-password"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="192.0.2.77",
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_client_cannot_escape_the_address_pause_by_writing_its_own_header() -> None:
    for n in range(30):
        Client().post(
            "/account/sign-in/",
            {"username": f"guess{n}", "password": "wrong"},
            REMOTE_ADDR=OUTSIDER,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
    UserFactory(username="jo")
    response = Client().post(
        "/account/sign-in/",
        {"username": "jo", "password": "a-long-test-password"},
        REMOTE_ADDR=OUTSIDER,
        HTTP_X_FORWARDED_FOR="10.0.0.200",
    )
    assert response.status_code == 429


# --- the public form's rate limit -------------------------------------------------------------

PUBLIC = {
    "about_child": "A girl, about 9, called Amelia",
    "where": "Bootle",
    "why_worried": "Never at school",
}


@pytest.fixture
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def concern(**extra: Any) -> int:
    return Client().post(reverse("referrals:concern"), PUBLIC, **extra).status_code


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_limits")
@override_settings(CMETRACK_PUBLIC_CONCERN_RATE="2/h")
def test_the_public_form_limits_each_client_behind_the_proxy_not_the_proxy() -> None:
    behind = {"REMOTE_ADDR": PROXY}
    assert concern(**behind, HTTP_X_FORWARDED_FOR=CLIENT) == 302
    assert concern(**behind, HTTP_X_FORWARDED_FOR=CLIENT) == 302
    assert concern(**behind, HTTP_X_FORWARDED_FOR=CLIENT) == 429
    # Another member of the public through the same proxy is not blocked.
    assert concern(**behind, HTTP_X_FORWARDED_FOR="198.51.100.8") == 302


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_limits")
@override_settings(CMETRACK_PUBLIC_CONCERN_RATE="2/h")
def test_the_public_form_ignores_a_forwarded_header_from_an_untrusted_peer() -> None:
    for n in range(2):
        assert concern(REMOTE_ADDR=OUTSIDER, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}") == 302
    assert concern(REMOTE_ADDR=OUTSIDER, HTTP_X_FORWARDED_FOR="10.0.0.99") == 429


DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cmetrack_cache",
    }
}


@pytest.mark.django_db
def test_rate_limits_count_in_the_database_cache_the_migrations_made() -> None:
    # Production's cache (settings.base): shared by every process and kept over a restart.
    with override_settings(CACHES=DATABASE_CACHE):
        caches["default"].clear()
        request = RequestFactory().post("/", REMOTE_ADDR=CLIENT)
        for _ in range(2):
            assert not is_ratelimited(
                request, group="t", key="ip", rate="2/h", method="POST", increment=True
            )
        assert is_ratelimited(
            request, group="t", key="ip", rate="2/h", method="POST", increment=True
        )
        caches["default"].close()


@pytest.mark.django_db
def test_createcachetable_finds_the_table_already_made() -> None:
    with override_settings(CACHES=DATABASE_CACHE):
        call_command("createcachetable", verbosity=0)  # no error: the migration made it


# --- the audit log ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("remote", "recorded"), [(PROXY, CLIENT), (OUTSIDER, OUTSIDER)], ids=["trusted", "untrusted"]
)
def test_the_audit_log_records_the_client_address_by_the_same_rule(
    officer: User, remote: str, recorded: str
) -> None:
    client = Client()
    client.force_login(officer)
    new = "walnut ferry meadow candle"
    client.post(
        reverse("accounts:password-change"),
        {"old_password": "a-long-test-password", "new_password1": new, "new_password2": new},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=CLIENT,
    )
    entry = LogEntry.objects.get(additional_data__security_event="password changed")
    assert entry.remote_addr == recorded
