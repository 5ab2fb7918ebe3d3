"""The set-up link: the only way to choose a first password and enrol a second factor."""

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from cmetrack.accounts.models import EnrolmentInvite, User
from cmetrack.accounts.services import enrolment_invite_issue, recovery_codes_issue
from cmetrack.conftest import client_for
from cmetrack.testing.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_on")]

NEW_PASSWORD = "plum kettle harbour lantern"


@pytest.fixture
def two_factor_on(settings: Settings) -> None:
    settings.CMETRACK_REQUIRE_2FA = True


@pytest.fixture
def admin_pages(two_factor_on: None, settings: Settings) -> None:
    """Django admin as an administrator whose session has passed its second factor (the
    two-factor middleware itself is tested in test_two_factor.py)."""
    settings.CMETRACK_REQUIRE_2FA = False


def link(token: str) -> str:
    return reverse("accounts:set-up-link", args=[token])


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def choose_password(client: Client, token: str, password: str = NEW_PASSWORD):
    opened = client.get(link(token))
    assert opened["Location"] == reverse("accounts:set-up-password")
    return client.post(
        reverse("accounts:set-up-password"),
        {"new_password1": password, "new_password2": password},
    )


def enrol(client: Client, user: User):
    """The second step: open the QR page, then send the app's code."""
    page = client.get(reverse("accounts:set-up-two-factor"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return client.post(reverse("accounts:set-up-two-factor"), {"token": current_code(device)})


def without_tokens(html: str) -> str:
    return re.sub(r'nonce="[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_issuing_a_link_returns_its_token_once_and_keeps_only_a_hash(admin_user: User) -> None:
    user = UserFactory()
    invite, token = enrolment_invite_issue(user=user, by=admin_user)
    invite.refresh_from_db()
    assert len(token) >= 40
    assert invite.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(EnrolmentInvite.objects.values().get())
    assert invite.expires_at - invite.created_at == timedelta(hours=72)
    assert invite.created_by == admin_user
    entry = LogEntry.objects.get_for_object(user).get(actor=admin_user)
    assert entry.additional_data["security_event"] == "set-up link issued"


def test_a_link_sets_the_password_then_enrols_the_phone_and_signs_in(admin_user: User) -> None:
    user = UserFactory()
    _, token = enrolment_invite_issue(user=user, by=admin_user)
    client = Client()
    assert choose_password(client, token)["Location"] == reverse("accounts:set-up-two-factor")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    page = client.get(reverse("accounts:set-up-two-factor")).content.decode()
    assert "<svg" in page and "Set up two-factor sign-in" in page and "Step 2 of 2" in page
    done = enrol(client, user)
    assert done.status_code == 200
    html = done.content.decode()
    assert "Save your recovery codes" in html
    codes = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in html for code in codes)
    assert TOTPDevice.objects.get(user=user).confirmed
    # Signed in with the second factor verified: the service is open.
    assert client.get(reverse("cases:dashboard")).status_code == 200
    assert EnrolmentInvite.objects.get(user=user).used_at is not None


def test_the_qr_code_stays_the_same_on_reload_and_its_secret_is_new(admin_user: User) -> None:
    user = UserFactory()
    # A device left unconfirmed earlier: its secret may have been seen, so it is not reused.
    stale = TOTPDevice.objects.create(user=user, name="old", confirmed=False)
    _, token = enrolment_invite_issue(user=user, by=admin_user)
    client = Client()
    choose_password(client, token)
    first = client.get(reverse("accounts:set-up-two-factor")).content.decode()
    second = client.get(reverse("accounts:set-up-two-factor")).content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert device.pk != stale.pk
    secret = device.config_url.split("secret=")[1].split("&")[0]
    assert secret in first and secret in second


def test_a_used_link_cannot_be_used_again(admin_user: User) -> None:
    user = UserFactory()
    _, token = enrolment_invite_issue(user=user, by=admin_user)
    client = Client()
    choose_password(client, token)
    enrol(client, user)
    assert Client().get(link(token)).status_code == 404
    # Nor the steps, in the browser that used it.
    assert client.get(reverse("accounts:set-up-password")).status_code == 404


def test_a_link_expires_after_72_hours(admin_user: User) -> None:
    _, token = enrolment_invite_issue(user=UserFactory(), by=admin_user)
    with time_machine.travel(timezone.now() + timedelta(hours=71)):
        assert Client().get(link(token)).status_code == 302
    with time_machine.travel(timezone.now() + timedelta(hours=73)):
        assert Client().get(link(token)).status_code == 404


def test_a_link_that_expires_between_its_steps_stops_working(admin_user: User) -> None:
    user = UserFactory()
    _, token = enrolment_invite_issue(user=user, by=admin_user)
    client = Client()
    choose_password(client, token)
    with time_machine.travel(timezone.now() + timedelta(hours=73)):
        assert client.get(reverse("accounts:set-up-two-factor")).status_code == 404


def test_a_wrong_token_is_a_plain_404_like_a_used_or_expired_one(admin_user: User) -> None:
    used_user = UserFactory()
    _, used = enrolment_invite_issue(user=used_user, by=admin_user)
    client = Client()
    choose_password(client, used)
    enrol(client, used_user)
    _, expired = enrolment_invite_issue(user=UserFactory(), by=admin_user)
    wrong = Client().get(link("not-a-real-token-" + "x" * 30))
    used_again = Client().get(link(used))
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        too_late = Client().get(link(expired))
    assert wrong.status_code == used_again.status_code == too_late.status_code == 404
    pages = {without_tokens(r.content.decode()) for r in (wrong, used_again, too_late)}
    assert len(pages) == 1
    assert "expired" not in pages.pop().lower()


def test_a_new_link_replaces_the_old_one(admin_user: User) -> None:
    user = UserFactory()
    _, old = enrolment_invite_issue(user=user, by=admin_user)
    _, new = enrolment_invite_issue(user=user, by=admin_user)
    assert Client().get(link(old)).status_code == 404
    assert Client().get(link(new)).status_code == 302


def test_the_link_can_be_finished_later_in_another_browser(admin_user: User) -> None:
    user = UserFactory()
    _, token = enrolment_invite_issue(user=user, by=admin_user)
    choose_password(Client(), token)
    later = Client()
    later.get(link(token))
    assert later.get(reverse("accounts:set-up-password"))["Location"] == reverse(
        "accounts:set-up-two-factor"
    )
    assert enrol(later, user).status_code == 200


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pass", "at least 12 characters"),
        ("password1234", "too common"),
        ("123456789012345", "entirely numeric"),
    ],
)
def test_the_password_must_be_long_and_not_common(
    admin_user: User, password: str, message: str
) -> None:
    user = UserFactory()
    _, token = enrolment_invite_issue(user=user, by=admin_user)
    response = choose_password(Client(), token, password)
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert not user.check_password(password)


