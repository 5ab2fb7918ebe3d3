"""Creating a child's record, and finding the child already known."""

import datetime

import pytest
from auditlog.models import LogEntry

from cmetrack.accounts.models import User
from cmetrack.children.models import Address, Child, ChildFlag, FormerUpn
from cmetrack.children.selectors import child_find_existing
from cmetrack.children.services import (
    AddressData,
    ChildData,
    ChildError,
    ContactData,
    child_create,
    child_flag_add,
    child_flag_remove,
)
from cmetrack.core.upn import upn_check_letter
from cmetrack.testing.factories import ChildFactory, flag_type

DOB = datetime.date(2013, 11, 4)


def upn(serial: int) -> str:
    body = f"3432001{serial:05d}"
    return upn_check_letter(body) + body


def with_address(**address: object) -> ChildData:
    return ChildData(
        forenames="Ioana",
        surname="Popescu",
        date_of_birth=DOB,
        address=AddressData(**address),  # type: ignore[arg-type]
    )


# --- child_create ----------------------------------------------------------------------------


def test_child_create_trims_names_and_stores_the_upn_normalised(officer: User) -> None:
    typed = f" {upn(1)[:5].lower()} {upn(1)[5:]}  "

    child = child_create(
        data=ChildData(
            forenames="  Ioana Maria ",
            surname=" Popescu\t",
            date_of_birth=DOB,
            sex="F",
            upn=typed,
            first_language=" Romanian ",
        ),
        by=officer,
    )

    child.refresh_from_db()
    assert (child.forenames, child.surname, child.full_name) == (
        "Ioana Maria",
        "Popescu",
        "Ioana Maria Popescu",
    )
    assert child.upn == upn(1)
    assert child.first_language == "Romanian"
    assert (child.date_of_birth, child.sex) == (DOB, "F")


def test_child_create_without_a_upn_stores_it_blank(officer: User) -> None:
    child = child_create(data=ChildData(forenames="Ioana", surname="Popescu"), by=officer)
    assert child.upn == ""
    assert child.addresses.count() == 0


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("l20 7ae", "L20 7AE"), ("L207AE", "L20 7AE"), ("  pr8  1da ", "PR8 1DA")],
)
def test_child_create_normalises_a_valid_postcode_and_keeps_it_as_typed(
    officer: User, typed: str, stored: str
) -> None:
    child = child_create(
        data=with_address(line_1=" 12 Stanley Road ", town="Bootle", postcode=typed), by=officer
    )

    address = child.current_address
    assert address is not None
    assert address.state == Address.State.KNOWN
    assert address.postcode == stored
    assert address.postcode_raw == typed.strip()
    assert address.line_1 == "12 Stanley Road"


@pytest.mark.parametrize("typed", ["L2O 7AE", "BFPO 123", "not known", "L20"])
def test_child_create_keeps_an_invalid_postcode_as_raw_text_without_refusing(
    officer: User, typed: str
) -> None:
    child = child_create(data=with_address(line_1="Flat 3", postcode=typed), by=officer)

    address = child.addresses.get()
    assert address.postcode == ""
    assert address.postcode_raw == typed
    assert address.state == Address.State.KNOWN


@pytest.mark.parametrize(
    "state",
    [Address.State.NO_FIXED_ABODE, Address.State.ABROAD, Address.State.UNKNOWN],
    ids=["no fixed abode", "abroad", "unknown"],
)
def test_child_create_records_an_address_state_without_a_postcode(
    officer: User, state: Address.State
) -> None:
    country = "Romania" if state == Address.State.ABROAD else ""

    child = child_create(data=with_address(state=state, country=country), by=officer)

    address = child.current_address
    assert address is not None
    assert address.state == state
    assert (address.postcode, address.postcode_raw) == ("", "")
    assert address.country == country
    assert str(address) == state.label


