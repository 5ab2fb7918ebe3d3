"""The CME team records that the receiving authority or school confirmed a destination (a
deletion return's named new school): who confirmed and how. See services/destinations.py."""

from typing import Any

from crispy_forms_gds.layout import Field
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from cmetrack.accounts.access import can_triage
from cmetrack.accounts.models import User

from ..forms.common import helper
from ..models import DeletionReturn
from ..selectors import submission_get
from ..services import IntakeError, destination_confirm
from .common import show_error
from .triage import _triage_page


class DestinationConfirmForm(forms.Form):
    how = forms.CharField(
        label="Who confirmed the pupil is on roll, and how",
        help_text="For example: Wirral CME officer confirmed by phone",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say who confirmed the pupil is on roll, and how"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The triage page draws the field itself (it has no form until one is posted); the
        # helper is what the error summary reads.
        self.helper = helper("Record the confirmation", Field("how"))


@require_POST
def destination_confirm_view(request: HttpRequest, public_id: str) -> HttpResponse:
    # A submission outside the user's scope is a 404 (a refusal would confirm it exists); the
    # sender's own organisation may see it but only the CME team records the confirmation.
    submission = submission_get(user=request.user, public_id=public_id)
    if not can_triage(request.user):
        raise PermissionDenied("Only the local authority's CME team records a confirmation.")
    assert isinstance(request.user, User)
    form = DestinationConfirmForm(request.POST)
    if form.is_valid():
        try:
            deletion = DeletionReturn.objects.get(pk=submission.pk)
            done = destination_confirm(
                deletion=deletion, by=request.user, how=form.cleaned_data["how"]
            )
        except DeletionReturn.DoesNotExist:
            form.add_error(None, "Only a deletion return names a destination to confirm.")
        except IntakeError as error:
            show_error(form, error)
        else:
            said = f"{done.reference}: destination confirmed ({done.destination_confirmation})"
            messages.success(request, said)
            return redirect(reverse("referrals:triage", args=[submission.public_id]))
    return _triage_page(request, submission, destination_form=form)
