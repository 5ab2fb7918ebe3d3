"""The public concern form: no sign-in, and nothing in the answer says whether the child is
known. Its rules are `public_concern_check`, the same the service applies."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms

from ..services.public import PublicConcernData, public_concern_check
from .common import CheckedForm


class PublicConcernForm(CheckedForm):
    about_child = forms.CharField(
        label="What do you know about the child?",
        help_text="For example, their name, roughly how old they are, who they live with.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    where = forms.CharField(
        label="Where is the child, or where might they be?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
    )
    why_worried = forms.CharField(
        label="Why are you worried?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )
    contact_name = forms.CharField(label="Your name (optional)", required=False, max_length=200)
    contact_phone = forms.CharField(
        label="Your phone number (optional)", required=False, max_length=40
    )
    contact_email = forms.EmailField(
        label="Your email address (optional)",
        required=False,
        help_text="We will email you the reference number, and nothing else.",
        error_messages={"invalid": "Enter an email address like name@example.com"},
    )
    # The honeypot: hidden from people by CSS and aria-hidden; bots fill it in.
    website = forms.CharField(required=False, label="Leave this blank")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("about_child"),
            Field("where"),
            Field("why_worried"),
            Fieldset(
                Field("contact_name"),
                Field("contact_phone"),
                Field("contact_email"),
                legend="Your details (optional)",
                legend_size=Size.MEDIUM,
            ),
        )

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.apply_verdict(public_concern_check(self.to_data()))
        return data

    def to_data(self) -> PublicConcernData:
        d = self.cleaned_data
        return PublicConcernData(
            about_child=d.get("about_child", ""),
            where=d.get("where", ""),
            why_worried=d.get("why_worried", ""),
            contact_name=d.get("contact_name", ""),
            contact_phone=d.get("contact_phone", ""),
            contact_email=d.get("contact_email", ""),
        )
