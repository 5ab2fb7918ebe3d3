"""What the referral form does not take: ethnicity and SEN, other names, former UPNs, addresses."""

import datetime
from collections.abc import Callable

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.children.models import Address, Child, FormerUpn, OtherName, SenStatus
from cmetrack.children.selectors import child_find_existing
from cmetrack.children.services import (
    AddressData,
    ChildError,
    child_address_add,
    child_details_update,
    child_former_upn_add,
    child_other_name_add,
)
from cmetrack.core.upn import upn_check_letter
from cmetrack.testing.factories import AddressFactory, ChildFactory

MOVED_IN = datetime.date(2024, 3, 1)
MOVED_ON = datetime.date(2025, 6, 16)
ONE_DAY = datetime.timedelta(days=1)


def upn(serial: int, *, temporary: bool = False) -> str:
    body = f"3432001{serial:03d}" + ("1A" if temporary else "01")
    return upn_check_letter(body) + body


def wrong_check_letter(value: str) -> str:
    return ("B" if value[0] == "A" else "A") + value[1:]


def living_at(line_1: str = "12 Moss Lane", since: datetime.date = MOVED_IN) -> Child:
    child = ChildFactory()
    AddressFactory(child=child, line_1=line_1, date_from=since)
    return child


def new_address(**fields: object) -> AddressData:
    values: dict[str, object] = {
        "line_1": "4 Heron Close",
        "town": "Crosby",
        "postcode": "L23 0QQ",
        "date_from": MOVED_ON,
    }
    values.update(fields)
    return AddressData(**values)  # type: ignore[arg-type]


# --- child_address_add -----------------------------------------------------------------------


def test_a_new_current_address_closes_the_open_one_the_day_before_it_starts(
    officer: User,
) -> None:
    child = living_at()

    added = child_address_add(child=child, data=new_address(), by=officer)

    old = child.addresses.get(line_1="12 Moss Lane")
    assert old.date_to == MOVED_ON - ONE_DAY
    assert (added.date_from, added.date_to) == (MOVED_ON, None)
    assert child.current_address == added


def test_a_new_address_with_no_start_date_closes_the_open_one_today(officer: User) -> None:
    child = living_at()

    child_address_add(child=child, data=new_address(date_from=None), by=officer)

    assert child.addresses.get(line_1="12 Moss Lane").date_to == timezone.localdate()


def test_a_previous_address_is_added_with_its_end_and_leaves_the_current_one_open(
    officer: User,
) -> None:
    child = living_at()
    earlier = new_address(date_from=datetime.date(2021, 5, 4))

    added = child_address_add(child=child, data=earlier, date_to=MOVED_IN - ONE_DAY, by=officer)

    assert (added.date_from, added.date_to) == (
        datetime.date(2021, 5, 4),
        datetime.date(2024, 2, 29),
    )
    assert child.addresses.get(line_1="12 Moss Lane").date_to is None
    assert child.current_address is not None
    assert child.current_address.line_1 == "12 Moss Lane"


def test_an_address_postcode_is_normalised_and_kept_as_typed(officer: User) -> None:
    child = ChildFactory()

    added = child_address_add(
        child=child, data=new_address(line_1=" 4 Heron Close ", postcode=" l230qq"), by=officer
    )

    assert (added.line_1, added.postcode, added.postcode_raw) == (
        "4 Heron Close",
        "L23 0QQ",
        "l230qq",
    )


def test_no_fixed_abode_needs_no_street_or_postcode(officer: User) -> None:
    child = living_at()

    added = child_address_add(
        child=child,
        data=AddressData(state=Address.State.NO_FIXED_ABODE, date_from=MOVED_ON),
        by=officer,
    )

    assert added.state == Address.State.NO_FIXED_ABODE
    assert child.current_address == added


