"""What a partner can send, in one place for the web forms and the API alike: who may send it,
the form that checks it, and the service that records it. A page and an API call for the same
kind therefore refuse the same senders and run the same checks, word for word."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms

from cmetrack.accounts.access import (
    AnyUser,
    can_notify_as_other_la,
    can_refer,
    can_submit_school_returns,
)
from cmetrack.accounts.models import User

from .forms import CmeReferralForm, DeletionReturnForm, NewPupilReturnForm, OtherLaNotificationForm
from .models import Submission
from .services import (
    cme_referral_submit,
    deletion_return_submit,
    new_pupil_return_submit,
    other_la_notification_submit,
)


@dataclass(frozen=True)
class SendKind:
    allowed: Callable[[AnyUser], bool]
    form: type[forms.Form]
    # One transaction of its own (each service is @transaction.atomic): the API calls it bare.
    submit: Callable[[Any, User], Submission]
    # The CME team sends returns on a school's behalf and names the school.
    names_school: bool = False


def _school(user: User) -> Any:
    return user.organisation.school if user.organisation else None


DELETION_RETURN = SendKind(
    can_submit_school_returns,
    DeletionReturnForm,
    lambda f, u: deletion_return_submit(data=f.to_data(_school(u)), by=u),
    names_school=True,
)
NEW_PUPIL_RETURN = SendKind(
    can_submit_school_returns,
    NewPupilReturnForm,
    lambda f, u: new_pupil_return_submit(data=f.to_data(_school(u)), by=u),
    names_school=True,
)
CME_REFERRAL = SendKind(
    can_refer, CmeReferralForm, lambda f, u: cme_referral_submit(data=f.to_data(u), by=u)
)
OTHER_LA_NOTIFICATION = SendKind(
    can_notify_as_other_la,
    OtherLaNotificationForm,
    lambda f, u: other_la_notification_submit(data=f.to_data(), by=u),
)
