"""The forms of a register migration's steps. Each turns what the officer chose into what the
services take; the services decide what is allowed (`reading.mapping_problems`,
`code_mapping_problems`)."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms

from .models import RegisterMigration
from .rows import CODED_FIELDS, ColumnMapping, RegisterField
from .services import NEEDS_DEFAULT, choices_for, field_label

NOT_IMPORTED = ""
# A coded value the officer has not decided yet (distinct from "no value", which is a decision).
UNDECIDED = "?"


class _StepForm(forms.Form):
    """The templates lay these forms out themselves; the helper is for the GOV.UK error summary
    (`includes/form_errors.html`), which shows only a form's errors that has one."""

    helper = FormHelper()
    helper.form_tag = False


class UploadForm(_StepForm):
    file = forms.FileField(
        label="Register file (CSV or XLSX)",
        error_messages={"required": "Choose a file to upload"},
    )


class ColumnMappingForm(_StepForm):
    """One select per column of the file: which of cmetrack's fields it holds, if any."""

    def __init__(self, *args: Any, batch: RegisterMigration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header: list[str] = list(batch.sheet.get("header", []))
        self.samples: list[list[str]] = list(batch.sheet.get("samples", []))
        by_column = {int(i): f for f, i in batch.column_mapping.items()}
        options = [(NOT_IMPORTED, "Not imported")] + [
            (f.value, field_label(f)) for f in RegisterField
        ]
        for i, heading in enumerate(self.header):
            self.fields[f"col_{i}"] = forms.ChoiceField(
                label=heading or f"Column {i + 1}",
                choices=options,
                required=False,
                initial=by_column.get(i, NOT_IMPORTED),
            )

    def rows(self) -> list[tuple[str, list[str], forms.BoundField]]:
        """(heading, sample values, the select) for each column, for the table."""
        return [
            (
                heading or f"Column {i + 1}",
                self.samples[i] if i < len(self.samples) else [],
                self[f"col_{i}"],
            )
            for i, heading in enumerate(self.header)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        seen: dict[str, int] = {}
        for i in range(len(self.header)):
            chosen = cleaned.get(f"col_{i}", "")
            if not chosen:
                continue
            if chosen in seen:
                self.add_error(
                    f"col_{i}",
                    f"{field_label(RegisterField(chosen))} is already chosen for column "
                    f"'{self.header[seen[chosen]]}': choose one column for it",
                )
            seen.setdefault(chosen, i)
        return cleaned

    def mapping(self) -> ColumnMapping:
        return {
            RegisterField(self.cleaned_data[f"col_{i}"]): i
            for i in range(len(self.header))
            if self.cleaned_data.get(f"col_{i}")
        }


class CodeMappingForm(_StepForm):
    """For each coded column, each distinct value with a select of cmetrack's list ("no value"
    is a choice; "choose" is not), and the value a blank cell takes."""

    def __init__(self, *args: Any, batch: RegisterMigration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups: list[dict[str, Any]] = []
        distinct = batch.sheet.get("distinct", {})
        for field in CODED_FIELDS:
            choices = [(c.code, c.label) for c in choices_for(field)]
            values = distinct.get(field.value)
            if values is None and field not in NEEDS_DEFAULT:
                continue  # not in the file, and nothing to default
            mapped = batch.code_mapping.get(field.value, {})
            names: list[tuple[str, int, str]] = []
            for j, (value, count) in enumerate(values or []):
                name = f"code_{field.value}_{j}"
                suggested = mapped.get(value)
                self.fields[name] = forms.ChoiceField(
                    label=value,
                    choices=[(UNDECIDED, "Choose"), ("", "No value"), *choices],
                    # "No value" is the empty choice, and a decision: `clean` refuses "Choose".
                    required=False,
                    initial=UNDECIDED if suggested is None else suggested,
                )
                names.append((name, count, value))
            default_name = f"default_{field.value}"
            empty = "Choose" if field in NEEDS_DEFAULT else "Leave empty"
            self.fields[default_name] = forms.ChoiceField(
                label=f"{field_label(field)} when the cell is blank or has no value",
                choices=[("", empty), *choices],
                required=False,
                initial=batch.code_defaults.get(field.value, _first_default(field)),
            )
            self.groups.append(
                {
                    "field": field,
                    "label": field_label(field),
                    "in_file": values is not None,
                    "blanks": batch.sheet.get("blanks", {}).get(field.value, 0),
                    "values": [(self[n], count, value) for n, count, value in names],
                    "default": self[default_name],
                }
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in self.fields:
            if name.startswith("code_") and cleaned.get(name) == UNDECIDED:
                self.add_error(name, f"Choose what '{self.fields[name].label}' means")
        return cleaned

    def codes(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for group in self.groups:
            out[group["field"].value] = {
                value: self.cleaned_data[bound.name] for bound, _count, value in group["values"]
            }
        return out

    def defaults(self) -> dict[str, str]:
        return {g["field"].value: self.cleaned_data.get(g["default"].name, "") for g in self.groups}


def _first_default(field: RegisterField) -> str:
    """The default offered for a blank cell before the officer chooses: what cmetrack itself
    starts a case with (status referred, risk medium, source other); no guess of a reason."""
    return {
        RegisterField.STATUS: "referred",
        RegisterField.RISK: "medium",
        RegisterField.REFERRAL_SOURCE: "other",
    }.get(field, "")
