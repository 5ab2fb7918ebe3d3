"""The termly return's EHE half: the home-education register's figures sit beside the CME ones,
on the page, in the CSV and from the command, counted as the register stood on the census date."""

import io
from datetime import date

from cmetrack.accounts.models import User
from cmetrack.ehe.models import EheReason, EheRecord
from cmetrack.reports.csv_layout import write_return
from cmetrack.reports.selectors import authority_return, statutory_return
from cmetrack.testing.factories import ChildFactory

CENSUS = date(2026, 10, 1)


def _home_educated(start: date, end: date | None = None) -> EheRecord:
    return EheRecord.objects.create(
        child=ChildFactory(date_of_birth=date(2015, 3, 4)),  # Year 6 in 2026/27
        source="parent_notice",
        start_date=start,
        reason=EheReason.objects.order_by("pk").first(),
        end_date=end,
        end_reason="returned_to_school" if end else "",
    )


def test_the_return_counts_children_on_the_register_on_the_census_date(officer: User) -> None:
    _home_educated(date(2026, 9, 10))
    _home_educated(date(2026, 10, 2))  # joined the day after the census
    _home_educated(date(2025, 11, 1), end=date(2026, 7, 1))  # last year only

    report = statutory_return(user=officer, census=CENSUS)

    assert report is not None
    assert report.section("ehe_census").total == 1
    assert report.section("ehe_previous_year").total == 1
    assert authority_return(CENSUS).section("ehe_census").total == 1


def test_the_csv_carries_the_ehe_figures_beside_the_cme_ones(officer: User) -> None:
    _home_educated(date(2026, 9, 10))
    out = io.StringIO()
    report = statutory_return(user=officer, census=CENSUS)
    assert report is not None

    write_return(report, out)

    keys = {line.split(",")[0] for line in out.getvalue().splitlines()[1:]}
    assert keys == {"cme_census", "cme_previous_year", "ehe_census", "ehe_previous_year"}