def test_child_create_records_contacts_trimmed(officer: User) -> None:
    child = child_create(
        data=ChildData(
            forenames="Ioana",
            surname="Popescu",
            contacts=[
                ContactData(
                    name=" Elena Popescu ", relationship=" Mother ", phone=" 07700 900123 "
                ),
                ContactData(name="Andrei Popescu", lives_with_child=False),
            ],
        ),
        by=officer,
    )

    mother, father = child.contacts.all()
    assert (mother.name, mother.relationship, mother.phone) == (
        "Elena Popescu",
        "Mother",
        "07700 900123",
    )
    assert mother.lives_with_child and not father.lives_with_child


def test_child_create_is_audited_with_the_acting_user(officer: User) -> None:
    child = child_create(data=with_address(postcode="L20 7AE"), by=officer)

    (entry,) = LogEntry.objects.get_for_object(child)
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == officer
    assert LogEntry.objects.get_for_object(child.addresses.get()).get().actor == officer


# --- flags on the child ----------------------------------------------------------------------


def test_a_child_holds_one_active_flag_of_each_type(officer: User) -> None:
    child = ChildFactory()
    flag = child_flag_add(child=child, flag_type=flag_type(), by=officer)

    with pytest.raises(ChildError, match="already has the flag"):
        child_flag_add(child=child, flag_type=flag_type(), by=officer)
    child_flag_remove(flag=flag, by=officer)
    child_flag_add(child=child, flag_type=flag_type(), by=officer)

    assert ChildFlag.objects.filter(child=child).count() == 2
    assert ChildFlag.objects.filter(child=child, removed_at__isnull=True).count() == 1


# --- child_find_existing ---------------------------------------------------------------------


def test_find_existing_matches_upn_however_typed(db: None) -> None:
    known = ChildFactory(upn=upn(2))
    assert child_find_existing(upn=f" {upn(2).lower()[:6]} {upn(2)[6:]}") == known


def test_find_existing_matches_a_former_upn(db: None) -> None:
    known = ChildFactory(upn=upn(3))
    FormerUpn.objects.create(child=known, upn=upn(4))
    assert child_find_existing(upn=upn(4)) == known


def test_find_existing_matches_name_and_date_of_birth_ignoring_case_and_spaces(db: None) -> None:
    known = ChildFactory(forenames="Ioana", surname="Popescu", date_of_birth=DOB)
    found = child_find_existing(forenames=" IOANA ", surname="popescu  ", date_of_birth=DOB)
    assert found == known


@pytest.mark.parametrize(
    "partial",
    [
        {"forenames": "Ioana", "surname": "Popescu"},
        {"forenames": "Ioana", "date_of_birth": DOB},
        {"surname": "Popescu", "date_of_birth": DOB},
        {},
    ],
)
def test_find_existing_needs_name_and_date_of_birth_together(
    db: None, partial: dict[str, object]
) -> None:
    ChildFactory(forenames="Ioana", surname="Popescu", date_of_birth=DOB)
    assert child_find_existing(**partial) is None  # type: ignore[arg-type]


def test_find_existing_prefers_the_upn_match_over_a_name_match(db: None) -> None:
    ChildFactory(forenames="Ioana", surname="Popescu", date_of_birth=DOB)
    by_upn = ChildFactory(forenames="Ioana-Maria", surname="Popescu", upn=upn(5))
    found = child_find_existing(upn=upn(5), forenames="Ioana", surname="Popescu", date_of_birth=DOB)
    assert found == by_upn


def test_find_existing_falls_back_to_name_and_date_of_birth_when_the_upn_is_unknown(
    db: None,
) -> None:
    known = ChildFactory(forenames="Ioana", surname="Popescu", date_of_birth=DOB)
    found = child_find_existing(upn=upn(6), forenames="Ioana", surname="Popescu", date_of_birth=DOB)
    assert found == known


