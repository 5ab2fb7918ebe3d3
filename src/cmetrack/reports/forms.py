"""The termly return's one question: the census date. Anything it cannot use is a form error,
never a report for a year the counts cannot be worked out for (0001-01-01 was a 500)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django import forms
from django.utils import timezone

from cmetrack.referrals.checks.limits import EARLIEST_EVENT, LATEST_EVENT_DAYS_AHEAD

FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
UNREADABLE = "Enter the census date as day/month/year, for example 1/10/2026"


def latest_census(today: date) -> date:
    return today + timedelta(days=LATEST_EVENT_DAYS_AHEAD)


class CensusForm(forms.Form):
    census = forms.CharField(
        required=False, error_messages={"null_characters_not_allowed": UNREADABLE}
    )

    def clean_census(self) -> date:
        text: str = self.cleaned_data["census"]
        today = timezone.localdate()
        if not text:
            return today
        census = _parse(text)
        if census is None:
            raise forms.ValidationError(UNREADABLE, code="invalid")
        latest = latest_census(today)
        if not EARLIEST_EVENT <= census <= latest:
            raise forms.ValidationError(
                f"The census date must be between {_dmy(EARLIEST_EVENT)} and {_dmy(latest)}",
                code="out_of_range",
            )
        return census


def _parse(text: str) -> date | None:
    for fmt in FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _dmy(day: date) -> str:
    return f"{day.day}/{day.month}/{day.year}"
