"""What the intake forms share: the GOV.UK layout helpers, the child's particulars, the
school choice for the CME team, and putting a shared check's verdict on the form's fields."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms

from cmetrack.accounts.access import is_la_staff
from cmetrack.accounts.models import User
from cmetrack.cases.form_fields import date_field
from cmetrack.children.models import Sex
from cmetrack.schools.models import School

from ..checks import Problem, Verdict
from ..particulars import ChildParticulars

__all__ = ["ChildFieldsForm", "SchoolChoiceMixin", "date_field", "fieldset", "helper"]


def helper(submit: str, *parts: Any) -> FormHelper:
    form_helper = FormHelper()
    form_helper.form_tag = False  # the template owns the <form>, with novalidate
    form_helper.layout = Layout(*parts, Submit("submit", submit))
    return form_helper


def fieldset(legend: str, *names: str) -> Fieldset:
    return Fieldset(*[Field(n) for n in names], legend=legend, legend_size=Size.MEDIUM)


class CheckedForm(forms.Form):
    """A form whose rules are its kind's shared check (`referrals.checks`): the form only
    turns answers into typed values, then puts the check's errors on the fields they name.
    `warnings` keeps what the check flagged, for the confirmation page."""

    warnings: list[Problem]

    def apply_verdict(self, verdict: Verdict, *, aliases: dict[str, str] | None = None) -> None:
        self.warnings = list(verdict.warnings)
        for problem in verdict.errors:
            name = (aliases or {}).get(problem.field, problem.field)
            if name not in self.fields:
                self.add_error(None, problem.message)
            elif name not in self.errors:  # a field that did not parse keeps that one message
                self.add_error(name, problem.message)


class ChildFieldsForm(CheckedForm):
    # Presence, length and format are the shared check's (referrals.checks.child).
    forenames = forms.CharField(label="Legal first name(s)", required=False)
    surname = forms.CharField(label="Legal surname", required=False)
    date_of_birth = date_field("Date of birth", help_text="For example, 27 3 2015")
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, initial=Sex.UNKNOWN)
    upn = forms.CharField(
        label="Unique pupil number (UPN)",
        required=False,
        help_text="13 characters, for example H801200001001",
    )
    address_line_1 = forms.CharField(label="Address line 1", required=False)
    town = forms.CharField(label="Town or city", required=False)
    postcode = forms.CharField(label="Postcode", required=False)

    CHILD_FIELDS = ("forenames", "surname", "date_of_birth", "sex", "upn")
    ADDRESS_FIELDS = ("address_line_1", "town", "postcode")

    def child(self) -> ChildParticulars:
        d = self.cleaned_data
        return ChildParticulars(
            forenames=d.get("forenames", ""),
            surname=d.get("surname", ""),
            date_of_birth=d.get("date_of_birth"),
            sex=d.get("sex", "U"),
            upn=d.get("upn", ""),
            address_line_1=d.get("address_line_1", ""),
            town=d.get("town", ""),
            postcode=d.get("postcode", ""),
        )


class SchoolChoiceMixin:
    """The CME team records returns on a school's behalf and so chooses the school."""

    fields: dict[str, forms.Field]

    def _school_field(self, user: User) -> list[str]:
        if is_la_staff(user):
            self.fields["school"] = forms.ModelChoiceField(
                label="School",
                queryset=School.objects.filter(is_open=True),
                empty_label="Choose the school",
                error_messages={"required": "Choose the school sending the return"},
            )
            return ["school"]
        return []
