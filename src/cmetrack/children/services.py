"""Writes to a child's record. Keyword-only, one transaction each, audited (auditlog).

Every change moves the child's `version` on (child_version_bump); a service given the
`expected_version` a form was opened at refuses a stale form (ChildChanged), as the case
services do (docs/concurrent-edits.md)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.audit.bulk import bulk_insert_with_audit
from cmetrack.audit.context import acting_as
from cmetrack.core.postcode import normalise_postcode
from cmetrack.core.upn import normalise_upn, validate_upn

from .models import (
    Address,
    Child,
    ChildFlag,
    Contact,
    FormerUpn,
    OtherName,
    SenStatus,
    VulnerabilityFlagType,
)
from .signals import children_bulk_created, flag_added


class ChildError(Exception):
    """A change to a child's record that cannot be made; the message is shown to the user."""


class ChildChanged(ChildError):
    """The record moved on since the form was opened: refused rather than laid over a change
    its user never saw. `child` is the record as it is now; `expected` the form's version."""

    def __init__(self, child: Child, expected: int) -> None:
        super().__init__(f"{child.full_name}'s record changed since you opened it.")
        self.child = child
        self.expected = expected


def child_locked(child: Child, expected_version: int | None = None) -> Child:
    """Re-read the child under a row lock (inside the caller's transaction) and refuse
    (ChildChanged) if it is no longer at `expected_version`, the version a form was opened at.
    Without one (imports, intake, merges, the demo) the change goes ahead."""
    locked = Child.objects.select_for_update().get(pk=child.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ChildChanged(locked, expected_version)
    return locked


def child_version_bump(child: Child) -> None:
    """Move the child's version on, as UPDATE ... SET version = version + 1 WHERE version = the
    version read; call it inside the transaction that changes the record (its particulars,
    addresses, names, flags, a merge). Refused (ChildChanged) if the row moved on anyway.
    A separate UPDATE, so the audit log's record lists what changed, not the counter."""
    moved = Child.objects.filter(pk=child.pk, version=child.version).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if not moved:
        raise ChildChanged(Child.objects.get(pk=child.pk), child.version)
    child.version += 1


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


def _address_create(*, child: Child, data: AddressData, date_to: date | None = None) -> Address:
    address = _new_address(child=child, data=data, date_to=date_to)
    address.save()
    return address


def _new_address(*, child: Child, data: AddressData, date_to: date | None = None) -> Address:
    raw = data.postcode.strip()
    # A bad postcode is a warning, not a block (STANDARDS.md): keep the text as given.
    normalised = normalise_postcode(raw) if raw else None
    return Address(
        child=child,
        state=data.state,
        line_1=data.line_1.strip(),
        line_2=data.line_2.strip(),
        town=data.town.strip(),
        postcode=normalised or "",
        postcode_raw=raw,
        country=data.country.strip(),
        date_from=data.date_from,
        date_to=date_to,
    )


def _new_child(data: ChildData) -> Child:
    return Child(
        forenames=data.forenames.strip(),
        surname=data.surname.strip(),
        date_of_birth=data.date_of_birth,
        sex=data.sex,
        upn=normalise_upn(data.upn) if data.upn else "",
        first_language=data.first_language.strip(),
    )


def _new_contact(child: Child, contact: ContactData) -> Contact:
    return Contact(
        child=child,
        name=contact.name.strip(),
        relationship=contact.relationship.strip(),
        phone=contact.phone.strip(),
        email=contact.email.strip(),
        lives_with_child=contact.lives_with_child,
        has_parental_responsibility=contact.has_parental_responsibility,
    )


@transaction.atomic
def child_create(*, data: ChildData, by: User | None) -> Child:
    with acting_as(by):
        child = _new_child(data)
        child.save()
        if data.address is not None:
            _address_create(child=child, data=data.address)
        for contact in data.contacts:
            _new_contact(child, contact).save()
    return child


@transaction.atomic
def children_create(*, items: Sequence[ChildData], by: User) -> list[Child]:
    """`child_create` for many children at once (a register migration): the records, their
    addresses and contacts inserted in bulk, each with the audit entry its save would have
    written; then `children_bulk_created`, so the apps above file what they derive."""
    children = [_new_child(data) for data in items]
    bulk_insert_with_audit(children, by=by)
    addresses = [
        _new_address(child=child, data=data.address)
        for child, data in zip(children, items, strict=True)
        if data.address is not None
    ]
    contacts = [
        _new_contact(child, contact)
        for child, data in zip(children, items, strict=True)
        for contact in data.contacts
    ]
    bulk_insert_with_audit(addresses, by=by)
    bulk_insert_with_audit(contacts, by=by)
    children_bulk_created.send(sender=Child, children=children)
    return children


@transaction.atomic
def child_add_referral_details(*, child: Child, data: ChildData, by: User | None) -> list[str]:
    """A new referral for a known child may bring what the record lacks: a UPN, a newer
    address, another carer. Add those (never overwrite), and say what was added."""
    added: list[str] = []
    child = child_locked(child)
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
                _new_contact(child, contact).save()
                added.append("parent or carer")
    if added:
        child_version_bump(child)
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
    child = child_locked(child)
    already = ChildError(f"{child.full_name} already has the flag “{flag_type.label}”.")
    if child.flags.filter(flag_type=flag_type, removed_at__isnull=True).exists():
        raise already
    try:
        # Two officers adding the same flag at once both pass the check above; the database's
        # one_active_flag_of_each_type constraint lets one in, and the other is told so.
        with transaction.atomic(), acting_as(by):
            flag = ChildFlag.objects.create(
                child=child, flag_type=flag_type, note=note, added_by=by
            )
    except IntegrityError:
        raise already from None
    child_version_bump(child)
    flag_added.send(sender=ChildFlag, flag=flag, by=by)
    return flag


def child_flag_remove(*, flag: ChildFlag, by: User) -> None:
    if flag.removed_at is not None:
        raise ChildError("That flag was already removed.")
    with acting_as(by):
        flag.removed_at = timezone.now()
        flag.save(update_fields=["removed_at"])
    child_version_bump(child_locked(flag.child))


# --- details the referral form does not take: ethnicity, SEN, other names, history ---------


def _check_writable(child: Child) -> None:
    if child.merged_into_id is not None:
        raise ChildError(
            f"{child.full_name}'s record was merged into another; change that record instead."
        )
    if child.anonymised_at is not None:
        raise ChildError("This record has been anonymised and can no longer be changed.")


def _check_length(value: str, limit: int, what: str) -> None:
    if len(value) > limit:
        raise ChildError(f"The {what} is too long: at most {limit} characters.")


@transaction.atomic
def child_details_update(
    *,
    child: Child,
    by: User,
    ethnicity: str | None = None,
    sen_status: str | None = None,
    expected_version: int | None = None,
) -> Child:
    """Set the child's ethnicity and SEN status; a value left as None is not changed."""
    child = child_locked(child, expected_version)
    _check_writable(child)
    changed: list[str] = []
    if ethnicity is not None:
        ethnicity = ethnicity.strip()
        _check_length(ethnicity, 60, "ethnicity")
        if ethnicity != child.ethnicity:
            child.ethnicity = ethnicity
            changed.append("ethnicity")
    if sen_status is not None:
        if sen_status not in SenStatus.values:
            raise ChildError(f"“{sen_status}” is not an SEN status.")
        if sen_status != child.sen_status:
            child.sen_status = sen_status
            changed.append("sen_status")
    if changed:
        child_version_bump(child)
        with acting_as(by):
            child.save(update_fields=[*changed, "updated_at"])
    return child


@transaction.atomic
def child_other_name_add(
    *,
    child: Child,
    kind: str,
    by: User,
    forenames: str = "",
    surname: str = "",
    expected_version: int | None = None,
) -> OtherName:
    """Record a name the child is also known by (matching searches these too)."""
    child = child_locked(child, expected_version)
    _check_writable(child)
    forenames, surname = forenames.strip(), surname.strip()
    if kind not in OtherName.Kind.values:
        raise ChildError(f"“{kind}” is not a kind of other name.")
    if not (forenames or surname):
        raise ChildError("Give the other forename(s), the other surname, or both.")
    _check_length(forenames, 100, "other forename")
    _check_length(surname, 100, "other surname")
    for known in child.other_names.filter(kind=kind):
        if (known.forenames.casefold(), known.surname.casefold()) == (
            forenames.casefold(),
            surname.casefold(),
        ):
            raise ChildError(f"“{known}” is already recorded for {child.full_name}.")
    child_version_bump(child)
    with acting_as(by):
        return OtherName.objects.create(
            child=child, kind=kind, forenames=forenames, surname=surname
        )


@transaction.atomic
def child_former_upn_add(
    *, child: Child, upn: str, by: User, expected_version: int | None = None
) -> FormerUpn:
    """Record a UPN the child no longer uses, such as a temporary one; children match on it."""
    child = child_locked(child, expected_version)
    _check_writable(child)
    upn = normalise_upn(upn)
    problems = validate_upn(upn)
    if problems:
        raise ChildError("; ".join(problem.message for problem in problems))
    if upn == child.upn:
        raise ChildError(f"{upn} is {child.full_name}'s current UPN, not a former one.")
    if child.former_upns.filter(upn=upn).exists():
        raise ChildError(f"{upn} is already recorded as a former UPN of {child.full_name}.")
    child_version_bump(child)
    with acting_as(by):
        return FormerUpn.objects.create(child=child, upn=upn)


@transaction.atomic
def child_address_add(
    *,
    child: Child,
    data: AddressData,
    by: User,
    date_to: date | None = None,
    expected_version: int | None = None,
) -> Address:
    """Add an address to the child's history.

    With `date_to` it is a previous address and the current one is left alone. Without, it is
    the new current address: every open address ends the day before it starts (today, when the
    start is not known). Refused, writing nothing, if an address would end before it starts.
    """
    child = child_locked(child, expected_version)
    _check_writable(child)
    if data.state not in Address.State.values:
        raise ChildError(f"“{data.state}” is not an address state.")
    if data.state == Address.State.KNOWN and not (data.line_1.strip() or data.postcode.strip()):
        raise ChildError("A known address needs at least its first line or its postcode.")
    if date_to is not None and data.date_from is not None and date_to < data.date_from:
        raise ChildError("An address cannot end before it starts.")
    # A previous address leaves the current one alone; a new current one closes every open one.
    closing: list[Address] = []
    ended = timezone.localdate()
    if date_to is None:
        closing = list(child.addresses.filter(date_to__isnull=True).order_by("pk"))
        if data.date_from is not None:
            ended = data.date_from - timedelta(days=1)
    for address in closing:
        if address.date_from is not None and address.date_from > ended:
            raise ChildError(
                "The new address must start after the current one, which started on "
                f"{address.date_from:%-d %B %Y}."
            )
    child_version_bump(child)
    with acting_as(by):
        for address in closing:
            address.date_to = ended
            address.save(update_fields=["date_to"])
        return _address_create(child=child, data=data, date_to=date_to)
