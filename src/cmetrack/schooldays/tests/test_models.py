"""The per-row checks that keep hand edits from breaking a year (TermDate.clean)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from cmetrack.schooldays.models import TermDate
from cmetrack.testing.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def term(**fields: object) -> TermDate:
    values: dict[str, object] = {
        "academic_year": 2025,
        "kind": TermDate.Kind.TERM,
        "name": "Autumn 1",
        "start": date(2025, 9, 1),
        "end": date(2025, 10, 24),
    }
    values.update(fields)
    return TermDate(**values)


def errors_of(row: TermDate) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        row.full_clean()
    return raised.value.message_dict


def test_a_well_formed_term_passes() -> None:
    term().full_clean()


def test_a_term_needs_a_name() -> None:
    assert "name" in errors_of(term(name=" "))


def test_dates_must_lie_inside_the_academic_year() -> None:
    errors = errors_of(term(start=date(2025, 8, 29), end=date(2026, 9, 1)))

    assert "2025-08-29 is not in 2025/26" in errors["start"][0]
    assert "2026-09-01 is not in 2025/26" in errors["end"][0]


def test_the_end_cannot_be_before_the_start() -> None:
    assert "end" in errors_of(term(end=date(2025, 8, 31)))


def test_the_database_refuses_an_end_before_the_start_too() -> None:
    with pytest.raises(IntegrityError):
        term(start=date(2025, 10, 1), end=date(2025, 9, 30)).save()


def test_an_implausible_academic_year_is_refused() -> None:
    assert "academic_year" in errors_of(term(academic_year=25))


def test_a_term_overlapping_another_in_the_same_scope_is_refused() -> None:
    term().save()

    errors = errors_of(term(name="Clash", start=date(2025, 10, 20), end=date(2025, 10, 31)))

    assert "overlaps 2025/26 Autumn 1" in errors["start"][0]


def test_a_schools_term_may_overlap_the_authoritys_and_an_edit_may_overlap_itself() -> None:
    authority_term = term()
    authority_term.save()

    term(school=SchoolFactory(), name="Autumn").full_clean()
    authority_term.end = date(2025, 10, 17)
    authority_term.full_clean()


def test_inset_days_may_fall_inside_a_term() -> None:
    term().save()

    TermDate(
        academic_year=2025,
        kind=TermDate.Kind.INSET,
        start=date(2025, 9, 1),
        end=date(2025, 9, 2),
    ).full_clean()