def test_an_address_starting_before_the_current_one_is_refused_and_nothing_is_written(
    officer: User,
) -> None:
    child = living_at(since=MOVED_ON)
    entries = LogEntry.objects.count()

    with pytest.raises(ChildError, match=r"must start after the current one.*16 June 2025"):
        child_address_add(child=child, data=new_address(date_from=MOVED_IN), by=officer)

    (only,) = child.addresses.all()
    assert (only.line_1, only.date_to) == ("12 Moss Lane", None)
    assert LogEntry.objects.count() == entries


@pytest.mark.parametrize(
    ("data", "date_to", "message"),
    [
        (new_address(), MOVED_ON - ONE_DAY, "cannot end before it starts"),
        (new_address(line_1="", postcode=" "), None, "first line or its postcode"),
        (new_address(state="moon"), None, "not an address state"),
    ],
    ids=["ends before it starts", "known but empty", "unknown state"],
)
def test_an_impossible_address_is_refused(
    officer: User, data: AddressData, date_to: datetime.date | None, message: str
) -> None:
    child = living_at()

    with pytest.raises(ChildError, match=message):
        child_address_add(child=child, data=data, date_to=date_to, by=officer)

    assert child.addresses.count() == 1


def test_an_address_change_is_audited_with_the_acting_user(officer: User) -> None:
    child = living_at()

    added = child_address_add(child=child, data=new_address(), by=officer)

    old = child.addresses.get(line_1="12 Moss Lane")
    closing = LogEntry.objects.get_for_object(old).get(action=LogEntry.Action.UPDATE)
    assert closing.actor == officer
    assert closing.changes_dict["date_to"] == ["None", str(MOVED_ON - ONE_DAY)]
    assert LogEntry.objects.get_for_object(added).get().actor == officer


# --- child_other_name_add --------------------------------------------------------------------


def test_an_other_name_is_trimmed_and_audited(officer: User) -> None:
    child = ChildFactory(forenames="Isabella", surname="McKenzie")

    name = child_other_name_add(
        child=child, kind=OtherName.Kind.PREFERRED, forenames=" Bella ", by=officer
    )

    assert (name.kind, name.forenames, name.surname) == ("preferred", "Bella", "")
    assert LogEntry.objects.get_for_object(name).get().actor == officer


def test_the_same_other_name_twice_is_refused_whatever_its_case(officer: User) -> None:
    child = ChildFactory(surname="McKenzie")
    child_other_name_add(child=child, kind=OtherName.Kind.SPELLING, surname="MacKenzie", by=officer)

    with pytest.raises(ChildError, match="already recorded"):
        child_other_name_add(
            child=child, kind=OtherName.Kind.SPELLING, surname="mackenzie ", by=officer
        )

    assert child.other_names.count() == 1


def test_the_same_name_may_be_recorded_as_another_kind(officer: User) -> None:
    child = ChildFactory()
    child_other_name_add(child=child, kind=OtherName.Kind.ALIAS, forenames="Jay", by=officer)

    child_other_name_add(child=child, kind=OtherName.Kind.PREFERRED, forenames="Jay", by=officer)

    assert child.other_names.count() == 2


@pytest.mark.parametrize(
    ("kind", "forenames", "surname", "message"),
    [
        (OtherName.Kind.ALIAS, " ", "", "forename"),
        ("nickname", "Jay", "", "not a kind of other name"),
        (OtherName.Kind.FORMER, "", "X" * 101, "too long"),
    ],
    ids=["blank", "unknown kind", "too long"],
)
def test_an_other_name_that_cannot_be_recorded_is_refused(
    officer: User, kind: str, forenames: str, surname: str, message: str
) -> None:
    child = ChildFactory()

    with pytest.raises(ChildError, match=message):
        child_other_name_add(
            child=child, kind=kind, forenames=forenames, surname=surname, by=officer
        )

    assert not child.other_names.exists()


# --- child_former_upn_add --------------------------------------------------------------------


def test_a_former_upn_is_stored_normalised_and_the_child_is_found_by_it(officer: User) -> None:
    child = ChildFactory(upn=upn(1))
    temporary = upn(2, temporary=True)

    former = child_former_upn_add(child=child, upn=f" {temporary.lower()} ", by=officer)

    assert former.upn == temporary
    assert child_find_existing(upn=temporary) == child
    assert LogEntry.objects.get_for_object(former).get().actor == officer


