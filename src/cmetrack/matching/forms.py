"""Forms for merging two records and for saying they are different children (GOV.UK)."""

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from .services import SOURCE, TARGET, FieldConflict


class MergeForm(forms.Form):
    """One radio question per field the two records disagree on; nothing else to fill in."""

    def __init__(self, *args: Any, conflicts: list[FieldConflict], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for conflict in conflicts:
            self.fields[conflict.name] = forms.ChoiceField(
                label=f"Which {conflict.label.lower()} is right?",
                choices=[
                    (TARGET, f"{conflict.target_value} (the record you keep)"),
                    (SOURCE, f"{conflict.source_value} (the duplicate)"),
                ],
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose which {conflict.label.lower()} to keep"},
            )
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template owns the <form>
        self.helper.layout = Layout(
            *(Field.radios(c.name, legend_size=Size.SMALL) for c in conflicts),
            Submit("submit", "Merge these records"),
        )


class NotTheSameForm(forms.Form):
    reason = forms.CharField(
        label="Why are these different children? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template owns the <form>
        self.helper.layout = Layout(
            Field.textarea("reason"),
            Submit("submit", "Not the same child", css_class="govuk-button--secondary"),
        )
