"""Writes to a child's record. Keyword-only, one transaction each, audited (auditlog)."""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.core.postcode import normalise_postcode
from cmetrack.core.upn import normalise_upn

from .models import Address, Child, ChildFlag, Contact, VulnerabilityFlagType


class ChildError(Exception):
    """A change to a child's record that cannot be made; the message is shown to the user."""


@dataclass(frozen=True)
class AddressData:
    state: str = Address.State.KNOWN
    line_1: str = ""
    line_2: str = ""
    town: str = ""
    postcode: str = ""
    country: str = ""
    date_from: date | None = None


@dataclass(frozen=True)
class ContactData:
    name: str
    relationship: str = ""
    phone: str = ""
    email: str = ""
    lives_with_child: bool = True
    has_parental_responsibility: bool = True


@dataclass(frozen=True)
class ChildData:
    forenames: str
    surname: str
    date_of_birth: date | None = None
    sex: str = "U"
    upn: str = ""
    first_language: str = ""
    address: AddressData | None = None
    contacts: list[ContactData] = field(default_factory=list)


def _address_create(*, child: Child, data: AddressData) -> Address:
    raw = data.postcode.strip()
    # A bad postcode is a warning, not a block (STANDARDS.md): keep the text as given.
    normalised = normalise_postcode(raw) if raw else None
    return Address.objects.create(
        child=child,
        state=data.state,
        line_1=data.line_1.strip(),
        line_2=data.line_2.strip(),
        town=data.town.strip(),
        postcode=normalised or "",
        postcode_raw=raw,
        country=data.country.strip(),
        date_from=data.date_from,
    )


@transaction.atomic
def child_create(*, data: ChildData, by: User) -> Child:
    with acting_as(by):
        child = Child.objects.create(
            forenames=data.forenames.strip(),
            surname=data.surname.strip(),
            date_of_birth=data.date_of_birth,
            sex=data.sex,
            upn=normalise_upn(data.upn) if data.upn else "",
            first_language=data.first_language.strip(),
        )
        if data.address is not None:
            _address_create(child=child, data=data.address)
        for contact in data.contacts:
            Contact.objects.create(
                child=child,
                name=contact.name.strip(),
                relationship=contact.relationship.strip(),
                phone=contact.phone.strip(),
                email=contact.email.strip(),
                lives_with_child=contact.lives_with_child,
                has_parental_responsibility=contact.has_parental_responsibility,
            )
    return child


@transaction.atomic
def child_add_referral_details(*, child: Child, data: ChildData, by: User) -> list[str]:
    """A new referral for a known child may bring what the record lacks: a UPN, a newer
    address, another carer. Add those (never overwrite), and say what was added."""
    added: list[str] = []
    with acting_as(by):
        upn = normalise_upn(data.upn) if data.upn else ""
        if upn and not child.upn:
            child.upn = upn
            child.save(update_fields=["upn", "updated_at"])
            added.append("UPN")
        current = child.current_address
        if data.address is not None and _is_new_address(current, data.address):
            if current is not None:
                current.date_to = data.address.date_from or timezone.localdate()
                current.save(update_fields=["date_to"])
            _address_create(child=child, data=data.address)
            added.append("address")
        known_names = {name.casefold() for name in child.contacts.values_list("name", flat=True)}
        for contact in data.contacts:
            if contact.name.strip().casefold() not in known_names:
                Contact.objects.create(
                    child=child,
                    name=contact.name.strip(),
                    relationship=contact.relationship.strip(),
                    phone=contact.phone.strip(),
                    email=contact.email.strip(),
                    lives_with_child=contact.lives_with_child,
                    has_parental_responsibility=contact.has_parental_responsibility,
                )
                added.append("parent or carer")
    return added


def _is_new_address(current: Address | None, given: AddressData) -> bool:
    if given.state == Address.State.KNOWN and not (given.line_1.strip() or given.postcode.strip()):
        return False
    if current is None:
        return True
    if given.state != current.state:
        return True
    same_postcode = (normalise_postcode(given.postcode) or given.postcode.strip()) in {
        current.postcode,
        current.postcode_raw,
    }
    return not (same_postcode and given.line_1.strip().casefold() == current.line_1.casefold())


def child_flag_add(
    *, child: Child, flag_type: VulnerabilityFlagType, by: User, note: str = ""
) -> ChildFlag:
    """Call inside the caller's transaction; the case service records the timeline event."""
    if child.flags.filter(flag_type=flag_type, removed_at__isnull=True).exists():
        raise ChildError(f"{child.full_name} already has the flag “{flag_type.label}”.")
    with acting_as(by):
        return ChildFlag.objects.create(child=child, flag_type=flag_type, note=note, added_by=by)


def child_flag_remove(*, flag: ChildFlag, by: User) -> None:
    if flag.removed_at is not None:
        raise ChildError("That flag was already removed.")
    with acting_as(by):
        flag.removed_at = timezone.now()
        flag.save(update_fields=["removed_at"])
