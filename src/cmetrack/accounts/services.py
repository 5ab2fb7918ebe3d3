"""Writes for accounts: set-up links, passwords, second factors and their audit records.

A set-up link (EnrolmentInvite) is the only way to a second factor: an administrator issues
it (Django admin, or a later invitation page through `enrolment_invite_issue`), its holder
sets the password and enrols an authenticator, and the link is used up. A password alone
never shows a TOTP secret, so a stolen password cannot claim an account's second factor.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from auditlog.models import LogEntry
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cmetrack.audit.context import acting_as

from .access import can_administer
from .models import EnrolmentInvite, User

DEFAULT_INVITE_HOURS = 72
RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"


class EnrolmentError(Exception):
    """A set-up link that cannot be issued or is no longer good. The message is for the user."""


def token_hash(token: str) -> str:
    """What is stored for a link's token. The token has 256 random bits, so a plain SHA-256
    is enough: there is nothing to guess that a slow hash would protect."""
    return hashlib.sha256(token.encode()).hexdigest()


def invite_lifetime() -> timedelta:
    return timedelta(
        hours=int(getattr(settings, "CMETRACK_SET_UP_LINK_HOURS", DEFAULT_INVITE_HOURS))
    )


def enrolment_invite_url(token: str) -> str:
    """The link to give the user, on the address staff sign in at (CMETRACK_BASE_URL)."""
    return settings.CMETRACK_BASE_URL + reverse("accounts:set-up-link", args=[token])


# --- audit ----------------------------------------------------------------------------------


def security_event_record(*, user: User, event: str, actor: User | None, **detail: Any) -> None:
    """One audit entry on the user's record for something that happened to their sign-in
    (never a password, code or token). Inside a request auditlog adds the address."""
    LogEntry.objects.log_create(
        user,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=actor,
        additional_data={"security_event": event, **detail},
    )


# --- set-up links ---------------------------------------------------------------------------


def enrolment_invite_issue(*, user: User, by: User) -> tuple[EnrolmentInvite, str]:
    """A new set-up link for `user`; returns the invite and its raw token, which is not kept
    anywhere and so can be shown once. Any earlier unused link for the user stops working."""
    if not can_administer(by):
        raise PermissionDenied("Only an administrator can issue a set-up link.")
    return enrolment_invite_create(user=user, by=by)


@transaction.atomic
def enrolment_invite_create(
    *, user: User, by: User | None, **detail: Any
) -> tuple[EnrolmentInvite, str]:
    """`enrolment_invite_issue` without its administrator check, for the one caller with no
    administrator to ask: `cmetrack add-admin`, run by whoever runs the server (`by=None`;
    `detail` says so on the audit entry). Everything else goes through the checked one."""
    if not user.is_active:
        raise EnrolmentError(f"{user} is disabled: make the account active first.")
    now = timezone.now()
    EnrolmentInvite.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    token = secrets.token_urlsafe(32)
    invite = EnrolmentInvite.objects.create(
        user=user,
        token_hash=token_hash(token),
        created_by=by,
        created_at=now,
        expires_at=now + invite_lifetime(),
    )
    security_event_record(
        user=user,
        event="set-up link issued",
        actor=by,
        invite=str(invite.public_id),
        expires_at=invite.expires_at.isoformat(),
        **detail,
    )
    return invite, token


def _live(invite: EnrolmentInvite) -> EnrolmentInvite:
    """The invite again, locked for this transaction, if it is still good; else EnrolmentError."""
    found = (
        EnrolmentInvite.objects.live()
        .select_for_update()
        .select_related("user")
        .filter(pk=invite.pk)
        .first()
    )
    if found is None:
        raise EnrolmentError("This set-up link has expired or has been used.")
    return found


@transaction.atomic
def enrolment_invite_set_password(*, invite: EnrolmentInvite, password: str) -> None:
    """The link's first step: the holder chooses the account's password."""
    invite = _live(invite)
    user = invite.user
    password_validation.validate_password(password, user)
    with acting_as(user):
        user.set_password(password)
        user.save(update_fields=["password"])
        invite.password_set_at = timezone.now()
        invite.save(update_fields=["password_set_at"])
    security_event_record(user=user, event="password set with a set-up link", actor=user)


@transaction.atomic
def enrolment_invite_device(*, invite: EnrolmentInvite) -> TOTPDevice:
    """The authenticator the link enrols: made on first use with a new secret, then the same one
    on every reload (so the QR code does not change under the user)."""
    invite = _live(invite)
    if invite.device is not None and not invite.device.confirmed:
        return invite.device
    with acting_as(invite.user):
        # A secret shown earlier (an older link, or before links existed) is never confirmed.
        TOTPDevice.objects.filter(user=invite.user, confirmed=False).delete()
        device = TOTPDevice.objects.create(
            user=invite.user, name=AUTHENTICATOR_NAME, confirmed=False
        )
        invite.device = device
        invite.save(update_fields=["device"])
    return device


@transaction.atomic
def enrolment_invite_redeem(*, invite: EnrolmentInvite, code: str) -> list[str] | None:
    """The link's last step: confirm its authenticator with a code from the app, replace the
    user's older second factors, issue recovery codes and use the link up.

    Returns the new recovery codes (to show once), or None when the code is wrong or the
    device is throttled after wrong codes (that count is kept, so the transaction commits).
    Raises EnrolmentError when the link is no longer good (used meanwhile in another tab).
    """
    invite = _live(invite)
    if invite.password_set_at is None or invite.device is None:
        raise EnrolmentError("Choose a password first.")
    device = TOTPDevice.objects.select_for_update().get(pk=invite.device.pk)
    if not device.verify_token(code):
        return None
    user = invite.user
    with acting_as(user):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # The new authenticator replaces a lost one; the old recovery codes go with it.
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = recovery_codes_issue(user=user)
        invite.used_at = timezone.now()
        invite.save(update_fields=["used_at"])
    security_event_record(user=user, event="second factor enrolled with a set-up link", actor=user)
    return codes


# --- second factors -------------------------------------------------------------------------


def _recovery_code() -> str:
    # 8 characters of base32 (40 random bits), lower case. Never all digits, so a code is told
    # from an authenticator's 6-digit code by its look alone (see two_factor_verify).
    while True:
        code = StaticToken.random_token()
        if not code.isdigit():
            return code


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """Ten new single-use recovery codes for `user`; any earlier ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES_NAME, confirmed=True)
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(_recovery_code())
    ordered = sorted(codes)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in ordered])
    security_event_record(
        user=user, event="recovery codes issued", actor=user, count=RECOVERY_CODE_COUNT
    )
    return ordered


