"""The EHE half of the termly return, against a small history counted by hand.

Census date Thursday 1 October 2026 (school year 2026/27); the previous academic year is
1 September 2025 to 31 August 2026. Year groups on the census date: born Sep 2014-Aug 2015 is
Year 7, Sep 2016-Aug 2017 Year 5, Sep 2018-Aug 2019 Year 3.

    child sex born        record(s)                               on 1/10/26  in 2025/26
    A     F   2015-01-10  mental health, 2025-10-01 -> open       yes         yes (Year 6)
    B     M   2019-02-01  philosophical, 2026-09-15 -> open       yes         no: started after
    C     F   2012-03-03  no reason, 2024-01-10 -> 2026-10-01     no: ended   yes (Year 9)
                                                                  that day
    D     M   2015-03-03  mental health, 2026-10-02 -> open       no: next day no
    E     F   2019-01-01  bullying, 2025-03-01 -> 2025-07-01      no          no: ended before
    F     U   2012-01-01  bullying, 2025-08-31 -> 2025-09-01      no          no: gone on day 1
    G     F   2009-05-01  lifestyle, 2026-01-01 -> open           no: over 16 no: over 16
    H     M   2017-01-01  lifestyle, 2025-09-10 -> 2025-12-01,    yes (once)  yes, once (Year 4)
                          and lifestyle, 2026-02-01 -> open
    I     F   2015-02-02  no reason, 2026-09-01 -> open           yes         no: started after

On the census date: A, B, H, I = 4. Reason: mental health 1, philosophical 1, lifestyle 1,
not known 1. Year group: Year 3 1, Year 5 1, Year 7 2. Sex: female 2, male 2, unknown 0.
In 2025/26: A, C, H = 3. Year group then: Year 4 1, Year 6 1, Year 9 1. Sex: female 2, male 1.
"""

from datetime import date

import pytest

from cmetrack.accounts.models import User
from cmetrack.children.models import Child
from cmetrack.ehe.models import EheReason, EheRecord, EndReason, Source
from cmetrack.ehe.selectors import Breakdown, EheCensusFigures, ehe_census_figures
from cmetrack.testing.factories import ChildFactory

pytestmark = pytest.mark.django_db

CENSUS = date(2026, 10, 1)


def _record(child: Child, start: date, end: date | None = None, reason: str = "") -> EheRecord:
    return EheRecord.objects.create(
        child=child,
        source=Source.PARENT_NOTICE,
        start_date=start,
        end_date=end,
        end_reason=EndReason.RETURNED_TO_SCHOOL if end else "",
        reason=EheReason.objects.get(code=reason) if reason else None,
    )


@pytest.fixture
def history(db: None) -> dict[str, EheRecord]:
    def child(sex: str, born: date) -> Child:
        return ChildFactory(sex=sex, date_of_birth=born)

    h = child("M", date(2017, 1, 1))
    _record(h, date(2025, 9, 10), date(2025, 12, 1), "lifestyle")
    return {
        "A": _record(child("F", date(2015, 1, 10)), date(2025, 10, 1), None, "mental-health"),
        "B": _record(child("M", date(2019, 2, 1)), date(2026, 9, 15), None, "philosophical"),
        "C": _record(child("F", date(2012, 3, 3)), date(2024, 1, 10), date(2026, 10, 1)),
        "D": _record(child("M", date(2015, 3, 3)), date(2026, 10, 2), None, "mental-health"),
        "E": _record(child("F", date(2019, 1, 1)), date(2025, 3, 1), date(2025, 7, 1), "bullying"),
        "F": _record(child("U", date(2012, 1, 1)), date(2025, 8, 31), date(2025, 9, 1), "bullying"),
        "G": _record(child("F", date(2009, 5, 1)), date(2026, 1, 1), None, "lifestyle"),
        "H": _record(h, date(2026, 2, 1), None, "lifestyle"),
        "I": _record(child("F", date(2015, 2, 2)), date(2026, 9, 1)),
    }


def _rows(breakdown: Breakdown) -> dict[str, int]:
    """The non-zero rows (every listed category is present, most with 0)."""
    return {label: n for label, n in breakdown.rows if n}


def _figures(user: User) -> EheCensusFigures:
    figures = ehe_census_figures(user=user, census=CENSUS)
    assert figures is not None
    return figures


def test_children_on_the_register_on_the_census_date(
    history: dict[str, EheRecord], ehe_officer: User
) -> None:
    figures = _figures(ehe_officer)
    assert figures.on_census_total == 4
    reason, year, sex = figures.on_census
    assert _rows(reason) == {
        "Mental health": 1,
        "Philosophical or preferential reasons": 1,
        "Lifestyle choice": 1,
        "Not known": 1,
    }
    assert _rows(year) == {"Year 3": 1, "Year 5": 1, "Year 7": 2}
    assert dict(sex.rows) == {"female": 2, "male": 2, "unknown": 0}
    assert reason.total == year.total == sex.total == 4


def test_children_on_the_register_at_any_time_in_the_previous_academic_year(
    history: dict[str, EheRecord], ehe_officer: User
) -> None:
    figures = _figures(ehe_officer)
    assert figures.previous_year_label == "2025/26"
    assert figures.previous_year_total == 3
    year, sex = figures.previous_year
    assert _rows(year) == {"Year 4": 1, "Year 6": 1, "Year 9": 1}
    assert dict(sex.rows) == {"female": 2, "male": 1, "unknown": 0}


def test_every_reason_in_force_is_listed_even_at_zero(
    history: dict[str, EheRecord], officer: User
) -> None:
    reason = _figures(officer).on_census[0]
    labels = [label for label, _ in reason.rows]
    assert "Bullying" in labels and dict(reason.rows)["Bullying"] == 0
    assert labels[-1] == "Not known"


def test_a_reason_is_counted_under_its_dfe_code_once_known(
    history: dict[str, EheRecord], ehe_officer: User
) -> None:
    EheReason.objects.filter(code="mental-health").update(dfe_code="MH")
    reason = _figures(ehe_officer).on_census[0]
    assert dict(reason.rows)["MH"] == 1
    assert "Mental health" not in dict(reason.rows)


def test_what_happens_after_the_census_date_does_not_change_its_figures(
    history: dict[str, EheRecord], ehe_officer: User
) -> None:
    before = _figures(ehe_officer)
    EheRecord.objects.filter(pk=history["A"].pk).update(
        end_date=date(2026, 11, 1), end_reason=EndReason.RETURNED_TO_SCHOOL
    )
    _record(ChildFactory(date_of_birth=date(2015, 5, 5)), date(2026, 11, 2))
    assert _figures(ehe_officer) == before


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_no_figures_for_a_user_who_may_not_see_the_register(
    history: dict[str, EheRecord], persona: str, request: pytest.FixtureRequest
) -> None:
    assert ehe_census_figures(user=request.getfixturevalue(persona), census=CENSUS) is None
