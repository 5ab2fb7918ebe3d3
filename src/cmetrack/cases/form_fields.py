"""Form fields shared by every form that records a referral (the CME team's and the partners'),
and the hidden case version every form that changes a case carries (docs/concurrent-edits.md).

Reference data is effective-dated, so the choices are worked out per form instance (today's
list), never once at import time.
"""

from __future__ import annotations

from typing import Any, TypeVar

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from cmetrack.children.models import VulnerabilityFlagType
from cmetrack.schools.models import School

from .models import MissingReason

M = TypeVar("M", bound=Model)


def effective(queryset: QuerySet[M]) -> QuerySet[M]:
    """Rows of effective-dated reference data in force today."""
    today = timezone.localdate()
    return queryset.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
    )


# The widest integer a database column holds (bigint): Django's `pk__in` lookup passes a larger
# number straight to SQLite, which raises OverflowError (a 500) instead of finding nothing.
_DB_INT_LIMIT = 2**63


class ReferenceChoicesField(forms.ModelMultipleChoiceField):
    """A multiple choice of reference data that refuses a number no row could have as a choice
    that does not exist, as it refuses any other unknown choice."""

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else ():
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue  # Django's own check refuses it
            if not -_DB_INT_LIMIT <= number < _DB_INT_LIMIT:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super().clean(value)


def primary_reason_field(label: str) -> forms.ModelChoiceField[MissingReason]:
    return forms.ModelChoiceField(
        label=label,
        queryset=MissingReason.objects.none(),
        empty_label="Choose a reason",
        error_messages={"required": "Choose the main reason"},
    )


def secondary_reasons_field() -> forms.ModelMultipleChoiceField[MissingReason]:
    return ReferenceChoicesField(
        label="Other reasons (optional)",
        queryset=MissingReason.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def flags_field() -> forms.ModelMultipleChoiceField[VulnerabilityFlagType]:
    return ReferenceChoicesField(
        label="Vulnerability (select all that apply)",
        queryset=VulnerabilityFlagType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def last_school_field() -> forms.ModelChoiceField[School]:
    return forms.ModelChoiceField(
        label="Last school attended",
        required=False,
        queryset=School.objects.none(),
        empty_label="Not known or none",
    )


def load_reference_choices(form: forms.Form) -> None:
    """Fill today's choices into whichever of the shared fields the form has."""
    choices: dict[str, Any] = {
        "primary_reason": effective(MissingReason.objects.all()),
        "secondary_reasons": effective(MissingReason.objects.all()),
        "flags": effective(VulnerabilityFlagType.objects.all()),
        "last_school": School.objects.filter(is_open=True),
    }
    for name, queryset in choices.items():
        if name in form.fields:
            form.fields[name].queryset = queryset  # type: ignore[attr-defined]


class GdsDateField(DateInputField):
    """The GOV.UK day/month/year date input, refusing a year Python cannot hold (99999999999
    would otherwise raise OverflowError and answer 500) with the Design System's message.

    Each part is required once any is given: Django's MultiValueField makes the parts optional
    when it is built with require_all_fields (the default), and setting that False afterwards
    left "2 12 (no year)" as no date at all, so a required date passed as None (a 500)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("require_all_fields", False)
        super().__init__(**kwargs)

    def compress(self, data_list: Any) -> Any:
        try:
            return super().compress(data_list)
        except OverflowError as error:
            raise forms.ValidationError("Enter a real date", code="invalid") from error


def date_field(label: str, required: bool = False, help_text: str = "") -> GdsDateField:
    field = GdsDateField(label=label, required=required, help_text=help_text)
    field.require_all_fields = False
    return field


# A version no case reaches, and no database integer column refuses (PositiveIntegerField).
_VERSION_LIMIT = 2**31 - 1
OUT_OF_DATE = "This page could not be read: go back to the case and open it again"


class CaseVersionField(forms.CharField):
    """The version of the case a form was opened at, in a hidden input, so the service can
    refuse the form if the case changed since (services.CaseChanged). Blank is no version: the
    change goes ahead as a service call without one would (an old tab, a script)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = str(super().to_python(value)).strip()
        if not text:
            return None
        if not text.isdecimal() or not 1 <= int(text) <= _VERSION_LIMIT:
            raise ValidationError(OUT_OF_DATE, code="bad_version")
        return int(text)


class CaseVersionMixin(forms.Form):
    """A form that changes a case: carries `version`. The view fills the version in when it
    shows the form (case_action_page); a version that cannot be read is an error on the whole
    form, since the field is hidden and there is nothing on the page to correct."""

    version = CaseVersionField()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "version" in self.errors:
            self.errors.pop("version")
            self.add_error(None, OUT_OF_DATE)
        return data
