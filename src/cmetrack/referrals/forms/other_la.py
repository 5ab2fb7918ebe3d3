"""A notification from another local authority, entered by that authority or by the CME team.
Its rules are `other_la_check`, the same the service applies."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Fieldset, Size
from django import forms
from django.utils import timezone

from cmetrack.accounts.access import is_la_staff, is_other_la_user
from cmetrack.accounts.models import User

from ..models import Nature
from ..services.other_la import OtherLaData, other_la_check
from .common import ChildFieldsForm, fieldset, helper


class OtherLaNotificationForm(ChildFieldsForm):
    nature = forms.ChoiceField(
        label="What is this about?",
        choices=[
            (Nature.MOVED_IN.value, Nature.MOVED_IN.label),
            (Nature.ENQUIRY.value, Nature.ENQUIRY.label),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    other_la_name = forms.CharField(label="Authority sending it", required=False, max_length=200)
    other_la_code = forms.CharField(label="Its LA number", required=False, max_length=3)
    previous_address = forms.CharField(
        label="Previous address", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    concerns = forms.CharField(
        label="Concerns and what is known", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    officer_name = forms.CharField(label="CME officer's name", required=False, max_length=200)
    officer_phone = forms.CharField(label="Phone", required=False, max_length=40)
    officer_email = forms.EmailField(label="Email", required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        la_fields: tuple[str, ...] = ("other_la_name", "other_la_code")
        if not is_la_staff(user):
            del self.fields["other_la_name"]
            del self.fields["other_la_code"]
            la_fields = ()
        self.helper = helper(
            "Send notification",
            Fieldset(
                Field.radios("nature", legend_size=Size.SMALL),
                legend="The notification",
                legend_size=Size.MEDIUM,
            ),
            fieldset("The child", *self.CHILD_FIELDS, *self.ADDRESS_FIELDS, "previous_address"),
            fieldset("What you know", "concerns"),
            fieldset("Contact", *la_fields, "officer_name", "officer_phone", "officer_email"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        sender = self.user.organisation if is_other_la_user(self.user) else None
        la_name = sender.name if sender else data.get("other_la_name", "").strip()
        verdict = other_la_check(self.to_data(), today=timezone.localdate(), la_name=la_name)
        self.apply_verdict(verdict)
        return data

    def to_data(self) -> OtherLaData:
        d = self.cleaned_data
        return OtherLaData(
            child=self.child(),
            nature=d.get("nature", ""),
            other_la_name=d.get("other_la_name", ""),
            other_la_code=d.get("other_la_code", ""),
            officer_name=d.get("officer_name", ""),
            officer_phone=d.get("officer_phone", ""),
            officer_email=d.get("officer_email", ""),
            previous_address=d.get("previous_address", ""),
            concerns=d.get("concerns", ""),
        )
