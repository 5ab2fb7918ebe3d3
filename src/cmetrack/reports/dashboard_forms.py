"""The dashboard's one question: which whole months. Two month selects ("2026-01"); anything
else is a form error shown above the page, never a 500 and never a silent default."""

from __future__ import annotations

from datetime import date

from django import forms

from .dashboard_selectors import Period, default_period, month_end

# How far back the selects go, and the longest period one page draws (a bar a month).
YEARS_BACK = 5
MAX_MONTHS = 36
NOT_A_MONTH = "Choose a month from the list"
START_AFTER_END = "The start month must be the same as or before the end month"
TOO_LONG = f"Choose a period of {MAX_MONTHS} months or fewer"


def month_options(today: date) -> list[tuple[str, str]]:
    """Every month from January, five years back, to this one: newest first."""
    options = []
    year, month = today.year, today.month
    while year >= today.year - YEARS_BACK:
        options.append((f"{year:04d}-{month:02d}", f"{date(year, month, 1):%B %Y}"))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return options


class PeriodForm(forms.Form):
    start = forms.CharField(
        required=False, error_messages={"null_characters_not_allowed": NOT_A_MONTH}
    )
    end = forms.CharField(
        required=False, error_messages={"null_characters_not_allowed": NOT_A_MONTH}
    )

    def __init__(self, data: object, *, today: date) -> None:
        super().__init__(data)  # type: ignore[arg-type]
        self.today = today
        self.allowed = dict(month_options(today))

    def _month(self, name: str) -> date | None:
        text: str = self.cleaned_data.get(name) or ""
        if not text:
            return None
        if text not in self.allowed:
            raise forms.ValidationError(NOT_A_MONTH, code="invalid")
        return date(int(text[:4]), int(text[5:7]), 1)

    def clean_start(self) -> date | None:
        return self._month("start")

    def clean_end(self) -> date | None:
        return self._month("end")

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        fallback = default_period(self.today)
        start = cleaned.get("start") or fallback.first
        end = cleaned.get("end") or date(fallback.last.year, fallback.last.month, 1)
        assert isinstance(start, date) and isinstance(end, date)
        if start > end:
            self.add_error("start", START_AFTER_END)
        elif (end.year - start.year) * 12 + end.month - start.month + 1 > MAX_MONTHS:
            self.add_error("start", TOO_LONG)
        else:
            cleaned["period"] = Period(start, month_end(end))
        return cleaned

    @property
    def period(self) -> Period:
        """The period asked for, or the default one when the form has errors."""
        if self.is_valid():
            period = self.cleaned_data["period"]
            assert isinstance(period, Period)
            return period
        return default_period(self.today)
