"""Importing term dates and reading them back as a SchoolCalendar, against the database."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from pytest_django import DjangoAssertNumQueries

from cmetrack.accounts.models import User
from cmetrack.core.school_calendar import NoTermDatesError
from cmetrack.core.term_dates_csv import COLUMNS, bundled_term_dates_text
from cmetrack.schooldays import selectors
from cmetrack.schooldays.models import TermDate
from cmetrack.schooldays.selectors import academic_years_loaded, school_calendar
from cmetrack.schooldays.services import term_dates_import, term_dates_load_bundled
from cmetrack.schools.models import School
from cmetrack.testing.factories import SchoolFactory

pytestmark = pytest.mark.django_db

BUNDLED = bundled_term_dates_text().encode("utf-8")
BUNDLED_ROWS = 30  # data rows in core/data/sefton_term_dates.csv

# 2025/26 as an academy with its own dates might set it: different half terms, one INSET day.
ACADEMY_2025 = [
    "2025/26,term,Autumn,2025-09-03,2025-12-17",
    "2025/26,term,Spring,2026-01-06,2026-03-27",
    "2025/26,term,Summer,2026-04-14,2026-07-15",
    "2025/26,inset,Academy training,2025-09-03,",
]


def csv_file(*rows: str) -> bytes:
    return ("\n".join([",".join(COLUMNS), *rows]) + "\n").encode("utf-8")


def snapshot(**scope: object) -> list[tuple[object, ...]]:
    """Every stored value, ids and updated_at included, to prove nothing moved."""
    return list(TermDate.objects.filter(**scope).order_by("pk").values_list())


def rows_for(year: int, school: School | None = None) -> set[tuple[str, str, date, date]]:
    return set(
        TermDate.objects.filter(academic_year=year, school=school).values_list(
            "kind", "name", "start", "end"
        )
    )


# Importing


def test_a_clean_file_is_stored_row_for_row_as_written() -> None:
    result = term_dates_import(data=BUNDLED, by=None)

    assert result.committed and not result.rejected
    assert (result.created, result.deleted, result.unchanged) == (BUNDLED_ROWS, 0, 0)
    assert result.years_changed == (2024, 2025, 2026)
    assert TermDate.objects.filter(school__isnull=True).count() == BUNDLED_ROWS
    autumn = TermDate.objects.get(academic_year=2025, kind="term", name="Autumn 1")
    assert (autumn.start, autumn.end) == (date(2025, 9, 1), date(2025, 10, 24))
    # A run of INSET days stays one row with its name, as the administrator wrote it.
    training = TermDate.objects.get(academic_year=2025, kind="inset", start=date(2025, 9, 1))
    assert (training.name, training.end) == ("Staff training", date(2025, 9, 2))


def test_a_file_with_any_row_error_commits_nothing_and_returns_every_error() -> None:
    term_dates_import(data=BUNDLED, by=None)
    before = snapshot()
    data = csv_file(
        "2027/28,term,Autumn 1,2027-09-01,2027-10-22",  # a good year, still not written
        "2025/26,term,Autumn 1,2025-09-01,2025-10-24",
        "2025/26,term,Autumn 2,2025-11-31,2025-12-19",
        "2025/26,holiday,Trip,2025-12-01,",
    )

    result = term_dates_import(data=data, by=None)

    assert result.rejected and not result.committed
    assert [(error.row, error.field) for error in result.errors] == [(4, "start"), (5, "kind")]
    assert "'2025-11-31' is not a real date" in result.errors[0].message
    assert (result.created, result.deleted) == (0, 0)
    assert snapshot() == before


def test_an_unreadable_file_commits_nothing() -> None:
    result = term_dates_import(data=b"\xff\xfe not utf-8", by=None)

    assert result.rejected and result.errors[0].field == "file"
    assert not TermDate.objects.exists()


def test_a_file_with_only_a_header_is_rejected_rather_than_doing_nothing_quietly() -> None:
    result = term_dates_import(data=csv_file(), by=None)

    assert result.rejected
    assert result.errors[0].field == "file"


def test_a_name_longer_than_the_column_is_a_row_error_not_a_database_failure() -> None:
    data = csv_file(f"2025/26,term,{'A' * 101},2025-09-01,2025-10-24")

    result = term_dates_import(data=data, by=None)

    assert [(error.row, error.field) for error in result.errors] == [(2, "name")]
    assert not TermDate.objects.exists()


def test_a_year_outside_what_the_table_holds_is_a_row_error() -> None:
    data = csv_file("1999/00,term,Autumn,1999-09-01,1999-12-17")

    result = term_dates_import(data=data, by=None)

    assert [(error.row, error.field) for error in result.errors] == [(2, "academic_year")]
    assert not TermDate.objects.exists()


def test_an_import_replaces_the_years_in_the_file_and_leaves_other_years_alone() -> None:
    term_dates_import(data=BUNDLED, by=None)
    untouched = list(TermDate.objects.filter(academic_year=2024).values_list())

    result = term_dates_import(
        data=csv_file(
            "2025/26,term,Autumn 1,2025-09-01,2025-10-24",  # as before: kept
            "2025/26,term,Autumn 2,2025-11-03,2025-12-19",  # as before: kept
            "2025/26,term,Spring,2026-01-05,2026-03-27",  # replaces Spring 1 and 2
            "2025/26,term,Summer,2026-04-13,2026-07-20",  # replaces Summer 1 and 2
            "2025/26,closure,Polling day,2026-05-07,",
        ),
        by=None,
    )

    assert result.committed
    assert result.years_changed == (2025,)
    assert (result.created, result.unchanged) == (3, 2)
    assert result.deleted == 10 - 2  # 6 terms and 4 INSET rows, less the two kept
    assert rows_for(2025) == {
        ("term", "Autumn 1", date(2025, 9, 1), date(2025, 10, 24)),
        ("term", "Autumn 2", date(2025, 11, 3), date(2025, 12, 19)),
        ("term", "Spring", date(2026, 1, 5), date(2026, 3, 27)),
        ("term", "Summer", date(2026, 4, 13), date(2026, 7, 20)),
        ("closure", "Polling day", date(2026, 5, 7), date(2026, 5, 7)),
    }
    assert list(TermDate.objects.filter(academic_year=2024).values_list()) == untouched
    calendar = school_calendar()
    assert not calendar.is_school_day(date(2026, 5, 7))  # the closure
    assert calendar.is_school_day(date(2026, 2, 16))  # was Spring half term


def test_a_second_import_of_the_same_file_writes_nothing() -> None:
    term_dates_import(data=BUNDLED, by=None)
    before = snapshot()

    result = term_dates_import(data=BUNDLED, by=None)

    assert not result.committed and not result.rejected
    assert (result.created, result.deleted, result.unchanged) == (0, 0, BUNDLED_ROWS)
    assert result.years_unchanged == (2024, 2025, 2026)
    assert result.years_changed == ()
    assert snapshot() == before


def test_a_dry_run_reports_the_changes_and_writes_nothing() -> None:
    result = term_dates_import(data=BUNDLED, by=None, commit=False)

    assert not result.committed and not result.rejected
    assert (result.created, result.years_changed) == (BUNDLED_ROWS, (2024, 2025, 2026))
    assert not TermDate.objects.exists()


def test_without_replace_years_a_year_already_loaded_is_left_alone() -> None:
    term_dates_import(data=csv_file("2025/26,term,Whole year,2025-09-01,2026-07-20"), by=None)
    before = snapshot()

    result = term_dates_load_bundled()

    assert result.years_skipped == (2025,)
    assert result.years_changed == (2024, 2026)
    assert snapshot(academic_year=2025) == before
    assert academic_years_loaded() == [2024, 2025, 2026]


def test_every_row_written_is_in_the_audit_log_with_who_imported_it(admin_user: User) -> None:
    term_dates_import(data=BUNDLED, by=admin_user)
    term_dates_import(data=csv_file("2025/26,term,Whole year,2025-09-01,2026-07-20"), by=None)

    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(TermDate))
    created = entries.filter(action=LogEntry.Action.CREATE)
    assert created.filter(actor=admin_user).count() == BUNDLED_ROWS
    assert entries.filter(action=LogEntry.Action.DELETE).count() == 10


def test_a_school_import_touches_only_that_schools_rows() -> None:
    academy = SchoolFactory()
    term_dates_import(data=BUNDLED, by=None)
    authority = snapshot(school__isnull=True)

    result = term_dates_import(data=csv_file(*ACADEMY_2025), by=None, school=academy)

    assert (result.committed, result.created) == (True, 4)
    assert TermDate.objects.filter(school=academy).count() == 4
    assert snapshot(school__isnull=True) == authority


def test_a_schools_file_of_inset_days_alone_is_accepted() -> None:
    school = SchoolFactory()

    result = term_dates_import(
        data=csv_file("2025/26,inset,Extra training,2025-10-24,"), by=None, school=school
    )

    assert result.committed and not result.errors
    assert rows_for(2025, school) == {
        ("inset", "Extra training", date(2025, 10, 24), date(2025, 10, 24))
    }


def test_the_authoritys_file_still_needs_terms_for_every_year() -> None:
    result = term_dates_import(data=csv_file("2025/26,inset,Training,2025-10-24,"), by=None)

    assert [(error.row, error.field) for error in result.errors] == [(2, "academic_year")]
    assert "has INSET or closure days but no terms" in result.errors[0].message


# The selector


def test_a_school_with_its_own_terms_follows_only_its_own_dates_that_year() -> None:
    academy = SchoolFactory()
    term_dates_load_bundled()
    term_dates_import(data=csv_file(*ACADEMY_2025), by=None, school=academy)

    theirs = school_calendar()
    ours = school_calendar(school=academy)

    # The authority's half term and its INSET day after it: the academy is teaching.
    assert not theirs.is_school_day(date(2025, 10, 27))
    assert ours.is_school_day(date(2025, 10, 27))
    assert not theirs.is_school_day(date(2025, 11, 3))
    assert ours.is_school_day(date(2025, 11, 3))
    # The academy's own INSET day is a school day for the authority's schools.
    assert theirs.is_school_day(date(2025, 9, 3))
    assert not ours.is_school_day(date(2025, 9, 3))
    # Its term ends earlier.
    assert theirs.is_school_day(date(2026, 7, 16))
    assert not ours.is_school_day(date(2026, 7, 16))
    # Other years still follow the authority.
    assert ours.is_school_day(date(2024, 9, 4))
    assert not ours.is_school_day(date(2024, 9, 3))  # the authority's INSET day
    assert ours.academic_years == (2024, 2025, 2026)


def test_a_schools_own_inset_days_add_to_the_authoritys_calendar() -> None:
    school = SchoolFactory()
    term_dates_load_bundled()
    term_dates_import(
        data=csv_file("2025/26,inset,Extra training,2025-10-24,"), by=None, school=school
    )

    calendar = school_calendar(school=school)

    assert not calendar.is_school_day(date(2025, 10, 24))  # its own INSET day
    assert school_calendar().is_school_day(date(2025, 10, 24))
    assert not calendar.is_school_day(date(2025, 9, 1))  # the authority's INSET day
    assert calendar.is_school_day(date(2025, 9, 3))


def test_a_school_with_no_rows_of_its_own_shares_the_authoritys_calendar() -> None:
    term_dates_load_bundled()

    assert school_calendar(school=SchoolFactory()) is school_calendar()


def test_the_selector_sees_a_changed_row_on_the_very_next_call() -> None:
    term_dates_load_bundled()
    assert school_calendar().is_school_day(date(2025, 10, 24))

    # A hand edit, as the admin makes it: not through the service, so no cache clearing.
    autumn = TermDate.objects.get(academic_year=2025, name="Autumn 1")
    autumn.end = date(2025, 10, 23)
    autumn.save()
    assert not school_calendar().is_school_day(date(2025, 10, 24))

    TermDate.objects.create(
        academic_year=2025,
        kind="closure",
        name="Snow",
        start=date(2025, 12, 1),
        end=date(2025, 12, 1),
    )
    assert not school_calendar().is_school_day(date(2025, 12, 1))

    TermDate.objects.filter(name="Snow").delete()
    assert school_calendar().is_school_day(date(2025, 12, 1))


def test_a_change_to_one_schools_rows_is_seen_for_that_school() -> None:
    school = SchoolFactory()
    term_dates_load_bundled()
    assert school_calendar(school=school).is_school_day(date(2025, 10, 24))

    TermDate.objects.create(
        academic_year=2025,
        kind="inset",
        name="Training",
        start=date(2025, 10, 24),
        end=date(2025, 10, 24),
        school=school,
    )

    assert not school_calendar(school=school).is_school_day(date(2025, 10, 24))
    assert school_calendar().is_school_day(date(2025, 10, 24))


def test_asking_again_with_nothing_changed_costs_one_query_and_no_rebuild(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    school = SchoolFactory()
    term_dates_load_bundled()
    term_dates_import(data=csv_file(*ACADEMY_2025), by=None, school=school)
    first = school_calendar()
    first_for_school = school_calendar(school=school)

    with django_assert_num_queries(2):
        assert school_calendar() is first
        assert school_calendar(school=school) is first_for_school


def test_a_calendar_is_rebuilt_once_it_is_older_than_the_maximum_age(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    term_dates_load_bundled()
    first = school_calendar()
    monkeypatch.setattr(selectors, "MAX_AGE_SECONDS", 0.0)

    assert school_calendar() is not first


def test_a_year_not_loaded_raises_no_term_dates_error_naming_it() -> None:
    term_dates_load_bundled()
    calendar = school_calendar()

    with pytest.raises(NoTermDatesError) as raised:
        calendar.is_school_day(date(2027, 9, 6))

    assert raised.value.year == 2027
    assert "2027/28" in str(raised.value)


def test_with_no_term_dates_at_all_every_question_raises_no_term_dates_error() -> None:
    with pytest.raises(NoTermDatesError):
        school_calendar().add_school_days(date(2025, 10, 1), 5)
    assert academic_years_loaded() == []


def test_a_year_whose_rows_are_inconsistent_is_not_loaded_and_the_log_says_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    term_dates_load_bundled()
    # Overlapping terms, as two editors saving at once could leave them (clean() is bypassed).
    TermDate.objects.create(
        academic_year=2025,
        kind="term",
        name="Extra",
        start=date(2025, 10, 20),
        end=date(2025, 10, 31),
    )

    with caplog.at_level(logging.ERROR, logger="cmetrack.schooldays.selectors"):
        calendar = school_calendar()

    with pytest.raises(NoTermDatesError):
        calendar.is_school_day(date(2025, 10, 1))
    assert calendar.is_school_day(date(2024, 10, 1))
    assert "2025" in caplog.text


def test_academic_years_loaded_lists_the_authoritys_years_with_terms_in_order() -> None:
    school = SchoolFactory()
    term_dates_import(
        data=csv_file("2027/28,term,Autumn,2027-09-01,2027-12-17"), by=None, school=school
    )
    term_dates_import(data=csv_file("2025/26,term,Autumn,2025-09-01,2025-12-19"), by=None)

    assert academic_years_loaded() == [2025]
