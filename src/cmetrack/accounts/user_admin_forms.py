"""Forms for the administrators' user pages (/account/users/)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from .models import Organisation, User


class InviteForm(forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=150, error_messages={"required": "Enter their first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, error_messages={"required": "Enter their last name"}
    )
    email = forms.EmailField(
        label="Email address",
        help_text="Their work email address. It is also the username they sign in with.",
        max_length=150,
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )
    role = forms.ChoiceField(
        label="Role",
        choices=User.Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose their role"},
    )
    organisation = forms.ChoiceField(
        label="Organisation",
        help_text=(
            "Who they work for. A school user needs their school's organisation, an agency user "
            "an agency, another authority's user that authority. Add a missing one under "
            "Users, Organisations."
        ),
        error_messages={"required": "Choose their organisation"},
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._organisations = {str(org.public_id): org for org in organisations}
        groups: dict[str, list[tuple[str, str]]] = {}
        for org in self._organisations.values():
            groups.setdefault(org.get_kind_display(), []).append((str(org.public_id), org.name))
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose their organisation"), *groups.items()]
        helper = FormHelper()
        helper.form_tag = False  # the template owns the <form>, with novalidate
        helper.layout = Layout(
            Field.text("first_name", field_width=20),
            Field.text("last_name", field_width=20),
            Field.text("email", field_width=30),
            Field.radios("role", legend_size=Size.SMALL),
            Field.select("organisation"),
            Submit("submit", "Send invitation"),
        )
        self.helper = helper

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError("An account already uses this email address")
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        key = data.get("organisation")
        organisation = self._organisations.get(key) if key else None
        if key and organisation is None:
            self.add_error("organisation", "Choose their organisation")
        data["organisation"] = organisation
        role = data.get("role")
        if role and organisation is not None:
            # The model's own rule (User.ROLE_ORGANISATION), not a copy of it.
            try:
                User(role=role, organisation=organisation).clean()
            except ValidationError as error:
                for message in error.message_dict.get("organisation", []):
                    self.add_error("organisation", message)
        return data
