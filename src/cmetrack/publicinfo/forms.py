"""The public page's edit forms (GOV.UK Design System)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms

PARAGRAPHS = "Leave a blank line between paragraphs. No formatting: the text is shown as written."


class PageForm(forms.Form):
    what_is_cme = forms.CharField(
        label="What children missing education means",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        help_text=PARAGRAPHS,
    )
    how_to_refer = forms.CharField(
        label="How to tell us about a child",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )
    contact = forms.CharField(
        label="How to contact the team",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="The contact centre number, the team's email address, opening hours.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.textarea("what_is_cme"),
            Field.textarea("how_to_refer"),
            Field.textarea("contact"),
            Submit("submit", "Publish the changes"),
        )


class DocumentForm(forms.Form):
    title = forms.CharField(label="Title", max_length=150)
    description = forms.CharField(
        label="Description (optional)",
        max_length=300,
        required=False,
        help_text="For example, 'Word form for schools without an account'.",
    )
    file = forms.FileField(label="File (PDF, Word or Excel, up to 20 MB)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("title"),
            Field.text("description"),
            Field("file"),
            Submit("submit", "Publish the document"),
        )
