"""Forms of the cross-checks: what to check (one form per kind, the fields it needs), and why
a candidate is dismissed. The service's `request_problems` is the one check of a request; the
form puts its answers back on the fields."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms
from django.utils import timezone

from cmetrack.cases.form_fields import date_field

from .kinds import KINDS, CheckKind
from .services import CheckRequest, request_problems

YEAR_GROUP_CHOICES = [("R", "Reception")] + [(str(y), f"Year {y}") for y in range(1, 11)]


def _helper(*fields: Any, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*fields, Submit("submit", submit))
    return helper


class CheckForm(forms.Form):
    check_on = date_field(
        "Date to check",
        required=True,
        help_text="Rolls as of this date are searched (normally today).",
    )
    leavers_on = date_field(
        "Date of last summer's rolls",
        required=False,
        help_text="The leavers are the pupils on the rolls as of this date, for example 15 7 2026.",
    )
    year_groups = forms.MultipleChoiceField(
        label="Leavers' year groups (optional)",
        choices=YEAR_GROUP_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for the top year group of each school that ends before "
        "Year 11: Year 6 at a primary, Year 2 at an infant school, Reception where a school "
        "ends there.",
    )
    by_date = date_field(
        "Of compulsory school age by",
        required=False,
        help_text="Children who reach compulsory school age on or before this date are checked.",
    )
    list_file = forms.FileField(
        label="List of children (CSV or XLSX)",
        required=False,
        help_text="Columns for names, date of birth, and if known UPN and postcode.",
    )
    list_source = forms.CharField(
        label="Where the list came from",
        required=False,
        max_length=100,
        help_text="For example, “Admissions: reception applications 2027” or “Housing”.",
    )

    FIELDS_FOR = {
        CheckKind.TRANSITION: ("check_on", "leavers_on", "year_groups"),
        CheckKind.STARTING_SCHOOL: ("check_on", "by_date", "list_file", "list_source"),
        CheckKind.KNOWN_TO_SERVICES: ("check_on", "list_file", "list_source"),
        CheckKind.REPEATED_MOVES: ("check_on",),
    }

    def __init__(self, *args: Any, kind: CheckKind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        wanted = self.FIELDS_FOR[kind]
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        if "check_on" in self.fields and not self.is_bound:
            self.initial.setdefault("check_on", timezone.localdate())
        layout = [Field.text(n) if n == "list_source" else Field(n) for n in wanted]
        self.helper = _helper(*layout, submit=f"Run the {KINDS[kind].title.lower()} check")

    def check_request(self) -> CheckRequest:
        data = self.cleaned_data
        upload = data.get("list_file")
        return CheckRequest(
            kind=self.kind,
            check_on=data["check_on"],
            leavers_on=data.get("leavers_on"),
            year_groups=tuple(data.get("year_groups") or ()),
            by_date=data.get("by_date"),
            list_content=upload.read() if upload else b"",
            list_name=upload.name if upload else "",
            list_source=data.get("list_source", ""),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors or cleaned.get("check_on") is None:
            return cleaned
        upload = cleaned.get("list_file")
        probe = CheckRequest(
            kind=self.kind,
            check_on=cleaned["check_on"],
            leavers_on=cleaned.get("leavers_on"),
            by_date=cleaned.get("by_date"),
            list_content=b"x" if upload else b"",
            list_source=cleaned.get("list_source", ""),
        )
        for name, message in request_problems(probe, today=timezone.localdate()).items():
            self.add_error(name, message)
        return cleaned


class DismissForm(forms.Form):
    reason = forms.CharField(
        label="Why is this child not missing education?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why this child is not missing education"},
        help_text="For example, “Moved to Leeds: confirmed by Leeds CME team 3 October”. The "
        "next run of this check shows the child as dismissed, with this reason.",
        max_length=2000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field("reason"), submit="Dismiss")
