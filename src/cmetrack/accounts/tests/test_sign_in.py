import pytest
from django.test import Client
from django.urls import reverse

from cmetrack.accounts.models import Organisation, User
from cmetrack.testing.factories import OrganisationFactory, UserFactory


@pytest.mark.django_db
def test_sign_in_page_is_public_and_uses_the_design_system() -> None:
    response = Client().get(reverse("accounts:sign-in"))
    assert response.status_code == 200
    assert "govuk-template" in response.content.decode()


@pytest.mark.django_db
def test_an_officer_signs_in_and_lands_on_the_dashboard() -> None:
    UserFactory(username="jo", role=User.Role.CME_OFFICER)
    response = Client().post(
        reverse("accounts:sign-in"),
        {"username": "jo", "password": "a-long-test-password"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("cases:dashboard")


@pytest.mark.django_db
def test_a_wrong_password_says_the_same_as_an_unknown_user() -> None:
    UserFactory(username="jo")
    wrong = Client().post(reverse("accounts:sign-in"), {"username": "jo", "password": "nope"})
    unknown = Client().post(reverse("accounts:sign-in"), {"username": "zz", "password": "nope"})
    assert "Enter a correct username and password" in wrong.content.decode()
    assert "Enter a correct username and password" in unknown.content.decode()


@pytest.mark.django_db
def test_sign_out_needs_a_post_and_ends_the_session() -> None:
    user = UserFactory()
    client = Client()
    client.force_login(user)
    assert client.post(reverse("accounts:sign-out")).status_code == 302
    assert client.get(reverse("cases:dashboard")).status_code == 302


@pytest.mark.django_db
def test_responses_carry_a_content_security_policy_with_a_nonce() -> None:
    response = Client().get(reverse("accounts:sign-in"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_a_role_must_belong_to_the_right_kind_of_organisation() -> None:
    from django.core.exceptions import ValidationError

    school_org = OrganisationFactory(kind=Organisation.Kind.AGENCY)
    user = UserFactory.build(role=User.Role.SCHOOL_USER, organisation=school_org)
    with pytest.raises(ValidationError):
        user.clean()


@pytest.mark.django_db
def test_only_the_admin_role_gets_django_admin_access() -> None:
    assert UserFactory(role=User.Role.ADMIN).is_staff
    assert not UserFactory(role=User.Role.CME_MANAGER).is_staff
