from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cmetrack.core.school_calendar import AcademicYearCalendar, SchoolCalendar, Term
from cmetrack.core.term_dates_csv import (
    RowError,
    bundled_term_dates_text,
    parse_term_dates_bytes,
    parse_term_dates_csv,
)

D = date.fromisoformat
HEADER = "academic_year,kind,name,start,end\n"

GOOD_2025 = (
    "2025/26,term,Autumn 1,2025-09-01,2025-10-24\n"
    "2025/26,term,Autumn 2,03/11/2025,19/12/2025\n"
    "2025/26,inset,Staff training,2025-09-01,2025-09-02\n"
    "2025/26,inset,,2025-11-03,\n"
    "2025/26,closure,Polling station,2025-10-08,\n"
)


def _errors(text: str) -> list[tuple[int, str]]:
    return [(e.row, e.field) for e in parse_term_dates_csv(text).errors]


def test_bundled_file_parses_with_no_errors_into_three_realistic_years() -> None:
    result = parse_term_dates_csv(bundled_term_dates_text())
    assert result.ok, [str(e) for e in result.errors]
    assert [c.label for c in result.calendars] == ["2024/25", "2025/26", "2026/27"]
    for year in result.calendars:
        assert len(year.terms) == 6
        assert len(year.inset_days) == 5
        assert len(year.school_days()) == 190  # the usual 190 pupil days
    SchoolCalendar(result.calendars)  # and they load


def test_terms_inset_and_closure_rows_become_one_academic_year() -> None:
    result = parse_term_dates_csv(HEADER + GOOD_2025)
    assert result.ok
    assert result.calendars == (
        AcademicYearCalendar(
            year=2025,
            terms=(
                Term("Autumn 1", D("2025-09-01"), D("2025-10-24")),
                Term("Autumn 2", D("2025-11-03"), D("2025-12-19")),
            ),
            inset_days=frozenset({D("2025-09-01"), D("2025-09-02"), D("2025-11-03")}),
            closure_days=frozenset({D("2025-10-08")}),
        ),
    )


def test_byte_order_mark_is_ignored_in_text_and_bytes() -> None:
    plain = parse_term_dates_csv(HEADER + GOOD_2025)
    assert parse_term_dates_csv("\ufeff" + HEADER + GOOD_2025) == plain
    assert parse_term_dates_bytes(("\ufeff" + HEADER + GOOD_2025).encode()) == plain
    assert parse_term_dates_bytes((HEADER + GOOD_2025).encode()) == plain


def test_windows_line_endings_and_quoted_names_are_read() -> None:
    text = (HEADER + '2025/26,term,"Autumn, first half",2025-09-01,2025-10-24\n').replace(
        "\n", "\r\n"
    )
    result = parse_term_dates_csv(text)
    assert result.ok
    assert result.calendars[0].terms[0].name == "Autumn, first half"


def test_uk_dates_may_drop_leading_zeros() -> None:
    result = parse_term_dates_csv(HEADER + "2025/26,term,Autumn 1,1/9/2025,24/10/2025\n")
    assert result.calendars[0].terms[0] == Term("Autumn 1", D("2025-09-01"), D("2025-10-24"))


def test_header_is_case_and_order_insensitive_and_extra_columns_are_ignored() -> None:
    text = (
        "Start,End,Name,Kind,Academic_Year,Notes\n"
        "2025-09-01,2025-10-24,Autumn 1,TERM,2025/2026,first half\n"
    )
    result = parse_term_dates_csv(text)
    assert result.ok
    assert result.calendars[0].terms[0].name == "Autumn 1"


def test_missing_column_is_reported_on_the_header_row() -> None:
    result = parse_term_dates_csv("academic_year,kind,name,start\n2025/26,term,A,2025-09-01\n")
    assert result.errors == (
        RowError(
            1,
            "header",
            "missing column(s) end: expected the header academic_year,kind,name,start,end",
        ),
    )
    assert result.calendars == ()


def test_empty_file_is_an_error_not_an_empty_calendar() -> None:
    assert _errors("") == [(1, "header")]
    assert _errors("\ufeff\n") == [(1, "header")]


