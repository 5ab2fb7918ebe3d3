"""Forms for letter templates (administrators). The file checks are the service's, so a
command, this form and any later API refuse the same files with the same words."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from .models import TemplateKind


def _helper(*fields: object, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the template owns the <form> (it needs enctype)
    helper.layout = Layout(*fields, Submit("submit", submit))
    return helper


class VersionUploadForm(forms.Form):
    file = forms.FileField(
        label="Word template (.docx)",
        help_text="Placeholders are written {{ name }}, from the placeholders table below.",
    )
    note = forms.CharField(
        label="What changed",
        max_length=300,
        help_text="For example, 'New contact number'. Kept with the version.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.helper = _helper(Field("file"), Field.text("note"), submit="Upload as the new version")


class TemplateCreateForm(forms.Form):
    title = forms.CharField(label="Title", max_length=150)
    purpose = forms.CharField(
        label="What it is for", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )
    kind = forms.ChoiceField(label="Kind", choices=TemplateKind.choices, widget=forms.RadioSelect)
    file = forms.FileField(label="Word template (.docx)")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.helper = _helper(
            Field.text("title"),
            Field.textarea("purpose"),
            Field.radios("kind", legend_size=Size.SMALL),
            Field("file"),
            submit="Add the template",
        )
