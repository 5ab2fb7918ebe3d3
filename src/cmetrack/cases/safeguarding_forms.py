"""Forms for escalation, reasonable enquiries, closure approval and enquiries exhausted."""

from datetime import date
from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.utils import timezone

from .form_fields import CaseVersionMixin, effective
from .models import EnquiryCheck, EnquiryCheckType

DATE_HELP = "For example, 27/3/2027"


def _helper(*fields: Any, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the template owns the <form>
    helper.render_hidden_fields = True  # the case version, on forms that carry one
    helper.layout = Layout(*fields, Submit("submit", submit))
    return helper


def _date_field(label: str, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=DATE_HELP,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as day/month/year",
        },
    )


class ResolveEscalationForm(forms.Form):
    action = forms.CharField(
        label="What action was taken?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For example: referred to MASH by phone at 10:20, strategy discussion booked.",
        error_messages={"required": "Enter the action taken"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("action"), submit="Resolve escalation")


class EnquiryForm(forms.Form):
    check_type = forms.ModelChoiceField(
        label="Enquiry",
        queryset=EnquiryCheckType.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the enquiry made"},
    )
    done_on = _date_field("Date of the enquiry")
    done_by_name = forms.CharField(
        label="Made by",
        max_length=200,
        help_text="Name and organisation",
        error_messages={"required": "Enter who made the enquiry"},
    )
    method = forms.ChoiceField(
        label="How",
        choices=EnquiryCheck.Method.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the enquiry was made"},
    )
    result = forms.ChoiceField(
        label="Outcome",
        choices=EnquiryCheck.Result.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome"},
    )
    note = forms.CharField(
        label="What was found (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["check_type"].queryset = effective(  # type: ignore[attr-defined]
            EnquiryCheckType.objects.all()
        )
        if not self.is_bound:
            self.initial.setdefault("done_on", today.strftime("%d/%m/%Y"))
        self.helper = _helper(
            Field.radios("check_type", small=True, legend_size=Size.MEDIUM),
            Field.text("done_on", field_width=10),
            Field.text("done_by_name"),
            Field.radios("method", small=True, inline=True),
            Field.radios("result", small=True),
            Field.textarea("note"),
            submit="Record enquiry",
        )

    def clean_done_on(self) -> date:
        value: date = self.cleaned_data["done_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date of the enquiry must be today or in the past")
        return value


class ReturnClosureForm(forms.Form):
    reason = forms.CharField(
        label="Why is the closure being sent back?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter why the closure is sent back"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("reason"), submit="Send back")


class EnquiriesExhaustedForm(CaseVersionMixin):
    off_roll_date = _date_field("Agreed off-roll date", required=False)
    note = forms.CharField(
        label="Why enquiries are exhausted",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter why enquiries are exhausted"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["off_roll_date"].help_text = (
            "Only for a removal from roll under ground (h) or (i): the date the school and the "
            "authority agreed. " + DATE_HELP
        )
        self.helper = _helper(
            Field.text("off_roll_date", field_width=10),
            Field.textarea("note"),
            submit="Record the decision",
        )
