"""User management for administrators (/account/users/): the list, invitations, resending,
deactivating and reactivating; every other role refused."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from cmetrack.accounts.models import EnrolmentInvite, Organisation, User
from cmetrack.accounts.selectors import InvitationState, users_for_administration
from cmetrack.accounts.tests.test_set_up_link import NEW_PASSWORD, choose_password, enrol
from cmetrack.accounts.user_admin import (
    UserAdminError,
    invitation_resend,
    user_deactivate,
    user_invite,
    user_reactivate,
)
from cmetrack.conftest import client_for
from cmetrack.notifications.models import OutboundEmail
from cmetrack.testing.factories import OrganisationFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

REFUSED_PERSONAS = [
    "officer",
    "manager",
    "ehe_officer",
    "school_user",
    "agency_user",
    "outsider",
]


def events(user: User) -> list[str]:
    # The user's own entries (other records sharing the primary key have theirs).
    entries = LogEntry.objects.get_for_object(user).order_by("pk")
    return [entry.additional_data.get("security_event") for entry in entries]


def link_path(body: object) -> str:
    (path,) = re.findall(r"http://127\.0\.0\.1:8000(/account/set-up/\S+/)", str(body))
    return path


def invite_form(org: Organisation, /, **changes: str) -> dict[str, str]:
    return {
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "Priya.Shah@sefton.example",
        "role": User.Role.CME_OFFICER,
        "organisation": str(org.public_id),
        **changes,
    }


@pytest.fixture
def ehe_officer(la_team: Organisation) -> User:
    return UserFactory(role=User.Role.EHE_OFFICER, organisation=la_team)


@pytest.fixture
def school_org(db: None) -> Organisation:
    school = SchoolFactory(name="Bootle Marsh Primary School")
    return OrganisationFactory(kind=Organisation.Kind.SCHOOL, name=school.name, school=school)


# --- who may ---------------------------------------------------------------------------------


def _routes(person: User) -> list[tuple[str, str]]:
    detail = {"public_id": person.public_id}
    return [
        ("GET", reverse("accounts:users")),
        ("GET", reverse("accounts:user-invite")),
        ("POST", reverse("accounts:user-invite")),
        ("GET", reverse("accounts:user-detail", kwargs=detail)),
        ("POST", reverse("accounts:user-resend", kwargs=detail)),
        ("GET", reverse("accounts:user-deactivate", kwargs=detail)),
        ("POST", reverse("accounts:user-deactivate", kwargs=detail)),
        ("POST", reverse("accounts:user-reactivate", kwargs=detail)),
    ]


@pytest.mark.parametrize("persona", REFUSED_PERSONAS)
def test_every_other_role_is_refused_every_user_page_and_nothing_changes(
    persona: str, request: pytest.FixtureRequest, la_team: Organisation
) -> None:
    someone = UserFactory(organisation=la_team)
    client = client_for(request.getfixturevalue(persona))
    for method, url in _routes(someone):
        data = invite_form(la_team) if method == "POST" else None
        response = client.post(url, data) if method == "POST" else client.get(url)
        assert response.status_code == 403, (method, url)
    someone.refresh_from_db()
    assert someone.is_active
    assert not EnrolmentInvite.objects.exists()
    assert not User.objects.filter(email="priya.shah@sefton.example").exists()
    assert not OutboundEmail.objects.exists()


def test_the_user_pages_send_the_signed_out_to_sign_in(la_team: Organisation) -> None:
    someone = UserFactory(organisation=la_team)
    for method, url in _routes(someone):
        response = Client().post(url) if method == "POST" else Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_a_deactivated_administrator_is_refused(admin_user: User) -> None:
    client = client_for(admin_user)
    User.objects.filter(pk=admin_user.pk).update(is_active=False)
    assert client.get(reverse("accounts:users")).status_code != 200


@pytest.mark.parametrize("persona", REFUSED_PERSONAS)
def test_the_services_refuse_anyone_but_an_administrator(
    persona: str, request: pytest.FixtureRequest, la_team: Organisation
) -> None:
    by = request.getfixturevalue(persona)
    someone = UserFactory(organisation=la_team)
    with pytest.raises(PermissionDenied):
        users_for_administration(by=by)
    with pytest.raises(PermissionDenied):
        user_invite(
            by=by,
            email="x@example.invalid",
            first_name="X",
            last_name="Y",
            role=User.Role.CME_OFFICER,
            organisation=la_team,
        )
    for change in (invitation_resend, user_deactivate, user_reactivate):
        with pytest.raises(PermissionDenied):
            change(by=by, user=someone)


def test_an_unknown_user_is_not_found(admin_user: User) -> None:
    url = reverse(
        "accounts:user-detail", kwargs={"public_id": "8f3c2a52-0f7c-4d1e-9c55-000000000000"}
    )
    assert client_for(admin_user).get(url).status_code == 404


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_each_user_with_role_organisation_sign_in_and_invitation_state(
    admin_user: User, la_team: Organisation, school_org: Organisation
) -> None:
    signed_in = UserFactory(
        first_name="Dana", last_name="Okafor", organisation=la_team, last_login=timezone.now()
    )
    invited = user_invite(
        by=admin_user,
        email="teacher@school.example",
        first_name="Tom",
        last_name="Reid",
        role=User.Role.SCHOOL_USER,
        organisation=school_org,
    ).user
    gone = UserFactory(first_name="Lee", last_name="Gone", organisation=la_team)
    user_deactivate(by=admin_user, user=gone)

    page = client_for(admin_user).get(reverse("accounts:users"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Dana Okafor" in html and signed_in.email in html
    assert "Tom Reid" in html and "teacher@school.example" in html
    assert "School user" in html and "Bootle Marsh Primary School" in html
    assert "Deactivated" in html and "Invited" in html and "Never" in html
    states = {row.user.pk: row.invitation for row in users_for_administration(by=admin_user)}
    assert states[signed_in.pk] == InvitationState.SET_UP
    assert states[invited.pk] == InvitationState.INVITED
    assert states[gone.pk] == InvitationState.NONE


def test_an_unused_link_shows_as_expired_once_it_has(
    admin_user: User, la_team: Organisation
) -> None:
    invited = user_invite(
        by=admin_user,
        email="late@sefton.example",
        first_name="Al",
        last_name="Late",
        role=User.Role.CME_OFFICER,
        organisation=la_team,
    ).user
    with time_machine.travel(timezone.now() + timedelta(hours=73)):
        states = {row.user.pk: row.invitation for row in users_for_administration(by=admin_user)}
    assert states[invited.pk] == InvitationState.EXPIRED


# --- inviting --------------------------------------------------------------------------------


def test_inviting_makes_an_account_with_no_password_and_emails_its_set_up_link(
    admin_user: User, la_team: Organisation
) -> None:
    response = client_for(admin_user).post(reverse("accounts:user-invite"), invite_form(la_team))

    user = User.objects.get(email="priya.shah@sefton.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user-detail", args=[user.public_id])
    assert user.username == "priya.shah@sefton.example"
    assert (user.role, user.organisation) == (User.Role.CME_OFFICER, la_team)
    assert not user.has_usable_password()
    (email,) = mail.outbox
    assert email.to == ["priya.shah@sefton.example"]
    assert "priya.shah@sefton.example" in email.body
    assert OutboundEmail.objects.get().kind == "account-invitation"
    invite = EnrolmentInvite.objects.get(user=user)
    assert invite.created_by == admin_user
    assert events(user) == ["set-up link issued", "account created by invitation"]
    entry = LogEntry.objects.get_for_object(user).order_by("pk").last()
    assert entry is not None and entry.actor == admin_user


def test_the_invitation_link_sets_the_password_and_enrols_the_second_factor(
    admin_user: User, la_team: Organisation, settings: Settings
) -> None:
    client_for(admin_user).post(reverse("accounts:user-invite"), invite_form(la_team))
    settings.CMETRACK_REQUIRE_2FA = True
    user = User.objects.get(email="priya.shah@sefton.example")
    token = link_path(mail.outbox[0].body).rstrip("/").rsplit("/", 1)[1]

    newcomer = Client()
    assert choose_password(newcomer, token).status_code == 302
    done = enrol(newcomer, user)

    assert done.status_code == 200 and "recovery" in done.content.decode().lower()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert newcomer.get(reverse("cases:dashboard")).status_code == 200
    states = {row.user.pk: row.invitation for row in users_for_administration(by=admin_user)}
    assert states[user.pk] == InvitationState.SET_UP


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (Organisation.Kind.SCHOOL, User.Role.SCHOOL_USER),
        (Organisation.Kind.AGENCY, User.Role.AGENCY_USER),
        (Organisation.Kind.OTHER_LA, User.Role.OTHER_LA_USER),
        (Organisation.Kind.LA_TEAM, User.Role.CME_MANAGER),
    ],
)
def test_partners_are_invited_into_their_own_kind_of_organisation(
    admin_user: User, kind: str, role: str
) -> None:
    school = SchoolFactory() if kind == Organisation.Kind.SCHOOL else None
    org = OrganisationFactory(kind=kind, school=school)
    client_for(admin_user).post(reverse("accounts:user-invite"), invite_form(org, role=role))
    user = User.objects.get(email="priya.shah@sefton.example")
    assert (user.role, user.organisation) == (role, org)


def test_a_role_that_does_not_fit_the_organisation_is_refused_and_nothing_is_made(
    admin_user: User, school_org: Organisation
) -> None:
    page = client_for(admin_user).post(
        reverse("accounts:user-invite"), invite_form(school_org, role=User.Role.AGENCY_USER)
    )
    assert page.status_code == 200
    assert "user must belong to a partner agency." in page.content.decode()
    assert not User.objects.filter(email="priya.shah@sefton.example").exists()
    assert not mail.outbox and not EnrolmentInvite.objects.exists()


def test_the_service_checks_the_organisation_rule_too(
    admin_user: User, school_org: Organisation
) -> None:
    with pytest.raises(Exception, match="must belong to"):
        user_invite(
            by=admin_user,
            email="x@example.invalid",
            first_name="X",
            last_name="Y",
            role=User.Role.CME_OFFICER,
            organisation=school_org,
        )
    assert not User.objects.filter(email="x@example.invalid").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": ""}, "Enter their email address"),
        ({"email": "not-an-address"}, "Enter an email address in the correct format"),
        ({"role": ""}, "Choose their role"),
        ({"organisation": ""}, "Choose their organisation"),
        ({"organisation": "8f3c2a52-0f7c-4d1e-9c55-000000000000"}, "Choose their organisation"),
        ({"first_name": ""}, "Enter their first name"),
    ],
)
def test_bad_answers_get_a_clear_error_and_make_nothing(
    admin_user: User, la_team: Organisation, changes: dict[str, str], message: str
) -> None:
    page = client_for(admin_user).post(
        reverse("accounts:user-invite"), invite_form(la_team, **changes)
    )
    assert page.status_code == 200
    assert message in page.content.decode()
    assert User.objects.count() == 1
    assert not mail.outbox


def test_an_email_address_already_in_use_is_refused(
    admin_user: User, la_team: Organisation
) -> None:
    UserFactory(email="priya.shah@sefton.example", organisation=la_team)
    page = client_for(admin_user).post(
        reverse("accounts:user-invite"), invite_form(la_team, email="PRIYA.SHAH@sefton.example")
    )
    assert "An account already uses this email address" in page.content.decode()
    assert User.objects.count() == 2


# --- resending -------------------------------------------------------------------------------


def test_resending_emails_a_fresh_link_and_the_old_one_stops_working(
    admin_user: User, la_team: Organisation
) -> None:
    client = client_for(admin_user)
    client.post(reverse("accounts:user-invite"), invite_form(la_team))
    user = User.objects.get(email="priya.shah@sefton.example")
    first = link_path(mail.outbox[0].body)

    response = client.post(reverse("accounts:user-resend", args=[user.public_id]))

    assert response.status_code == 302
    assert len(mail.outbox) == 2
    second = link_path(mail.outbox[1].body)
    assert first != second
    assert "Any link we sent you before no longer works" in mail.outbox[1].body
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 302
    assert events(user)[-2:] == ["set-up link issued", "invitation resent"]


def test_resending_to_a_deactivated_account_is_refused_with_a_message(
    admin_user: User, la_team: Organisation
) -> None:
    gone = UserFactory(organisation=la_team, is_active=False)
    page = client_for(admin_user).post(
        reverse("accounts:user-resend", args=[gone.public_id]), follow=True
    )
    assert "is disabled" in page.content.decode()
    assert not EnrolmentInvite.objects.exists() and not mail.outbox


def test_resend_is_post_only(admin_user: User, la_team: Organisation) -> None:
    someone = UserFactory(organisation=la_team)
    url = reverse("accounts:user-resend", args=[someone.public_id])
    assert client_for(admin_user).get(url).status_code == 405


# --- deactivating and reactivating ------------------------------------------------------------


def test_deactivating_asks_first_then_ends_the_accounts_sign_in(
    admin_user: User, la_team: Organisation
) -> None:
    someone = UserFactory(first_name="Sam", last_name="Hill", organisation=la_team)
    their_session = client_for(someone)
    url = reverse("accounts:user-deactivate", args=[someone.public_id])
    client = client_for(admin_user)

    assert "Deactivate Sam Hill?" in client.get(url).content.decode()
    someone.refresh_from_db()
    assert someone.is_active

    response = client.post(url, follow=True)
    assert "Sam Hill can no longer sign in." in response.content.decode()
    someone.refresh_from_db()
    assert not someone.is_active
    assert their_session.get(reverse("cases:dashboard")).status_code == 302
    assert events(someone) == ["account deactivated"]


def test_an_administrator_cannot_deactivate_themselves(admin_user: User) -> None:
    UserFactory(role=User.Role.ADMIN, organisation=admin_user.organisation)
    page = client_for(admin_user).post(
        reverse("accounts:user-deactivate", args=[admin_user.public_id]), follow=True
    )
    assert "You cannot deactivate your own account." in page.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_the_last_active_administrator_cannot_be_deactivated_even_by_a_racing_request(
    admin_user: User, la_team: Organisation
) -> None:
    other = UserFactory(role=User.Role.ADMIN, organisation=la_team)
    # Each opened the other's deactivate page; admin_user's request is served first.
    other_in_their_request = User.objects.get(pk=other.pk)
    user_deactivate(by=admin_user, user=other)

    with pytest.raises(UserAdminError, match="last active administrator"):
        user_deactivate(by=other_in_their_request, user=admin_user)
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_reactivating_lets_them_sign_in_again(admin_user: User, la_team: Organisation) -> None:
    someone = UserFactory(organisation=la_team, is_active=False)
    response = client_for(admin_user).post(
        reverse("accounts:user-reactivate", args=[someone.public_id]), follow=True
    )
    assert "can sign in again" in response.content.decode()
    someone.refresh_from_db()
    assert someone.is_active
    assert events(someone) == ["account reactivated"]


def test_reactivating_an_active_account_changes_nothing(
    admin_user: User, la_team: Organisation
) -> None:
    someone = UserFactory(organisation=la_team)
    with pytest.raises(UserAdminError, match="already active"):
        user_reactivate(by=admin_user, user=someone)
    assert events(someone) == []


def test_the_users_list_is_paged_25_at_a_time_and_counts_everyone(
    admin_user: User, la_team: Organisation
) -> None:
    UserFactory.create_batch(30, organisation=la_team)
    total = User.objects.count()
    client = client_for(admin_user)

    first = client.get(reverse("accounts:users"))
    second = client.get(reverse("accounts:users"), {"page": 2})
    beyond = client.get(reverse("accounts:users"), {"page": "99"})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == total - 25
    shown = {row.user.pk for row in first.context["page"].object_list} | {
        row.user.pk for row in second.context["page"].object_list
    }
    assert shown == set(User.objects.values_list("pk", flat=True))  # no one missed or twice
    assert f"{total} accounts" in first.content.decode()
    assert 'rel="next"' in first.content.decode() and 'rel="prev"' in second.content.decode()
    assert beyond.context["page"].number == 2  # the last page, not an error
