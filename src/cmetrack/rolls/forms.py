"""The roll upload and withdrawal forms (GOV.UK Design System through crispy-forms-gds). The
service decides what may be loaded; its refusal is put back on the file field."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms

from cmetrack.cases.form_fields import date_field
from cmetrack.schools.models import School

from .reading import RollFormat

FORMAT_CHOICES = [
    ("", "Work it out from the file"),
    (RollFormat.CENSUS.value, "School census-style CSV or XLSX"),
    (RollFormat.CTF.value, "Common Transfer File (full CTF, XML)"),
    (RollFormat.MIS.value, "Export from a school's MIS (CSV or XLSX)"),
]


def _helper(*fields: Any, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the template owns the <form>
    helper.layout = Layout(*fields, Submit("submit", submit))
    return helper


class RollUploadForm(forms.Form):
    file = forms.FileField(
        label="Roll file",
        help_text="A school census-style CSV or XLSX, a full CTF (XML) or a MIS export.",
        error_messages={"required": "Choose the roll file to load"},
    )
    as_of = date_field(
        "Date the roll is for",
        help_text="For example, the census date. Leave blank if the file says (a CTF does).",
    )
    school = forms.ModelChoiceField(
        label="School (only if the file does not say)",
        queryset=School.objects.filter(is_open=True),
        required=False,
        help_text="A one-school MIS export often names no school: choose it here.",
    )
    format = forms.ChoiceField(label="Kind of file", choices=FORMAT_CHOICES, required=False)
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        max_length=200,
        help_text="For example, “Autumn census 2026, all schools”.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field("file"),
            Field("as_of"),
            Field("school"),
            Field("format"),
            Field.text("description"),
            submit="Load the roll",
        )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is this load withdrawn?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the load is withdrawn"},
        max_length=2000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field("reason"), submit="Withdraw this load")