def test_every_bad_row_is_reported_not_just_the_first() -> None:
    text = HEADER + (
        "2025/26,term,Autumn 1,2025-09-01,2025-10-24\n"  # row 2 fine
        "2025/27,term,Autumn 2,2025-11-03,2025-12-19\n"  # row 3 years do not follow
        "2025/26,holiday,Xmas,2025-12-22,\n"  # row 4 unknown kind
        "2025/26,term,,2026-01-05,2026-02-13\n"  # row 5 term without a name
        "2025/26,term,Spring 2,31/02/2026,\n"  # row 6 not a real date, and no end
        "2025/26,term,Summer 1,13/04/26,22/05/2026\n"  # row 7 two-digit year
        "2025/26,term,Summer 2,2026-07-20,2026-06-01\n"  # row 8 end before start
        "2025/26,term,Summer 3,2026-08-01,2026-09-30\n"  # row 9 end in next year
        "2025/26,inset,Training,next week,\n"  # row 10 not a date
    )
    assert _errors(text) == [
        (3, "academic_year"),
        (4, "kind"),
        (5, "name"),
        (6, "start"),
        (6, "end"),
        (7, "start"),
        (8, "end"),
        (9, "end"),
        (10, "start"),
    ]


def test_error_messages_say_what_is_wrong_and_what_to_write() -> None:
    text = (
        HEADER + "2025/26,term,Spring 2,31/02/2026,2026-03-27\n2025/26,term,S,13/04/26,2026-05-22\n"
    )
    messages = [str(e) for e in parse_term_dates_csv(text).errors]
    assert messages == [
        "Row 2, start: '31/02/2026' is not a real date",
        "Row 3, start: '13/04/26' has a two-digit year: write it as DD/MM/YYYY",
    ]


def test_date_outside_the_stated_academic_year_is_reported() -> None:
    result = parse_term_dates_csv(HEADER + "2025/26,term,Autumn 1,2026-09-01,2026-10-23\n")
    assert [str(e) for e in result.errors] == [
        "Row 2, start: 2026-09-01 is not in 2025/26 (2025-09-01 to 2026-08-31)",
        "Row 2, end: 2026-10-23 is not in 2025/26 (2025-09-01 to 2026-08-31)",
    ]


def test_overlapping_terms_are_reported_on_the_later_row_naming_the_earlier() -> None:
    text = HEADER + (
        "2025/26,term,Autumn 1,2025-09-01,2025-12-19\n"
        "2025/26,term,Autumn 2,2025-11-03,2025-11-28\n"
        "2025/26,term,Spring 1,2025-12-01,2026-02-13\n"  # overlaps Autumn 1, not Autumn 2
    )
    assert [str(e) for e in parse_term_dates_csv(text).errors] == [
        "Row 3, start: term 'Autumn 2' overlaps term 'Autumn 1' on row 2",
        "Row 4, start: term 'Spring 1' overlaps term 'Autumn 1' on row 2",
    ]


def test_year_with_inset_days_but_no_terms_is_reported() -> None:
    result = parse_term_dates_csv(HEADER + "2025/26,inset,,2025-09-01,\n")
    assert [str(e) for e in result.errors] == [
        "Row 2, academic_year: 2025/26 has INSET or closure days but no terms"
    ]


def test_a_year_with_a_bad_row_is_left_out_and_other_years_are_kept() -> None:
    text = HEADER + (
        "2024/25,term,Autumn 1,2024-09-02,2024-10-25\n"
        "2025/26,term,Autumn 1,2025-09-01,2025-10-24\n"
        "2025/26,term,Autumn 2,2025-11-03,not a date\n"
    )
    result = parse_term_dates_csv(text)
    assert not result.ok
    assert [c.year for c in result.calendars] == [2024]
    assert result.rejected_years == (2025,)


def test_a_bad_row_in_an_unknown_year_rejects_every_year() -> None:
    # Neither the academic year nor the start is readable: it could have been any year's term.
    text = HEADER + (
        "2024/25,term,Autumn 1,2024-09-02,2024-10-25\n24-25,term,Autumn 2,soon,2024-12-20\n"
    )
    result = parse_term_dates_csv(text)
    assert result.calendars == ()
    assert result.rejected_years == (2024,)