def test_a_former_upn_with_a_wrong_check_letter_is_refused_with_the_dfe_rule(
    officer: User,
) -> None:
    child = ChildFactory()

    with pytest.raises(ChildError, match=r"check letter is wrong \(DfE rule 1510\)"):
        child_former_upn_add(child=child, upn=wrong_check_letter(upn(3)), by=officer)

    assert not FormerUpn.objects.exists()


def test_the_current_upn_or_one_already_recorded_is_refused_as_a_former_upn(
    officer: User,
) -> None:
    child = ChildFactory(upn=upn(4))
    child_former_upn_add(child=child, upn=upn(5), by=officer)

    with pytest.raises(ChildError, match="current UPN"):
        child_former_upn_add(child=child, upn=upn(4), by=officer)
    with pytest.raises(ChildError, match="already recorded"):
        child_former_upn_add(child=child, upn=upn(5), by=officer)

    assert list(child.former_upns.values_list("upn", flat=True)) == [upn(5)]


# --- child_details_update --------------------------------------------------------------------


def test_details_update_sets_ethnicity_and_sen_status_and_audits_them(officer: User) -> None:
    child = ChildFactory()

    child_details_update(
        child=child, ethnicity=" White - British ", sen_status=SenStatus.EHCP, by=officer
    )

    child.refresh_from_db()
    assert (child.ethnicity, child.sen_status) == ("White - British", SenStatus.EHCP)
    update = LogEntry.objects.get_for_object(child).get(action=LogEntry.Action.UPDATE)
    assert update.actor == officer
    assert set(update.changes_dict) == {"ethnicity", "sen_status"}


def test_details_update_leaves_what_it_is_not_given_and_writes_nothing_unchanged(
    officer: User,
) -> None:
    child = ChildFactory(ethnicity="Chinese", sen_status=SenStatus.SEN_SUPPORT)

    child_details_update(child=child, ethnicity="Chinese", by=officer)

    child.refresh_from_db()
    assert (child.ethnicity, child.sen_status) == ("Chinese", SenStatus.SEN_SUPPORT)
    assert not LogEntry.objects.get_for_object(child).filter(action=LogEntry.Action.UPDATE)


def test_an_unknown_sen_status_is_refused(officer: User) -> None:
    child = ChildFactory(ethnicity="")

    with pytest.raises(ChildError, match="not an SEN status"):
        child_details_update(child=child, ethnicity="Chinese", sen_status="X", by=officer)

    child.refresh_from_db()
    assert child.ethnicity == ""


# --- records that can no longer change -------------------------------------------------------

WRITES: dict[str, Callable[[Child, User], object]] = {
    "details": lambda c, by: child_details_update(child=c, ethnicity="Chinese", by=by),
    "other name": lambda c, by: child_other_name_add(
        child=c, kind=OtherName.Kind.ALIAS, forenames="Jay", by=by
    ),
    "former UPN": lambda c, by: child_former_upn_add(child=c, upn=upn(6), by=by),
    "address": lambda c, by: child_address_add(child=c, data=new_address(), by=by),
}


@pytest.mark.parametrize("write", list(WRITES.values()), ids=list(WRITES))
def test_a_merged_record_refuses_every_change(
    officer: User, write: Callable[[Child, User], object]
) -> None:
    target = ChildFactory()
    tombstone = ChildFactory(merged_into=target)
    entries = LogEntry.objects.count()

    with pytest.raises(ChildError, match="merged into another"):
        write(tombstone, officer)

    assert LogEntry.objects.count() == entries


@pytest.mark.parametrize("write", list(WRITES.values()), ids=list(WRITES))
def test_an_anonymised_record_refuses_every_change(
    officer: User, write: Callable[[Child, User], object]
) -> None:
    child = ChildFactory(anonymised_at=timezone.now())
    entries = LogEntry.objects.count()

    with pytest.raises(ChildError, match="anonymised"):
        write(child, officer)

    assert LogEntry.objects.count() == entries
