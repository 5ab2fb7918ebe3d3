"""The API's input is checked by the web forms themselves, so a return sent by a school's MIS
meets exactly the checks, routing and messages of one typed into the site (one rule, one home).

JSON is turned into what the form reads: an ISO date ("2026-12-01") into the GOV.UK
day/month/year parts, true/false into a checkbox, and a reference to reference data by its
natural key, the one a system outside holds (a school by URN, a reason or a flag by code).
The form's errors come back as the API's error list, field by field.

The same forms describe the request body in the OpenAPI document (`request_serializer`), so
the schema cannot drift from what is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any

from django import forms
from rest_framework import serializers

from cmetrack.cases.form_fields import GdsDateField
from cmetrack.cases.models import MissingReason
from cmetrack.children.models import VulnerabilityFlagType
from cmetrack.schools.models import School

from .errors import Problem

NATURAL_KEYS: dict[type[Any], tuple[str, str]] = {
    School: ("urn", "the school's URN"),
    MissingReason: ("code", "the reason's code"),
    VulnerabilityFlagType: ("code", "the flag's code"),
}


class BadValue(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.problem: Problem = {"field": field, "message": message}


def use_natural_keys(form: forms.Form) -> None:
    """Reference data chosen by the key a system outside holds, not our database ids."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            key = NATURAL_KEYS.get(field.queryset.model)  # type: ignore[union-attr]
            if key is not None:
                field.to_field_name = key[0]


def form_data(form_class: type[forms.Form], payload: Any) -> dict[str, Any]:
    """The JSON object as the form's POST data, or BadValue for a value of the wrong shape."""
    if not isinstance(payload, Mapping):
        raise BadValue("", "Send a JSON object.")
    fields = form_class.base_fields
    unknown = sorted(set(payload) - set(fields) - {"school"})
    if unknown:
        raise BadValue(unknown[0], f"Unknown field {unknown[0]!r}.")
    data: dict[str, Any] = {}
    for name, value in payload.items():
        field = fields.get(name)
        if value is None:
            continue
        if isinstance(field, GdsDateField):
            if not isinstance(value, str):
                raise BadValue(name, "Give the date as YYYY-MM-DD.")
            try:
                day = date.fromisoformat(value)
            except ValueError:
                raise BadValue(name, "Give the date as YYYY-MM-DD.") from None
            data[f"{name}_0"], data[f"{name}_1"], data[f"{name}_2"] = day.day, day.month, day.year
        elif isinstance(field, forms.BooleanField):
            if not isinstance(value, bool):
                raise BadValue(name, "Give true or false.")
            if value:
                data[name] = "on"
        elif isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise BadValue(name, "Give a list of codes.")
            data[name] = value
        else:
            if not isinstance(value, str | int):
                raise BadValue(name, "Give a string.")
            data[name] = str(value)
    return data


def form_problems(form: forms.Form) -> list[Problem]:
    found: list[Problem] = []
    for name, errors in form.errors.get_json_data().items():
        for error in errors:
            found.append(
                {"field": None if name == "__all__" else name, "message": error["message"]}
            )
    return found


def _describe(field: forms.Field) -> serializers.Field:
    required = bool(field.required)
    help_text = str(field.help_text or field.label or "")
    common: dict[str, Any] = {"required": required, "help_text": help_text}
    if isinstance(field, GdsDateField):
        # The page's hint ("For example, 27 3 2015") is for its three boxes, not for JSON.
        return serializers.DateField(required=required, help_text=f"{field.label} (YYYY-MM-DD)")
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(required=False, help_text=help_text)
    if isinstance(field, forms.ModelMultipleChoiceField):
        model = field.queryset.model  # type: ignore[union-attr]
        what = NATURAL_KEYS.get(model, ("id", "its id"))[1]
        return serializers.ListField(
            child=serializers.CharField(), required=False, help_text=f"{help_text} ({what}s)"
        )
    if isinstance(field, forms.ModelChoiceField):
        model = field.queryset.model  # type: ignore[union-attr]
        what = NATURAL_KEYS.get(model, ("id", "its id"))[1]
        return serializers.CharField(**{**common, "help_text": f"{help_text} ({what})"})
    if isinstance(field, forms.ChoiceField):
        choices = [(c, label) for c, label in list(field.choices) if c != ""]  # type: ignore[arg-type]
        return serializers.ChoiceField(choices=choices, **common)
    max_length = getattr(field, "max_length", None)
    return serializers.CharField(max_length=max_length, allow_blank=not required, **common)


@cache
def request_serializer(form_class: type[forms.Form], *, with_school: bool = False) -> type:
    """A serializer class describing the form's fields, for the OpenAPI document only."""
    attrs: dict[str, Any] = {name: _describe(f) for name, f in form_class.base_fields.items()}
    if with_school:
        attrs["school"] = serializers.CharField(
            required=False,
            help_text="The school's URN: only when the CME team sends a return on a school's "
            "behalf; a school's own token always sends as that school.",
        )
    return type(f"{form_class.__name__.removesuffix('Form')}", (serializers.Serializer,), attrs)