def test_a_bad_academic_year_is_placed_by_its_start_date() -> None:
    text = HEADER + (
        "2024/25,term,Autumn 1,2024-09-02,2024-10-25\n2025-26,term,Autumn 1,2025-09-01,2025-10-24\n"
    )
    result = parse_term_dates_csv(text)
    assert [c.year for c in result.calendars] == [2024]
    assert result.rejected_years == (2025,)


def test_blank_rows_are_skipped_but_still_counted_in_row_numbers() -> None:
    text = HEADER + ",,,,\n\n2025/26,term,Autumn 1,2025-09-01,\n"
    assert _errors(text) == [(4, "end")]


def test_bytes_that_are_not_utf8_are_reported_with_their_row() -> None:
    data = (
        HEADER + "2025/26,term,Autumn 1,2025-09-01,2025-10-24\n"
    ).encode() + b"2025/26,term,Caf\xe9"
    result = parse_term_dates_bytes(data)
    assert [(e.row, e.field) for e in result.errors] == [(3, "file")]
    assert "CSV UTF-8" in result.errors[0].message
    assert result.calendars == ()


def test_malformed_csv_is_reported_on_its_row_and_rejects_everything() -> None:
    huge = "x" * 200_000  # past the csv module's field size limit
    text = HEADER + "2025/26,term,Autumn 1,2025-09-01,2025-10-24\n" + f'2025/26,term,"{huge}",,\n'
    result = parse_term_dates_csv(text)
    assert [(e.row, e.field) for e in result.errors] == [(3, "file")]
    assert result.calendars == ()


# --- properties -----------------------------------------------------------------------------


csv_ish = st.text(alphabet='0123456789/-, \n"termisncloAuS', max_size=300)


@settings(max_examples=100, deadline=None)
@given(st.one_of(csv_ish, st.text(max_size=300)))
def test_any_text_gives_a_result_never_an_exception(text: str) -> None:
    result = parse_term_dates_csv(HEADER + text)
    assert not {c.year for c in result.calendars} & set(result.rejected_years)
    assert all(e.row >= 1 for e in result.errors)
    assert list(result.errors) == sorted(result.errors, key=lambda e: e.row)


@st.composite
def academic_years(draw: st.DrawFn) -> AcademicYearCalendar:
    year = draw(st.integers(min_value=2000, max_value=2090))
    first = date(year, 9, 1)
    length = (date(year + 1, 8, 31) - first).days + 1
    # An even number of distinct offsets, paired in order, gives non-overlapping terms.
    offsets = sorted(
        draw(
            st.sets(st.integers(0, length - 1), min_size=2, max_size=12).filter(
                lambda s: len(s) % 2 == 0
            )
        )
    )
    terms = tuple(
        Term(f"Term {i + 1}", first + timedelta(days=a), first + timedelta(days=b))
        for i, (a, b) in enumerate(zip(offsets[::2], offsets[1::2], strict=True))
    )
    days = st.integers(0, length - 1).map(lambda n: first + timedelta(days=n))
    return AcademicYearCalendar(
        year=year,
        terms=terms,
        inset_days=frozenset(draw(st.sets(days, max_size=6))),
        closure_days=frozenset(draw(st.sets(days, max_size=3))),
    )


def _to_csv(calendars: list[AcademicYearCalendar], uk_dates: bool) -> str:
    def fmt(d: date) -> str:
        return d.strftime("%d/%m/%Y") if uk_dates else d.isoformat()

    lines = [HEADER.strip()]
    for cal in calendars:
        lines += [f"{cal.label},term,{t.name},{fmt(t.start)},{fmt(t.end)}" for t in cal.terms]
        lines += [f"{cal.label},inset,,{fmt(d)}," for d in sorted(cal.inset_days)]
        lines += [f"{cal.label},closure,Closed,{fmt(d)},{fmt(d)}" for d in sorted(cal.closure_days)]
    return "\n".join(lines) + "\n"


@settings(max_examples=100, deadline=None)
@given(st.lists(academic_years(), max_size=3, unique_by=lambda c: c.year), st.booleans())
def test_writing_calendars_as_csv_and_parsing_gives_them_back(
    calendars: list[AcademicYearCalendar], uk_dates: bool
) -> None:
    result = parse_term_dates_csv(_to_csv(calendars, uk_dates))
    assert result.ok, [str(e) for e in result.errors]
    assert result.calendars == tuple(sorted(calendars, key=lambda c: c.year))