def normalise_code(text: str) -> str:
    """What the user typed, as stored: no spaces or hyphens, lower case (codes are base32)."""
    return "".join(text.split()).replace("-", "").lower()


@transaction.atomic
def two_factor_verify(*, user: User, code: str) -> Device | None:
    """The device that accepts `code`, or None (wrong, or throttled after wrong codes).

    Digits go to the authenticator, anything else to the recovery codes. Trying every device
    with every code (django_otp.match_token) would count each mistyped authenticator code as
    a failure of the recovery codes too; their throttle delay doubles with each failure and
    is reset only by a good recovery code, so months of ordinary typing mistakes would leave
    the recovery codes unusable on the day they are needed.
    """
    code = normalise_code(code)
    kind: type[Device] = TOTPDevice if code.isdigit() else StaticDevice
    for device in kind.objects.devices_for_user(user, confirmed=True).select_for_update():
        if device.verify_token(code):
            if isinstance(device, StaticDevice):
                security_event_record(
                    user=user,
                    event="recovery code used",
                    actor=user,
                    remaining=device.token_set.count(),
                )
            return device
    return None


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- passwords ------------------------------------------------------------------------------


@transaction.atomic
def password_set(*, user: User, password: str, how: str, lift_pause: bool = False) -> None:
    """Set a new password (already validated by the form) and record how it was set.

    `lift_pause` ends a sign-in pause on the account (a reset by email: its owner proved they
    read the account's email, and would otherwise be refused with the new password)."""
    password_validation.validate_password(password, user)
    with acting_as(user):
        user.set_password(password)
        user.save(update_fields=["password"])
    security_event_record(user=user, event=how, actor=user)
    if lift_pause:
        axes_reset(username=user.get_username())


# --- createsuperuser ------------------------------------------------------------------------


@receiver(pre_save, sender=User, dispatch_uid="cmetrack-new-superuser-is-an-administrator")
def _new_superuser_is_an_administrator(
    sender: type[User], instance: User, raw: bool = False, **kwargs: Any
) -> None:
    """Django's own `cmetrack createsuperuser` knows nothing of roles, so it would make a
    "CME officer" of no organisation, whom the commands that record an acting user then refuse.
    A new superuser nobody placed in an organisation becomes an administrator of the
    authority's CME team (when `init-authority` has made it). Connected when this module is
    imported, which Django admin's start-up does (admin.py imports it) in every process."""
    if raw or not instance._state.adding or not instance.is_superuser:
        return
    if instance.organisation_id is not None:
        return
    from .selectors import authority_team  # the selectors import this module

    instance.role = User.Role.ADMIN
    instance.organisation = authority_team()
