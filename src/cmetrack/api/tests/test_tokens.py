"""Tokens: only a hash kept, shown once, scoped, expiring, revocable; every refusal says the
same thing, so a caller learns nothing about which tokens exist."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.api.models import ApiToken, Scope
from cmetrack.api.token_lookup import token_with_account
from cmetrack.api.tokens import TokenRefused, api_token_issue, api_token_revoke, token_hash

from .conftest import ApiClient

pytestmark = pytest.mark.django_db

SUBMISSIONS = "/api/v1/submissions/"


def test_only_the_hash_is_kept_and_the_token_works(school_user: User, admin_user: User) -> None:
    token, plain = api_token_issue(
        user=school_user, name="SIMS", scopes=[Scope.READ], days=30, by=admin_user
    )

    assert plain.startswith("cmt_") and len(plain) > 40
    assert token.key_hash == token_hash(plain) and plain not in str(ApiToken.objects.values())
    assert ApiClient(plain).get(SUBMISSIONS).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["", "Bearer cmt_not-a-real-token-at-all", "Token cmt_x", "Bearer", "Basic YTpi"],
    ids=["none", "unknown", "wrong-scheme", "empty", "basic"],
)
def test_a_call_without_a_valid_token_is_401_with_the_error_body(header: str) -> None:
    from django.test import Client

    headers = {"Authorization": header} if header else {}
    response = Client(HTTP_HOST="127.0.0.1").get(SUBMISSIONS, headers=headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert list(body) == ["errors"] and body["errors"][0]["field"] is None


def test_an_expired_a_revoked_and_a_deactivated_users_token_are_refused_alike(
    school_user: User, admin_user: User
) -> None:
    _, expired_plain = api_token_issue(
        user=school_user, name="a", scopes=[Scope.READ], days=1, by=admin_user
    )
    revoked, revoked_plain = api_token_issue(
        user=school_user, name="b", scopes=[Scope.READ], days=30, by=admin_user
    )
    api_token_revoke(token=revoked, by=admin_user)

    with time_machine.travel(timezone.now() + timedelta(days=2)):
        answers = [ApiClient(p).get(SUBMISSIONS) for p in (expired_plain, revoked_plain)]
    assert [a.status_code for a in answers] == [401, 401]
    assert answers[0].json() == answers[1].json()

    _, live = api_token_issue(
        user=school_user, name="c", scopes=[Scope.READ], days=30, by=admin_user
    )
    school_user.is_active = False
    school_user.save()
    assert ApiClient(live).get(SUBMISSIONS).status_code == 401


def test_a_token_without_the_scope_is_403(
    school_user: User, api_for: Callable[..., ApiClient]
) -> None:
    reader = api_for(school_user, [Scope.READ])

    response = reader.post("/api/v1/deletion-returns/", {})

    assert response.status_code == 403
    assert "scope" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"scopes": []}, "scopes"),
        ({"scopes": ["everything"]}, "scopes"),
        ({"days": 0}, "1 to 366 days"),
        ({"days": 400}, "1 to 366 days"),
        ({"name": "  "}, "Name the token"),
    ],
)
def test_a_bad_token_request_is_refused(
    school_user: User, admin_user: User, changes: dict[str, object], message: str
) -> None:
    options: dict[str, object] = {"name": "SIMS", "scopes": [Scope.READ], "days": 30, **changes}
    with pytest.raises(TokenRefused, match=message):
        api_token_issue(user=school_user, by=admin_user, **options)  # type: ignore[arg-type]
    assert not ApiToken.objects.exists()


def test_only_an_administrator_issues_or_revokes(
    school_user: User, manager: User, admin_user: User
) -> None:
    with pytest.raises(TokenRefused):
        api_token_issue(user=school_user, name="x", scopes=[Scope.READ], days=5, by=manager)
    token, _ = api_token_issue(
        user=school_user, name="x", scopes=[Scope.READ], days=5, by=admin_user
    )
    with pytest.raises(TokenRefused):
        api_token_revoke(token=token, by=manager)


def test_the_command_issues_lists_and_revokes(school_user: User, admin_user: User) -> None:
    out = StringIO()
    call_command(
        "api_token", "issue", "--user", school_user.username, "--name", "Litherland SIMS",
        "--scope", "submit", "--scope", "read", "--days", "30", "--by", admin_user.username,
        stdout=out,
    )  # fmt: skip
    plain = out.getvalue().strip().splitlines()[-1]
    assert ApiClient(plain).get(SUBMISSIONS).status_code == 200

    listing = StringIO()
    call_command("api_token", "list", stdout=listing)
    assert "Litherland SIMS" in listing.getvalue() and plain not in listing.getvalue()

    call_command("api_token", "revoke", plain[:12], "--by", admin_user.username, stdout=StringIO())
    assert ApiClient(plain).get(SUBMISSIONS).status_code == 401
    with pytest.raises(CommandError, match="exactly one token"):
        call_command("api_token", "revoke", "cmt_", "--by", admin_user.username)


# --- the token's one query (api/token_lookup.py) -------------------------------------------------


def test_the_token_lookup_loads_what_the_orm_would_in_one_query(
    school_user: User, admin_user: User, django_assert_num_queries: Any
) -> None:
    _, plain = api_token_issue(
        user=school_user, name="MIS", scopes=["submit", "read"], days=30, by=admin_user
    )
    expected = ApiToken.objects.select_related("user__organisation__school").get(
        key_hash=token_hash(plain)
    )

    with django_assert_num_queries(1):
        found = token_with_account(token_hash(plain))
        assert found is not None
        school = found.user.organisation.school  # type: ignore[union-attr]

    def values(obj: Any) -> dict[str, Any]:
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    assert values(found) == values(expected)
    assert values(found.user) == values(expected.user)
    assert values(found.user.organisation) == values(expected.user.organisation)
    assert values(school) == values(expected.user.organisation.school)  # type: ignore[union-attr]
    assert found.scopes == ["read", "submit"] and found._state.adding is False
    assert token_with_account(token_hash(plain + "x")) is None


def test_the_token_lookup_of_an_account_without_a_school(
    agency_user: User, admin_user: User, django_assert_num_queries: Any
) -> None:
    _, plain = api_token_issue(user=agency_user, name="x", scopes=["read"], days=1, by=admin_user)

    with django_assert_num_queries(1):
        found = token_with_account(token_hash(plain))
        assert found is not None and found.user.organisation is not None
        assert found.user.organisation.school is None
    assert found.user == agency_user
