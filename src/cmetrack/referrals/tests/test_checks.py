"""The shared checks of school returns: pure functions, never raising, whatever they are given."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from cmetrack.core.grounds import GROUNDS, NOT_STATED, ground_or_not_stated
from cmetrack.referrals.checks import deletion_check, new_pupil_check
from cmetrack.referrals.particulars import ChildParticulars, DeletionData, NewPupilData

TODAY = date(2026, 11, 2)
any_date = st.none() | st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
any_text = st.text(max_size=400)
children = st.builds(
    ChildParticulars,
    forenames=any_text,
    surname=any_text,
    date_of_birth=any_date,
    sex=st.sampled_from(["F", "M", "U", "X", ""]),
    upn=any_text,
    address_line_1=any_text,
    town=any_text,
    postcode=any_text,
)


@settings(max_examples=200, deadline=None)
@given(
    child=children,
    ground=st.sampled_from([*GROUNDS, "", "z", "(h)", " A "]),
    deletion_date=any_date,
    start=any_date,
    phone=any_text,
    lost=st.booleans(),
)
def test_the_deletion_check_gives_a_verdict_for_anything_and_never_raises(
    child: ChildParticulars,
    ground: str,
    deletion_date: date | None,
    start: date | None,
    phone: str,
    lost: bool,
) -> None:
    data = DeletionData(
        child=child,
        school=None,
        ground=ground,
        deletion_date=deletion_date,
        emergency_phone=phone,
        new_school_start=start,
        lost_pupil=lost,
    )
    verdict = deletion_check(data, today=TODAY)
    assert all(p.message for p in verdict.errors + verdict.warnings)
    if verdict.ok:
        assert data.deletion_date is not None and child.date_of_birth is not None


@settings(max_examples=200, deadline=None)
@given(child=children, start=any_date)
def test_the_new_pupil_check_gives_a_verdict_for_anything_and_never_raises(
    child: ChildParticulars, start: date | None
) -> None:
    verdict = new_pupil_check(NewPupilData(child=child, school=None, start_date=start), today=TODAY)
    assert all(p.message for p in verdict.errors + verdict.warnings)


CHILD_13 = ChildParticulars(forenames="Ann", surname="Example", date_of_birth=date(2013, 5, 1))
CHILD_16 = ChildParticulars(forenames="Ben", surname="Example", date_of_birth=date(2010, 5, 1))


def _deletion(child: ChildParticulars, ground: str, removed: date) -> DeletionData:
    return DeletionData(
        child=child,
        school=None,
        ground=ground,
        deletion_date=removed,
        emergency_phone="07700 900123",
        parent_names="Jo Example",
    )


def test_ground_l_for_a_child_of_compulsory_school_age_is_flagged_as_possible_off_rolling() -> None:
    verdict = deletion_check(_deletion(CHILD_13, "l", TODAY), today=TODAY)
    assert verdict.ok
    assert any("possible off-rolling" in w.message for w in verdict.warnings)


def test_ground_l_in_the_summer_a_pupil_leaves_school_age_is_not_flagged() -> None:
    leaving = date(2026, 7, 17)
    verdict = deletion_check(_deletion(CHILD_16, "l", leaving), today=leaving)
    assert not any("off-rolling" in w.message for w in verdict.warnings)


def test_a_blank_ground_is_the_not_stated_ground_a_cme_enquiry_with_whereabouts_unknown() -> None:
    assert ground_or_not_stated("  ") is NOT_STATED
    assert NOT_STATED.route.value == "open_case" and NOT_STATED.whereabouts_unknown
    assert NOT_STATED.label == "Ground not stated"


def test_a_second_parent_without_an_emergency_number_is_flagged() -> None:
    data = DeletionData(
        child=ChildParticulars("Ann", "Example", date(2014, 5, 1), address_line_1="1 Road"),
        school=None,
        ground="g",
        deletion_date=TODAY,
        emergency_phone="07700 900123",
        parent_names="Jo Example",
        parent_2_name="Sam Example",
    )
    warnings = {w.field for w in deletion_check(data, today=TODAY).warnings}
    assert "parent_2_phone" in warnings


def test_a_return_without_the_pupils_address_is_flagged_not_refused() -> None:
    data = DeletionData(
        child=ChildParticulars("Ann", "Example", date(2014, 5, 1)),
        school=None,
        ground="g",
        deletion_date=TODAY,
        emergency_phone="07700 900123",
        parent_names="Jo Example",
    )
    verdict = deletion_check(data, today=TODAY)
    assert verdict.ok and "address_line_1" in {w.field for w in verdict.warnings}