def test_a_long_lower_case_passphrase_is_enough(admin_user: User) -> None:
    # No composition rules (NCSC): no capital, digit or symbol needed.
    user = UserFactory()
    _, token = enrolment_invite_issue(user=user, by=admin_user)
    assert choose_password(Client(), token, "seven quiet orchards")["Location"] == reverse(
        "accounts:set-up-two-factor"
    )


def test_a_wrong_code_does_not_finish_enrolment(admin_user: User) -> None:
    user = UserFactory()
    _, token = enrolment_invite_issue(user=user, by=admin_user)
    client = Client()
    choose_password(client, token)
    client.get(reverse("accounts:set-up-two-factor"))
    wrong = client.post(reverse("accounts:set-up-two-factor"), {"token": "000000"})
    assert "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.get(user=user).confirmed
    assert EnrolmentInvite.objects.get(user=user).used_at is None


def test_the_steps_without_a_link_are_not_found() -> None:
    assert Client().get(reverse("accounts:set-up-password")).status_code == 404
    assert Client().get(reverse("accounts:set-up-two-factor")).status_code == 404


def test_the_second_step_waits_for_the_password(admin_user: User) -> None:
    _, token = enrolment_invite_issue(user=UserFactory(), by=admin_user)
    client = Client()
    client.get(link(token))
    response = client.get(reverse("accounts:set-up-two-factor"))
    assert response["Location"] == reverse("accounts:set-up-password")


