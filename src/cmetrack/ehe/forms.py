"""Forms for the EHE register, rendered with the GOV.UK Design System. Each checks what it can
alone (a date in the future, a missing answer); the service checks the rest and its errors are
put back on the form."""

from __future__ import annotations

from datetime import date
from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.utils import timezone

from cmetrack.cases.form_fields import date_field
from cmetrack.children.models import Sex
from cmetrack.children.services import AddressData, ChildData, ContactData

from .models import EheReason, EheReview, EndReason, Provider, Source
from .selectors import ReviewDue, Status, ehe_reasons_in_force
from .services import EheStart

EARLIEST = date(2000, 1, 1)


def _helper(*fields: Any, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the template owns the <form>
    helper.layout = Layout(*fields, Submit("submit", submit))
    return helper


def _check_date(form: forms.Form, name: str, what: str, *, future_ok: bool = False) -> None:
    value = form.cleaned_data.get(name)
    if value is None:
        return
    if value < EARLIEST:
        form.add_error(name, f"{what} must be 1 January 2000 or later: check the year")
    elif not future_ok and value > timezone.localdate():
        form.add_error(name, f"{what} cannot be in the future")


class RegisterFilterForm(forms.Form):
    status = forms.ChoiceField(label="Show", choices=Status.CHOICES, required=False)
    review = forms.ChoiceField(label="Review", choices=ReviewDue.CHOICES, required=False)


class NoticeForm(forms.Form):
    """A parent's written notice (or another source) that a child is home educated."""

    forenames = forms.CharField(label="Child's first name(s)", max_length=100)
    surname = forms.CharField(label="Child's surname", max_length=100)
    date_of_birth = date_field("Date of birth", required=True, help_text="For example, 27 3 2015")
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, widget=forms.RadioSelect)
    address_line_1 = forms.CharField(label="Address line 1", max_length=200, required=False)
    town = forms.CharField(label="Town or city", max_length=100, required=False)
    postcode = forms.CharField(label="Postcode", max_length=20, required=False)
    parent_name = forms.CharField(label="Parent's name", max_length=200)
    parent_phone = forms.CharField(label="Parent's phone number", max_length=40, required=False)
    source = forms.ChoiceField(
        label="Where the notice came from",
        choices=[(Source.PARENT_NOTICE, Source.PARENT_NOTICE.label), (Source.OTHER, "Other")],
        widget=forms.RadioSelect,
        initial=Source.PARENT_NOTICE,
    )
    source_reference = forms.CharField(
        label="Reference of the letter or email (optional)", max_length=40, required=False
    )
    start_date = date_field(
        "Date home education started (or starts)", required=True, help_text="For example, 1 9 2026"
    )
    reason: forms.ModelChoiceField[EheReason] = forms.ModelChoiceField(
        label="Main reason the parents gave",
        queryset=EheReason.objects.none(),  # today's list, set per form instance
        required=False,
        empty_label="Not known",
    )
    provider = forms.ChoiceField(
        label="Who provides the education",
        choices=Provider.choices,
        initial=Provider.NOT_KNOWN,
        widget=forms.RadioSelect,
    )
    provider_details = forms.CharField(
        label="Other providers (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Tutors, online schools or settings the child attends, with contact details.",
    )
    hours_per_week = forms.IntegerField(
        label="Hours of education a week, as the parents estimate it (optional)",
        required=False,
        min_value=0,
        max_value=168,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        assert isinstance(reason, forms.ModelChoiceField)
        reason.queryset = ehe_reasons_in_force(timezone.localdate())
        self.helper = _helper(
            Fieldset(
                Field.text("forenames"),
                Field.text("surname"),
                Field("date_of_birth"),
                Field.radios("sex", inline=True),
                legend="The child",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("address_line_1"),
                Field.text("town", field_width=20),
                Field.text("postcode", field_width=10),
                Field.text("parent_name"),
                Field.text("parent_phone", field_width=20),
                legend="Where the child lives and who with",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.radios("source"),
                Field.text("source_reference", field_width=20),
                Field("start_date"),
                Field.select("reason"),
                Field.radios("provider"),
                Field.textarea("provider_details"),
                Field.text("hours_per_week", field_width=4),
                legend="The home education",
                legend_size=Size.MEDIUM,
            ),
            submit="Add to the register",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_date(self, "date_of_birth", "Date of birth")
        # A notice may give a start date a few weeks ahead: the child is counted from then.
        _check_date(self, "start_date", "The start date", future_ok=True)
        return data

    def child_data(self) -> ChildData:
        d = self.cleaned_data
        has_address = bool(d["address_line_1"].strip() or d["postcode"].strip())
        return ChildData(
            forenames=d["forenames"],
            surname=d["surname"],
            date_of_birth=d["date_of_birth"],
            sex=d["sex"],
            address=AddressData(line_1=d["address_line_1"], town=d["town"], postcode=d["postcode"])
            if has_address
            else None,
            contacts=[ContactData(name=d["parent_name"], phone=d["parent_phone"])],
        )

    def start(self) -> EheStart:
        d = self.cleaned_data
        return EheStart(
            start_date=d["start_date"],
            source=d["source"],
            source_reference=d["source_reference"],
            reason=d["reason"],
            provider=d["provider"],
            provider_details=d["provider_details"],
            hours_per_week=d["hours_per_week"],
        )


class ReviewForm(forms.Form):
    reviewed_on = date_field("Date of the review", required=True)
    method = forms.ChoiceField(
        label="How was the education reviewed?",
        choices=EheReview.Method.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the review was made"},
    )
    outcome = forms.ChoiceField(
        label="What did the review find?",
        choices=EheReview.Outcome.choices,
        widget=forms.RadioSelect,
        help_text=(
            "“Education judged unsuitable” ends the record and opens a CME case for the child."
        ),
        error_messages={"required": "Choose what the review found"},
    )
    note = forms.CharField(
        label="Notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Required when the education is judged unsuitable: say why.",
    )
    next_review_due = date_field(
        "Next review due", help_text="Leave blank when the education is judged unsuitable."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("reviewed_on", timezone.localdate())
        self.helper = _helper(
            Field("reviewed_on"),
            Field.radios("method", legend_size=Size.SMALL),
            Field.radios("outcome", legend_size=Size.SMALL),
            Field.textarea("note"),
            Field("next_review_due"),
            submit="Record the review",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_date(self, "reviewed_on", "The review date")
        _check_date(self, "next_review_due", "The next review date", future_ok=True)
        return data


class EndForm(forms.Form):
    end_reason = forms.ChoiceField(
        label="Why does the record end?",
        choices=EndReason.choices,
        widget=forms.RadioSelect,
        help_text="“Home education judged unsuitable” opens a CME case for the child.",
        error_messages={"required": "Choose why the record ends"},
    )
    end_date = date_field("Date it ended", required=True)
    note = forms.CharField(
        label="Notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required for “judged unsuitable” and “other”: say why.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("end_date", timezone.localdate())
        self.helper = _helper(
            Field.radios("end_reason", legend_size=Size.MEDIUM),
            Field("end_date"),
            Field.textarea("note"),
            submit="End the record",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_date(self, "end_date", "The end date")
        return data


class AlertForm(forms.Form):
    note = forms.CharField(
        label="What was decided",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, who in children's social care was told and what they will do.",
        error_messages={"required": "Say what was decided"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("note"), submit="Acknowledge the alert")
