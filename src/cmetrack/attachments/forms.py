"""The upload and removal forms, rendered with the GOV.UK Design System. They check only what
the page asks; the services check the file itself (uploads.checks) and the rest."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from .models import EvidenceType
from .services import DESCRIPTION_LONGEST, REASON_LONGEST


class AttachmentForm(forms.Form):
    evidence_type = forms.ChoiceField(
        label="What is it?",
        choices=EvidenceType.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the evidence is",
            "invalid_choice": "Choose what the evidence is",
        },
    )
    description = forms.CharField(
        label="Short description (optional)",
        help_text="For example, 'Home visit, no answer, neighbour spoken to'.",
        required=False,
        max_length=DESCRIPTION_LONGEST,
        error_messages={
            "max_length": f"The description must be {DESCRIPTION_LONGEST} characters or fewer"
        },
    )
    file = forms.FileField(
        label="Upload a file",
        # An empty file is the service's to refuse (uploads.checks), with the same message
        # whichever way the file arrived.
        allow_empty_file=True,
        error_messages={"required": "Select a file", "invalid": "Select a file"},
    )

    def __init__(self, *args: Any, help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if help_text:
            self.fields["file"].help_text = help_text
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template owns the <form> (multipart)
        self.helper.disable_csrf = True  # and its token
        self.helper.layout = Layout(
            Field.radios("evidence_type", legend_size=Size.MEDIUM),
            Field.text("description"),
            Field("file"),
            Submit("submit", "Attach"),
        )


class RemoveForm(forms.Form):
    reason = forms.CharField(
        label="Why are you removing it?",
        help_text="For example, attached to the wrong case. Who attached it and when is kept.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_LONGEST,
        error_messages={
            "required": "Say why the attachment is being removed",
            "max_length": f"The reason must be {REASON_LONGEST} characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.textarea("reason"),
            Submit("submit", "Remove the attachment", css_class="govuk-button--warning"),
        )
