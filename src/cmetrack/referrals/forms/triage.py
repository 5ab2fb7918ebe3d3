"""The CME team's triage forms: open a case, link to one, no action, confirm joint enquiries."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms

from cmetrack.cases.form_fields import effective
from cmetrack.cases.models import MissingReason

from ..models import SharedStatus
from .common import date_field, helper


class OpenCaseForm(forms.Form):
    forenames = forms.CharField(label="Child's legal first name(s)", max_length=100)
    surname = forms.CharField(label="Child's legal surname", max_length=100)
    date_of_birth = date_field("Date of birth")
    primary_reason = forms.ModelChoiceField(
        label="Main reason", queryset=MissingReason.objects.none(), empty_label="Choose a reason"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["primary_reason"].queryset = effective(  # type: ignore[attr-defined]
            MissingReason.objects.all()
        )
        self.helper = helper(
            "Open a CME case",
            Field.text("forenames", field_width=20),
            Field.text("surname", field_width=20),
            Field("date_of_birth"),
            Field.select("primary_reason"),
        )


class LinkCaseForm(forms.Form):
    reference = forms.CharField(
        label="Case reference",
        max_length=16,
        help_text="For example, CME-7K3P-Q9XW",
        error_messages={"required": "Enter the case reference"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper("Link to this case", Field.text("reference", field_width=10))


class NoActionForm(forms.Form):
    reason = forms.CharField(
        label="Why is no action needed?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why no action is needed"},
    )
    shared_status = forms.ChoiceField(
        label="What the sender is told",
        choices=[
            (s.value, s.label)
            for s in (
                SharedStatus.CLOSED_NO_ACTION,
                SharedStatus.RECORDED,
                SharedStatus.CLOSED_ON_ROLL_ELSEWHERE,
            )
        ],
        widget=forms.RadioSelect,
        initial=SharedStatus.CLOSED_NO_ACTION,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper(
            "Record no action",
            Field("reason"),
            Field.radios("shared_status", small=True, legend_size=Size.SMALL),
        )


class AskMoreForm(forms.Form):
    """The CME team asks the authority that sent a notification for more before triaging it."""

    question = forms.CharField(
        label="What do you need to know?",
        help_text="The sending authority is told this; the notification stays in the queue.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what you need to know"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper("Ask for more information", Field("question"))


class ConfirmEnquiriesForm(forms.Form):
    note = forms.CharField(
        label="Which joint enquiries were made, and with what result?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say which enquiries the LA made and their outcome"},
    )
    removal_agreed_on = date_field(
        "Removal from roll agreed on",
        help_text="Leave blank for the earliest lawful date (or today, if that has passed)",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper(
            "Agree: enquiries are exhausted", Field("note"), Field("removal_agreed_on")
        )
