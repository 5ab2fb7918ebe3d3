"""A term-dates file with hostile cells never fails the import (issue 9): years no calendar can
hold (0001, 99999999999), impossible dates, over-long names, NULs and unicode are row errors,
and a rejected file writes nothing. Nothing is raised at all."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmetrack.accounts.models import User
from cmetrack.core.term_dates_csv import COLUMNS
from cmetrack.schooldays.services import term_dates_import
from cmetrack.testing.factories import SchoolFactory
from cmetrack.testing.hostile import NEVER_500, hostile_text, row_counts, undone

pytestmark = pytest.mark.django_db

GOOD = [
    ["2025/26", "term", "Autumn", "2025-09-03", "2025-12-19"],
    ["2025/26", "term", "Spring", "2026-01-05", "2026-03-27"],
    ["2025/26", "term", "Summer", "2026-04-13", "2026-07-21"],
    ["2025/26", "inset", "Staff training", "2025-09-02", ""],
]
CELL = st.one_of(
    hostile_text,
    st.sampled_from(["0001/02", "9999/00", "2100/01", "2101/02", "1999/00", "0001-01-01",
                     "9999-12-31", "2025-02-29", "99999999999-01-01"]),
    st.integers(min_value=0, max_value=400).map(lambda n: "x" * n),
)  # fmt: skip


def _csv(rows: list[list[str]]) -> bytes:
    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\r\n') else value

    lines = [",".join(COLUMNS), *(",".join(cell(v) for v in row) for row in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


@st.composite
def term_files(draw: st.DrawFn) -> bytes:
    rows = [list(row) for row in GOOD]
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        row = draw(st.sampled_from(rows))
        row[draw(st.integers(min_value=0, max_value=len(COLUMNS) - 1))] = draw(CELL)
    return _csv(rows)


@pytest.fixture
def by(db: None) -> User:
    return User.objects.create_user(username="loader", password="a-long-test-password")


def test_hostile_term_dates_are_row_errors_or_a_clean_import(by: User) -> None:
    school = SchoolFactory()

    @NEVER_500
    @given(data=term_files(), for_school=st.booleans(), commit=st.booleans())
    def check(data: bytes, for_school: bool, commit: bool) -> None:
        with undone():
            before = row_counts()
            result = term_dates_import(
                data=data, by=by, school=school if for_school else None, commit=commit
            )
            if result.rejected or not commit:
                assert row_counts() == before
                assert not result.committed
            if result.rejected:
                assert all(error.message for error in result.errors)

    check()
