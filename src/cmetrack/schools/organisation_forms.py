"""Forms for the administrators' organisation pages (/account/organisations/). They live with
the schools register because a school organisation is chosen by its URN; the rules are
`accounts.organisations.organisation_problems`, shared with the services."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from cmetrack.accounts.models import Organisation
from cmetrack.accounts.organisations import OrganisationData, organisation_problems

from .models import School
from .selectors import school_get_by_urn

# What each kind is for, beside its radio button.
KIND_HINTS = {
    Organisation.Kind.SCHOOL: "Its staff send returns and referrals and see their own school's.",
    Organisation.Kind.AGENCY: "Social care, health, police, housing, youth justice and others.",
    Organisation.Kind.OTHER_LA: "Another authority's CME team, which sends and receives children.",
}


class OrganisationAddForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of organisation is it?",
        choices=[(k.value, k.label) for k in KIND_HINTS],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of organisation it is"},
    )
    urn = forms.CharField(
        label="School URN",
        help_text="For a school: its unique reference number, as in the schools register.",
        required=False,
        max_length=7,
    )
    name = forms.CharField(
        label="Name",
        help_text="For a school, leave blank to use its name in the register.",
        required=False,
        max_length=200,
    )
    la_code = forms.CharField(
        label="LA number",
        help_text="Three digits, for example 343. Needed for another authority.",
        required=False,
        max_length=3,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school: School | None = None
        helper = FormHelper()
        helper.form_tag = False  # the template owns the <form>, with novalidate
        helper.layout = Layout(
            Field.radios("kind", legend_size=Size.SMALL),
            Field.text("urn", field_width=10),
            Field.text("name"),
            Field.text("la_code", field_width=4),
            Submit("submit", "Add the organisation"),
        )
        self.helper = helper

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind", "")
        urn = cleaned.get("urn", "").strip()
        if kind == Organisation.Kind.SCHOOL:
            self.school = school_get_by_urn(urn) if urn else None
            if urn and self.school is None:
                self.add_error("urn", f"No school in the register has the URN {urn}")
                return cleaned
            if self.school is not None:
                cleaned["name"] = cleaned.get("name", "").strip() or self.school.name
                cleaned["la_code"] = cleaned.get("la_code", "").strip() or self.school.la_code
        if kind:
            for field, message in organisation_problems(self.data_object(cleaned)).items():
                field = "urn" if field == "school" else field
                if field not in self.errors:
                    self.add_error(field, message)
        return cleaned

    def data_object(self, cleaned: dict[str, Any] | None = None) -> OrganisationData:
        cleaned = self.cleaned_data if cleaned is None else cleaned
        return OrganisationData(
            kind=cleaned.get("kind", ""),
            name=cleaned.get("name", ""),
            la_code=cleaned.get("la_code", ""),
            school_id=self.school.pk if self.school is not None else None,
        )


class OrganisationEditForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the organisation's name"}
    )
    la_code = forms.CharField(
        label="LA number",
        help_text="Three digits, for example 343.",
        required=False,
        max_length=3,
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"name": organisation.name, "la_code": organisation.la_code})
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        helper = FormHelper()
        helper.form_tag = False
        helper.layout = Layout(
            Field.text("name"), Field.text("la_code", field_width=4), Submit("submit", "Save")
        )
        self.helper = helper

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        data = OrganisationData(
            kind=self.organisation.kind,
            name=cleaned.get("name", ""),
            la_code=cleaned.get("la_code", ""),
            school_id=self.organisation.school_id,
        )
        for field, message in organisation_problems(data, existing=self.organisation).items():
            if field not in self.errors:  # the field's own error (e.g. required) says it
                self.add_error(field if field in self.fields else None, message)
        return cleaned