def test_a_new_phone_replaces_the_lost_one_and_its_recovery_codes(admin_user: User) -> None:
    user = UserFactory()
    lost = TOTPDevice.objects.create(user=user, name="lost phone", confirmed=True)
    old_codes = recovery_codes_issue(user=user)
    _, token = enrolment_invite_issue(user=user, by=admin_user)
    # Until the link is used, the old phone still works.
    assert TOTPDevice.objects.filter(pk=lost.pk).exists()
    client = Client()
    choose_password(client, token)
    enrol(client, user)
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()
    assert StaticDevice.objects.filter(user=user).count() == 1
    assert not StaticToken.objects.filter(token__in=old_codes).exists()


def test_opening_a_link_signs_out_whoever_else_was_signed_in(
    admin_user: User, officer: User
) -> None:
    user = UserFactory()
    _, token = enrolment_invite_issue(user=user, by=admin_user)
    client = client_for(officer)
    response = client.get(link(token))
    assert not response.wsgi_request.user.is_authenticated
    assert client.get(reverse("accounts:set-up-password")).status_code == 200


def test_a_user_signed_in_with_only_a_password_may_open_their_link(admin_user: User) -> None:
    user = UserFactory()
    client = Client()
    client.post(
        reverse("accounts:sign-in"),
        {"username": user.username, "password": "a-long-test-password"},
    )
    _, token = enrolment_invite_issue(user=user, by=admin_user)
    choose_password(client, token)
    assert enrol(client, user).status_code == 200


def test_a_link_for_a_disabled_account_does_not_work(admin_user: User) -> None:
    user = UserFactory()
    _, token = enrolment_invite_issue(user=user, by=admin_user)
    user.is_active = False
    user.save()
    assert Client().get(link(token)).status_code == 404


# --- who may issue ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "officer", "school_user"])
def test_only_an_administrator_can_issue_a_link(request: pytest.FixtureRequest, role: str) -> None:
    by = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        enrolment_invite_issue(user=UserFactory(), by=by)
    assert not EnrolmentInvite.objects.exists()


@pytest.mark.usefixtures("admin_pages")
def test_the_admin_pages_for_links_refuse_anyone_but_administrators(manager: User) -> None:
    user = UserFactory()
    client = client_for(manager)
    url = reverse("admin:accounts_user_set_up_link", args=[user.pk])
    assert client.post(url).status_code in (302, 403)
    changelist = reverse("admin:accounts_user_changelist")
    client.post(changelist, {"action": "issue_set_up_links", "_selected_action": [user.pk]})
    assert not EnrolmentInvite.objects.exists()


@pytest.mark.usefixtures("admin_pages")
def test_the_admin_button_asks_first_then_shows_the_link_once(admin_user: User) -> None:
    user = UserFactory()
    client = client_for(admin_user)
    change = client.get(reverse("admin:accounts_user_change", args=[user.pk])).content.decode()
    url = reverse("admin:accounts_user_set_up_link", args=[user.pk])
    assert url in change and "Issue a set-up link" in change
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert not EnrolmentInvite.objects.exists()
    issued = client.post(url).content.decode()
    token = re.search(r"/account/set-up/([^/]+)/", issued)
    assert token is not None
    assert "only time" in issued
    assert Client().get(link(token.group(1))).status_code == 302
    # Nowhere to see it again: the invite's admin page shows no link.
    invite = EnrolmentInvite.objects.get()
    page = client.get(reverse("admin:accounts_enrolmentinvite_change", args=[invite.pk]))
    assert token.group(1) not in page.content.decode()


@pytest.mark.usefixtures("admin_pages")
def test_the_admin_action_issues_a_link_for_each_selected_user(admin_user: User) -> None:
    people = [UserFactory(), UserFactory()]
    response = client_for(admin_user).post(
        reverse("admin:accounts_user_changelist"),
        {"action": "issue_set_up_links", "_selected_action": [p.pk for p in people]},
    )
    html = response.content.decode()
    tokens = re.findall(r"/account/set-up/([^/]+)/", html)
    assert len(tokens) == 2
    assert EnrolmentInvite.objects.filter(used_at__isnull=True).count() == 2


@pytest.mark.usefixtures("admin_pages")
def test_administrators_cannot_add_a_device_or_read_a_key_in_admin(admin_user: User) -> None:
    user = UserFactory()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = client_for(admin_user)
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    assert client.get(reverse("admin:otp_static_staticdevice_add")).status_code == 403
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert device.key not in page.content.decode()
    qr = client.get(reverse("admin:otp_totp_totpdevice_qrcode", args=[device.pk]))
    assert qr.status_code == 403
