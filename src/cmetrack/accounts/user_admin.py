"""Writes for user management: administrators invite, re-invite, deactivate and reactivate
accounts (the pages under /account/users/), and `cmetrack add-admin` makes an administrator.

A new account has no usable password: its set-up link (EnrolmentInvite) sets the password and
enrols the second factor. Invitations are emailed through the notifications outbox, in the
transaction that makes them, so a rolled-back invitation sends nothing. Each change is a
security event on the user's audit trail (`security_event_record`), naming the administrator.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template import loader

from cmetrack.audit.context import acting_as
from cmetrack.notifications.services import email_queue

from .access import can_administer
from .models import EnrolmentInvite, Organisation, User
from .selectors import active_administrators, authority_team
from .services import (
    enrolment_invite_create,
    enrolment_invite_issue,
    enrolment_invite_url,
    invite_lifetime,
    security_event_record,
)


class UserAdminError(Exception):
    """A change the rules refuse (the last administrator, oneself, a taken email address).
    The message is for the administrator."""


@dataclass(frozen=True)
class Invitation:
    user: User
    invite: EnrolmentInvite
    link: str  # shown or sent once: only its hash is kept


def _refuse_unless_administrator(by: User) -> None:
    if not can_administer(by):
        raise PermissionDenied("Only an administrator can manage users.")


def _normalise_email(email: str) -> str:
    return email.strip().lower()


def _new_account(
    *,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    organisation: Organisation | None,
) -> User:
    """An account with no usable password, checked by the model's own rules (a role must sit
    in its kind of organisation: User.ROLE_ORGANISATION), saved. ValidationError otherwise."""
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "An account already uses this email address"})
    user = User(
        username=username,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=role,
        organisation=organisation,
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


def _email_invitation(invitation: Invitation, *, resent: bool) -> None:
    user = invitation.user
    context = {
        "user": user,
        "link": invitation.link,
        "hours": int(invite_lifetime().total_seconds() // 3600),
        "resent": resent,
    }
    email_queue(
        to=[user.email],
        subject="Set up your cmetrack account",
        body=loader.render_to_string("accounts/users/email_invitation.txt", context),
        kind="account-invitation",
        reference=str(user.public_id),
    )


@transaction.atomic
def user_invite(
    *,
    by: User,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    organisation: Organisation,
) -> Invitation:
    """A new account for `email` (also its username), and a set-up link emailed to it."""
    _refuse_unless_administrator(by)
    email = _normalise_email(email)
    with acting_as(by):
        user = _new_account(
            username=email,
            email=email,
            first_name=first_name,
            last_name=last_name,
            role=role,
            organisation=organisation,
        )
        invite, token = enrolment_invite_issue(user=user, by=by)
        invitation = Invitation(user=user, invite=invite, link=enrolment_invite_url(token))
        security_event_record(
            user=user,
            event="account created by invitation",
            actor=by,
            role=user.role,
            organisation=str(organisation.public_id),
        )
        _email_invitation(invitation, resent=False)
    return invitation


@transaction.atomic
def invitation_resend(*, by: User, user: User) -> Invitation:
    """A fresh set-up link, emailed; the earlier one stops working (enrolment_invite_issue).
    Also how a lost phone is replaced: the link enrols a new authenticator."""
    _refuse_unless_administrator(by)
    if not user.email:
        raise UserAdminError(f"{user} has no email address: add one in Django admin first.")
    invite, token = enrolment_invite_issue(user=user, by=by)
    invitation = Invitation(user=user, invite=invite, link=enrolment_invite_url(token))
    security_event_record(user=user, event="invitation resent", actor=by)
    _email_invitation(invitation, resent=True)
    return invitation


@transaction.atomic
def user_deactivate(*, by: User, user: User) -> None:
    """The account can no longer sign in; a session it has ends at its next request (Django
    refuses an inactive user's session) and its set-up links stop working. Never oneself, and
    never the last active administrator, so the authority is never locked out of its users."""
    _refuse_unless_administrator(by)
    if user.pk == by.pk:
        raise UserAdminError("You cannot deactivate your own account.")
    # Locked, so two administrators deactivating each other at once cannot both succeed.
    admins = list(active_administrators().select_for_update().values_list("pk", flat=True))
    if user.pk in admins and len(admins) == 1:
        raise UserAdminError(f"{user} is the last active administrator: make another first.")
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.is_active:
        raise UserAdminError(f"{user} is already deactivated.")
    with acting_as(by):
        locked.is_active = False
        locked.save(update_fields=["is_active"])
    security_event_record(user=locked, event="account deactivated", actor=by)
    user.is_active = False


@transaction.atomic
def user_reactivate(*, by: User, user: User) -> None:
    """The account can sign in again with its password and second factor (or, if it never
    finished setting up, with a new invitation)."""
    _refuse_unless_administrator(by)
    if user.pk == by.pk:
        raise UserAdminError("You cannot reactivate your own account.")
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active:
        raise UserAdminError(f"{user} is already active.")
    with acting_as(by):
        locked.is_active = True
        locked.save(update_fields=["is_active"])
    security_event_record(user=locked, event="account reactivated", actor=by)
    user.is_active = True


# --- the command line -----------------------------------------------------------------------


@transaction.atomic
def administrator_add(
    *, username: str, email: str, first_name: str = "", last_name: str = ""
) -> Invitation:
    """`cmetrack add-admin`: an administrator of the authority's CME team, with a set-up link
    to show once. Whoever runs the server's commands is trusted to; there is no administrator
    yet to ask, so the audit entries name no actor and say it was the command line."""
    team = authority_team()
    if team is None:
        raise UserAdminError(
            "There is no local authority CME team yet: run cmetrack init-authority first."
        )
    user = _new_account(
        username=username.strip(),
        email=_normalise_email(email),
        first_name=first_name,
        last_name=last_name,
        role=User.Role.ADMIN,
        organisation=team,
    )
    invite, token = enrolment_invite_create(user=user, by=None, via="cmetrack add-admin")
    security_event_record(
        user=user,
        event="administrator created",
        actor=None,
        via="cmetrack add-admin",
        organisation=str(team.public_id),
    )
    return Invitation(user=user, invite=invite, link=enrolment_invite_url(token))


@transaction.atomic
def administrator_new_link(*, username: str) -> Invitation:
    """`cmetrack add-admin --new-link`: a fresh set-up link for an existing administrator (the
    first one lost theirs, and there is nobody yet to send one from the Users page)."""
    user = User.objects.filter(
        username=username.strip(), role=User.Role.ADMIN, is_active=True
    ).first()
    if user is None:
        raise UserAdminError(f"There is no active administrator with the username {username}.")
    invite, token = enrolment_invite_create(user=user, by=None, via="cmetrack add-admin")
    return Invitation(user=user, invite=invite, link=enrolment_invite_url(token))
