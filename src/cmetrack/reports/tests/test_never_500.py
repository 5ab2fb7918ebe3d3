"""No census date gives a 500 (issue 9): 0001-01-01, a year ahead and more, 9999-99-99, NULs and
anything else is a form error on the page (and no CSV), never a 500."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from cmetrack.accounts.models import User
from cmetrack.conftest import client_for
from cmetrack.testing.factories import CaseFactory
from cmetrack.testing.hostile import NEVER_500, hostile_post, hostile_text, posted_safely, undone

URL = "reports:cme-return"


@pytest.mark.parametrize(
    ("census", "message"),
    [
        ("0001-01-01", "The census date must be between 1/1/2000 and "),
        ("01/01/0001", "The census date must be between 1/1/2000 and "),
        ("1999-12-31", "The census date must be between 1/1/2000 and "),
        ("9999-12-31", "The census date must be between 1/1/2000 and "),
        ("9999-99-99", "Enter the census date as day/month/year"),
        ("99999999999", "Enter the census date as day/month/year"),
        ("1/10/2026\x00", "Enter the census date as day/month/year"),
    ],
)
def test_a_census_date_it_cannot_use_is_a_form_error(
    officer: User, census: str, message: str
) -> None:
    client = client_for(officer)
    page = client.get(reverse(URL), {"census": census})
    assert page.status_code == 200
    assert message in page.content.decode()
    csv = client.get(reverse(URL), {"census": census, "format": "csv"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/html")


def test_the_first_and_last_census_dates_it_accepts(officer: User) -> None:
    client = client_for(officer)
    latest = timezone.localdate() + timedelta(days=366)
    for census in (date(2000, 1, 1), latest):
        page = client.get(reverse(URL), {"census": census.isoformat()}).content.decode()
        assert "There is a problem" not in page, census
    after = client.get(reverse(URL), {"census": (latest + timedelta(days=1)).isoformat()})
    assert "The census date must be between" in after.content.decode()


def test_the_census_date_never_fails(officer: User) -> None:
    CaseFactory(status="enquiries")
    client, url = client_for(officer), reverse(URL)
    dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
    census = st.one_of(
        hostile_text,
        dates.map(date.isoformat),
        dates.map(lambda d: f"{d.day}/{d.month}/{d.year:04d}"),
    )

    @NEVER_500
    @given(
        data=hostile_post({"census": "1/10/2026", "format": "csv"}),
        census=census,
        method=st.sampled_from(["get", "post"]),
    )
    def check(data: dict[str, Any], census: str, method: str) -> None:
        with undone():
            posted_safely(client, url, {**data, "census": census}, method=method)
            posted_safely(client, url, data, method=method)

    check()
