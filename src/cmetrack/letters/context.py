"""The one context builder: what a letter may say about a case, under the names in
placeholders.py. A value the case does not have is None, never "" or "Not known": the renderer
refuses a template that needs it, so no letter goes out with a gap where a name should be.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from cmetrack.children.models import Address, ChildFlag, Contact
from cmetrack.core.grounds import ground_or_not_stated
from cmetrack.core.year_group import national_curriculum_year, year_group_label
from cmetrack.referrals.models import DeletionReturn, Direction, Nature, OtherLaNotification

from .placeholders import AUTHORITY_ONLY, KNOWN

if TYPE_CHECKING:
    from cmetrack.accounts.models import User
    from cmetrack.cases.models import Case

Context = dict[str, str | None]

# Characters XML 1.0 cannot hold (controls, lone surrogates, U+FFFE and U+FFFF), and docxtpl's
# own markers (\a paragraph, \f page, \t tab): a name typed with them must not break the
# document or lay it out differently.
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean(value: object) -> str | None:
    """Text for a letter: control characters gone, outer space trimmed, blank as None."""
    if value is None:
        return None
    text = _CONTROL.sub(" ", str(value)).strip()
    text = re.sub(r"[ \u00a0]{2,}", " ", text)
    return text or None


def long_date(on: date | None) -> str | None:
    return f"{on.day} {on:%B %Y}" if on else None


def authority_context(*, on: date | None = None) -> Context:
    """Authority details and today's date: what every letter and every blank form may use."""
    return {
        "authority_name": clean(settings.CMETRACK_AUTHORITY_NAME),
        "authority_la_code": clean(settings.CMETRACK_AUTHORITY_LA_CODE),
        "authority_address": clean(getattr(settings, "CMETRACK_AUTHORITY_ADDRESS", "")),
        "authority_phone": clean(getattr(settings, "CMETRACK_AUTHORITY_PHONE", "")),
        "authority_email": clean(getattr(settings, "CMETRACK_AUTHORITY_EMAIL", "")),
        "today": long_date(on or timezone.localdate()),
    }


def _address_lines(address: Address | None) -> str | None:
    if address is None:
        return None
    if address.state != Address.State.KNOWN:
        return None
    lines = [clean(address.line_1), clean(address.line_2), clean(address.town)]
    lines.append(clean(address.postcode or address.postcode_raw))
    found = [line for line in lines if line]
    return "\n".join(found) or None


def _contact_address(contact: Contact, child_address: str | None) -> str | None:
    own = clean(contact.address)
    if own:
        # Typed as one line or several; each comma-separated part on its own line.
        parts = [clean(p) for p in re.split(r"[\n,]", contact.address)]
        return "\n".join(p for p in parts if p)
    return child_address


def _parents_all(contacts: list[Contact]) -> str | None:
    lines = []
    for c in contacts:
        bits = [clean(c.name)]
        if clean(c.relationship):
            bits.append(f"({clean(c.relationship)})")
        if clean(c.phone):
            bits.append(f"tel. {clean(c.phone)}")
        lines.append(" ".join(b for b in bits if b))
    return "\n".join(lines) or None


def _agreed_removal(case: Case) -> DeletionReturn | None:
    return (
        DeletionReturn.objects.filter(case=case, removal_agreed_on__isnull=False)
        .order_by("-removal_agreed_at", "-id")
        .first()
    )


def _handover(case: Case) -> OtherLaNotification | None:
    return (
        OtherLaNotification.objects.filter(
            case=case, direction=Direction.OUTBOUND, nature=Nature.HANDOVER
        )
        .order_by("-received_at", "-id")
        .first()
        or OtherLaNotification.objects.filter(case=case, direction=Direction.OUTBOUND)
        .order_by("-received_at", "-id")
        .first()
    )


def _user_name(user: User | None) -> str | None:
    if user is None:
        return None
    return clean(user.get_full_name()) or clean(user.username)


def case_context(case: Case, *, by: User, on: date | None = None) -> Context:
    """Everything a letter about this case may say, keyed by placeholder name."""
    today = on or timezone.localdate()
    child = case.child
    contacts = sorted(
        child.contacts.all(), key=lambda c: (not c.lives_with_child, c.name.casefold(), c.pk)
    )
    parent = contacts[0] if contacts else None
    child_address = _address_lines(child.current_address)
    removal = _agreed_removal(case)
    handover = _handover(case)
    flags = ChildFlag.objects.filter(child=child, removed_at__isnull=True).select_related(
        "flag_type"
    )
    year = (
        year_group_label(national_curriculum_year(child.date_of_birth, today))
        if child.date_of_birth
        else None
    )
    values: Context = {
        **authority_context(on=today),
        "child_full_name": clean(child.full_name),
        "child_forenames": clean(child.forenames),
        "child_surname": clean(child.surname),
        "child_date_of_birth": long_date(child.date_of_birth),
        "child_year_group": year,
        "child_upn": clean(child.upn),
        "child_address": child_address,
        "parent_name": clean(parent.name) if parent else None,
        "parent_relationship": clean(parent.relationship) if parent else None,
        "parent_address": _contact_address(parent, child_address) if parent else None,
        "parent_phone": clean(parent.phone) if parent else None,
        "parents_all": _parents_all(contacts),
        "school_name": clean(case.last_school.name) if case.last_school else None,
        "date_last_attended": long_date(case.date_last_attended),
        "case_reference": case.reference,
        "referral_date": long_date(case.referral_date),
        "referral_source": clean(case.get_referral_source_display()),
        "referrer": clean(case.referrer),
        "missing_reason": clean(case.primary_reason.label),
        "vulnerabilities": ", ".join(str(f.flag_type) for f in flags) or "None recorded",
        "officer_name": _user_name(by),
        "officer_email": clean(by.email),
        "assigned_officer": _user_name(case.assigned_to),
        "removal_agreed_date": long_date(removal.removal_agreed_on) if removal else None,
        "removal_ground": (
            clean(ground_or_not_stated(removal.ground).label)
            if removal and removal.ground
            else None
        ),
        "outcome": clean(case.get_outcome_display()) if case.outcome else None,
        "closed_on": long_date(case.closed_on),
        "receiving_authority": clean(handover.other_la_name) if handover else None,
        "receiving_officer": clean(handover.officer_name) if handover else None,
    }
    # The catalogue and this builder must agree name for name (a test holds them to it).
    assert set(values) == KNOWN, set(values) ^ KNOWN
    return values


def blank_context(*, on: date | None = None) -> Context:
    values = authority_context(on=on)
    assert set(values) == AUTHORITY_ONLY
    return values