def test_find_existing_picks_the_oldest_record_when_two_share_name_and_birth_date(
    db: None,
) -> None:
    first = ChildFactory(forenames="Ioana", surname="Popescu", date_of_birth=DOB)
    ChildFactory(forenames="Ioana", surname="Popescu", date_of_birth=DOB)
    assert child_find_existing(forenames="Ioana", surname="Popescu", date_of_birth=DOB) == first


@pytest.mark.parametrize("matched_by", ["upn", "former upn", "name and date of birth"])
def test_find_existing_ignores_a_merged_child(db: None, matched_by: str) -> None:
    survivor = ChildFactory(forenames="Someone", surname="Else", upn=upn(10))
    tombstone = ChildFactory(
        forenames="Ioana", surname="Popescu", date_of_birth=DOB, upn=upn(7), merged_into=survivor
    )
    FormerUpn.objects.create(child=tombstone, upn=upn(8))
    query = {
        "upn": {"upn": upn(7)},
        "former upn": {"upn": upn(8)},
        "name and date of birth": {
            "forenames": "Ioana",
            "surname": "Popescu",
            "date_of_birth": DOB,
        },
    }[matched_by]

    assert child_find_existing(**query) is None  # type: ignore[arg-type]


def test_find_existing_finds_the_surviving_record_rather_than_its_merged_twin(db: None) -> None:
    # The older record is the one merged away, so "oldest first" alone would pick it.
    tombstone = ChildFactory(forenames="Ioana", surname="Popescu", date_of_birth=DOB, upn=upn(9))
    survivor = ChildFactory(forenames="Ioana", surname="Popescu", date_of_birth=DOB, upn=upn(9))
    tombstone.merged_into = survivor
    tombstone.save()

    assert child_find_existing(upn=upn(9)) == survivor
    assert child_find_existing(forenames="Ioana", surname="Popescu", date_of_birth=DOB) == survivor
    assert Child.objects.filter(upn=upn(9)).count() == 2


@pytest.mark.django_db
def test_a_referral_for_a_known_child_adds_missing_upn_new_address_and_carer_without_overwriting(
    officer: User,
) -> None:
    from cmetrack.children.services import child_add_referral_details

    child = child_create(
        data=ChildData(
            forenames="Zoë",
            surname="Adebayo",
            date_of_birth=datetime.date(2014, 5, 2),
            address=AddressData(line_1="1 Old Road", postcode="L20 7AE"),
            contacts=[ContactData(name="Ada Adebayo")],
        ),
        by=officer,
    )
    added = child_add_referral_details(
        child=child,
        data=ChildData(
            forenames="Zoe",
            surname="Adebayo",
            upn="h801200001001",
            address=AddressData(line_1="9 New Street", postcode="PR8 1DA"),
            contacts=[ContactData(name="ada adebayo"), ContactData(name="Sam Adebayo")],
        ),
        by=officer,
    )
    child.refresh_from_db()
    assert added == ["UPN", "address", "parent or carer"]
    assert child.upn == "H801200001001"
    assert child.forenames == "Zoë"  # names are never overwritten by a referral
    assert child.current_address is not None and child.current_address.postcode == "PR8 1DA"
    assert child.addresses.count() == 2
    assert sorted(child.contacts.values_list("name", flat=True)) == ["Ada Adebayo", "Sam Adebayo"]


@pytest.mark.django_db
def test_the_same_address_again_is_not_added_twice(officer: User) -> None:
    from cmetrack.children.services import child_add_referral_details

    child = child_create(
        data=ChildData(
            forenames="A", surname="B", address=AddressData(line_1="1 Old Road", postcode="l20 7ae")
        ),
        by=officer,
    )
    added = child_add_referral_details(
        child=child,
        data=ChildData(
            forenames="A", surname="B", address=AddressData(line_1="1 old road", postcode="L207AE")
        ),
        by=officer,
    )
    assert added == []
    assert child.addresses.count() == 1
