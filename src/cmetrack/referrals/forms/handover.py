"""Hand-over forms: the CME team sends and records; the receiving authority answers."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms

from ..models import HandoverState
from .common import helper


class HandoverForm(forms.Form):
    other_la_name = forms.CharField(
        label="Receiving authority",
        max_length=200,
        error_messages={"required": "Enter the receiving authority"},
    )
    other_la_code = forms.CharField(label="Its LA number", required=False, max_length=3)
    new_address = forms.CharField(label="New address, if known", required=False, max_length=200)
    concerns = forms.CharField(
        label="Concerns to pass on", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper(
            "Send hand-over",
            Field.text("other_la_name", field_width=20),
            Field.text("other_la_code", field_width=4),
            Field.text("new_address"),
            Field("concerns"),
        )


class HandoverUpdateForm(forms.Form):
    to = forms.ChoiceField(
        label="What happened?",
        choices=[
            (s.value, s.label)
            for s in (
                HandoverState.ACKNOWLEDGED,
                HandoverState.ACCEPTED,
                HandoverState.DECLINED,
                HandoverState.WITHDRAWN,
            )
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened"},
    )
    reason = forms.CharField(
        label="Reason (needed when declined)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper("Record", Field.radios("to", legend_size=Size.MEDIUM), Field("reason"))


class HandoverReplyForm(forms.Form):
    """The receiving authority's answer to a hand-over addressed to it."""

    to = forms.ChoiceField(
        label="Your answer",
        choices=[
            (HandoverState.ACKNOWLEDGED.value, "Acknowledge: we have it and are looking into it"),
            (HandoverState.ACCEPTED.value, "Accept: we take the child on"),
            (HandoverState.DECLINED.value, "Decline: say why below"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose your answer"},
    )
    reason = forms.CharField(
        label="Reason (needed when you decline)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, allowed: frozenset[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allowed is not None:
            field = self.fields["to"]
            field.choices = [c for c in field.choices if c[0] in allowed]  # type: ignore[attr-defined]
        self.helper = helper(
            "Send answer", Field.radios("to", legend_size=Size.MEDIUM), Field("reason")
        )
