"""Small helpers the intake views share."""

from django import forms

from ..services import IntakeError


def show_error(form: forms.Form, error: IntakeError) -> None:
    """A service refusal goes on its field when the form has one, else at the top."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))
