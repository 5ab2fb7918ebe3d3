"""The return worked out from history: hand-computed counts for the small history in
history_fixture.py (the worked example of docs/statutory-return.md)."""

from datetime import date

import pytest

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case
from cmetrack.cases.services import case_change_primary_reason, case_close
from cmetrack.reports.selectors import StatutoryReturn, authority_return, statutory_return
from cmetrack.testing.factories import reason

from .history_fixture import CENSUS, WEEKEND_CENSUS, build, on


def figures(report: StatutoryReturn, key: str, title: str) -> dict[str, int]:
    section = report.section(key)
    [breakdown] = [b for b in section.breakdowns if b.title.startswith(title)]
    return {row.label: row.count for row in breakdown.rows if row.count}


@pytest.fixture
def history(officer: User, manager: User) -> dict[str, Case]:
    return build(officer, manager)


@pytest.mark.usefixtures("history")
def test_the_census_counts_the_cases_as_they_stood_that_day(officer: User) -> None:
    report = statutory_return(user=officer, census=CENSUS)
    assert report is not None
    # Ava, Ben, Cara, Finn and Gus; not Dan (16), Eve (transferred), Hana (placed), Ivy (at risk).
    assert report.section("cme_census").total == 5
    assert figures(report, "cme_census", "Sex") == {"female": 2, "male": 3}
    assert figures(report, "cme_census", "National curriculum") == {
        "Year 5": 1,
        "Year 6": 1,
        "Year 8": 1,
        "Year 9": 1,
        "Year 11": 1,
    }
    # Ben's spell began again when his case reopened on 21 September.
    assert figures(report, "cme_census", "Length") == {
        "12 weeks or less": 3,
        "More than 12 weeks": 2,
    }
    assert figures(report, "cme_census", "Primary reason") == {
        "School application awaiting outcome": 1,
        "Whereabouts unknown": 2,
        "Family moves regularly": 1,
        "Permanently excluded, no provision in place": 1,
    }


@pytest.mark.usefixtures("history")
def test_the_previous_year_counts_every_child_missing_education_at_any_time_in_it(
    officer: User,
) -> None:
    report = statutory_return(user=officer, census=CENSUS)
    assert report is not None
    assert report.previous_year_label == "2025/26"
    # Ben (January to March), Cara (June on), Dan (February to June) and Gus (November on).
    assert report.section("cme_previous_year").total == 4
    assert figures(report, "cme_previous_year", "Sex") == {"female": 1, "male": 3}
    assert figures(report, "cme_previous_year", "National curriculum") == {
        "Year 5": 1,
        "Year 8": 1,
        "Year 10": 1,
        "Year 11": 1,
    }
    assert figures(report, "cme_previous_year", "Primary reason") == {
        "Whereabouts unknown": 2,
        "Family moves regularly": 1,
        "Other": 1,
    }


@pytest.mark.usefixtures("history")
def test_a_weekend_census_takes_the_cases_as_they_stood_at_the_end_of_that_day() -> None:
    report = authority_return(WEEKEND_CENSUS)
    # Finn was placed on the Friday before; Ava's reason changed on the Monday after.
    assert report.section("cme_census").total == 4
    assert (
        figures(report, "cme_census", "Primary reason")["School application awaiting outcome"] == 1
    )


def test_the_same_census_date_gives_the_same_figures_a_year_later(
    history: dict[str, Case], officer: User, manager: User
) -> None:
    before = authority_return(CENSUS)
    with on(date(2027, 3, 1)):
        case_close(case=history["cara"], outcome="on_roll_here", by=officer)
        case_change_primary_reason(
            case=history["gus"], primary_reason=reason("moved-abroad-believed"), by=manager
        )
    assert authority_return(CENSUS) == before
    assert authority_return(date(2027, 3, 2)) != before


def test_a_backdated_closure_takes_effect_on_its_closure_date(
    history: dict[str, Case], officer: User
) -> None:
    # Recorded on 5 October, dated 30 September: Cara was back at school on the census date.
    with on(date(2026, 10, 5)):
        case_close(
            case=history["cara"], outcome="on_roll_here", by=officer, closed_on=date(2026, 9, 30)
        )
    assert authority_return(CENSUS).section("cme_census").total == 4
