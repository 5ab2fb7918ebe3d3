"""`cmetrack add-admin`, and `cmetrack createsuperuser` making an administrator of the team."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from cmetrack.accounts.models import EnrolmentInvite, Organisation, User
from cmetrack.accounts.tests.test_set_up_link import NEW_PASSWORD, choose_password, enrol
from cmetrack.referrals.tests.test_imports import csv_bytes, csv_row
from cmetrack.testing.factories import OrganisationFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("add_admin", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        assert isinstance(exit_.code, int)
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def token_in(output: str) -> str:
    (token,) = re.findall(r"/account/set-up/([^/\s]+)/", output)
    return token


@pytest.fixture
def team(db: None) -> Organisation:
    return OrganisationFactory(
        kind=Organisation.Kind.LA_TEAM, name="Sefton Council CME team", la_code="343"
    )


def test_add_admin_makes_an_administrator_of_the_team_and_prints_a_working_set_up_link(
    team: Organisation, settings: Settings
) -> None:
    settings.CMETRACK_REQUIRE_2FA = True
    code, out, err = run("--username", "jo.admin", "--email", "Jo@Sefton.example")

    assert (code, err) == (0, "")
    user = User.objects.get(username="jo.admin")
    assert (user.role, user.organisation, user.email) == (
        User.Role.ADMIN,
        team,
        "jo@sefton.example",
    )
    assert user.is_staff and not user.has_usable_password()
    assert "shown only this once" in out
    client = Client()
    choose_password(client, token_in(out))
    enrol(client, user)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:users")).status_code == 200
    # The user's own entries: other records with the same primary key have theirs too.
    entries = LogEntry.objects.get_for_object(user).order_by("pk")
    first, second = entries[0], entries[1]
    assert first.additional_data["security_event"] == "set-up link issued"
    assert first.additional_data["via"] == "cmetrack add-admin" and first.actor is None
    assert second.additional_data["security_event"] == "administrator created"


def test_add_admin_before_init_authority_says_what_to_run_and_makes_nothing(db: None) -> None:
    code, _, err = run("--username", "jo.admin", "--email", "jo@sefton.example")
    assert code == 1
    assert "run cmetrack init-authority first" in err
    assert not User.objects.exists() and not EnrolmentInvite.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--username", "taken", "--email", "new@sefton.example"], "username"),
        (["--username", "new", "--email", "taken@sefton.example"], "already uses this email"),
        (["--username", "new", "--email", "not an address"], "email"),
        (["--username", "new"], "Give their email address"),
    ],
)
def test_add_admin_refuses_bad_or_taken_details_and_makes_nothing(
    team: Organisation, args: list[str], message: str
) -> None:
    UserFactory(username="taken", email="taken@sefton.example", organisation=team)
    code, _, err = run(*args)
    assert code == 1
    assert message in err
    assert User.objects.count() == 1 and not EnrolmentInvite.objects.exists()


def test_a_new_link_for_an_administrator_replaces_the_lost_one(team: Organisation) -> None:
    _, first, _ = run("--username", "jo.admin", "--email", "jo@sefton.example")
    code, second, _ = run("--username", "jo.admin", "--new-link")
    assert code == 0 and "any earlier one no longer works" in second
    assert Client().get(reverse("accounts:set-up-link", args=[token_in(first)])).status_code == 404
    assert Client().get(reverse("accounts:set-up-link", args=[token_in(second)])).status_code == 302


def test_a_new_link_is_only_for_an_existing_administrator(team: Organisation) -> None:
    UserFactory(username="officer1", organisation=team)
    code, _, err = run("--username", "officer1", "--new-link")
    assert code == 1 and "no active administrator" in err
    assert not EnrolmentInvite.objects.exists()


def test_createsuperuser_makes_an_administrator_of_the_team(
    team: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long enough passphrase here")
    call_command(
        "createsuperuser",
        "--no-input",
        "--username",
        "root",
        "--email",
        "root@sefton.example",
        stdout=io.StringIO(),
    )
    user = User.objects.get(username="root")
    assert (user.role, user.organisation) == (User.Role.ADMIN, team)
    assert user.is_superuser and user.is_staff


def test_createsuperuser_before_init_authority_is_still_an_administrator(db: None) -> None:
    user = User.objects.create_superuser("root", "root@example.invalid", "x" * 20)
    assert (user.role, user.organisation) == (User.Role.ADMIN, None)


def test_a_superuser_placed_in_an_organisation_keeps_its_role(team: Organisation) -> None:
    school = OrganisationFactory(kind=Organisation.Kind.AGENCY)
    user = UserFactory(is_superuser=True, role=User.Role.AGENCY_USER, organisation=school)
    user.refresh_from_db()
    assert (user.role, user.organisation) == (User.Role.AGENCY_USER, school)


def test_an_existing_user_made_superuser_later_is_left_alone(team: Organisation) -> None:
    user = UserFactory(role=User.Role.CME_OFFICER, organisation=None)
    user.is_superuser = True
    user.save()
    user.refresh_from_db()
    assert (user.role, user.organisation) == (User.Role.CME_OFFICER, None)


def test_after_createsuperuser_import_returns_has_an_importer_to_record(
    team: Organisation, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The first-day trip of issue 16: the superuser was a CME officer of no organisation, so
    `cmetrack import-returns` found no administrator to record as the importer."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long enough passphrase here")
    call_command("createsuperuser", "--no-input", "--username", "root", "--email", "r@x.example")
    returns = tmp_path / "returns.csv"
    returns.write_bytes(csv_bytes(csv_row(SchoolFactory().urn)))
    err = io.StringIO()
    call_command("import_returns", str(returns), stdout=io.StringIO(), stderr=err)
    assert "No such active user" not in err.getvalue()
