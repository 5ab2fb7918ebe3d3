"""The child's particulars, as every kind of return and referral gives them."""

from __future__ import annotations

from datetime import date

from cmetrack.core.postcode import is_valid_postcode
from cmetrack.core.school_age import AgeStatus, birthday, school_age_status
from cmetrack.core.upn import normalise_upn, validate_upn

from ..particulars import ChildParticulars
from .limits import EARLIEST_EVENT, LATEST_EVENT_DAYS_AHEAD, OLDEST_CHILD_YEARS, too_long
from .problems import Verdict

SEXES = frozenset({"F", "M", "U"})
# Room for a UPN typed with spaces or a character too many, kept as given.
UNVERIFIED_UPN_MAX = 20


def check_lengths(verdict: Verdict, values: dict[str, str]) -> None:
    for name, value in values.items():
        message = too_long(name, value)
        if message:
            verdict.error(name, message)


def check_child(
    child: ChildParticulars, verdict: Verdict, *, today: date, need_dob: bool = True
) -> None:
    """Names, date of birth, sex, UPN and address; sets `verdict.upn` to the normalised UPN."""
    if not child.forenames.strip():
        verdict.error("forenames", "Enter the child's first name")
    if not child.surname.strip():
        verdict.error("surname", "Enter the child's surname")
    dob = child.date_of_birth
    if dob is None:
        if need_dob:
            verdict.error("date_of_birth", "Enter the child's date of birth")
    elif dob > today:
        verdict.error(
            "date_of_birth",
            f"The date of birth {dob:%d/%m/%Y} is in the future: it must be today or in the past",
        )
    elif dob < birthday(today, -OLDEST_CHILD_YEARS):
        verdict.error(
            "date_of_birth",
            f"The date of birth {dob:%d/%m/%Y} is more than {OLDEST_CHILD_YEARS} years ago: "
            "check the year",
        )
    if child.sex not in SEXES:
        verdict.error("sex", "Choose the child's sex")
    if child.upn.strip():
        problems = validate_upn(child.upn)
        if not problems:
            verdict.upn = normalise_upn(child.upn)
        elif len(child.upn.strip()) > UNVERIFIED_UPN_MAX:
            verdict.error("upn", f"The UPN must be 13 characters (it has {len(child.upn)})")
        else:
            # A mistyped UPN must not block the return: kept, shown, and not matched on.
            verdict.unverified_upn = child.upn.strip()
            verdict.warn(
                "upn",
                f"UPN {child.upn.strip()!r} kept as unverified, not used to find the child: "
                + "; ".join(p.message for p in problems),
            )
    postcode = child.postcode.strip()
    if postcode and not is_valid_postcode(postcode):
        verdict.warn("postcode", f"{postcode!r} is not a valid UK postcode; kept as given")
    check_lengths(
        verdict,
        {
            "forenames": child.forenames.strip(),
            "surname": child.surname.strip(),
            "address_line_1": child.address_line_1.strip(),
            "town": child.town.strip(),
            "postcode": postcode,
        },
    )


def check_event_date(
    verdict: Verdict, value: date | None, field_name: str, what: str, *, today: date
) -> None:
    """A date something happened or will happen: not before 2000, not more than a year ahead."""
    if value is None:
        return
    if value < EARLIEST_EVENT:
        verdict.error(field_name, f"{what} {value:%d/%m/%Y} is before 2000: check the year")
    elif (value - today).days > LATEST_EVENT_DAYS_AHEAD:
        verdict.error(
            field_name, f"{what} {value:%d/%m/%Y} is more than a year ahead: check the year"
        )


def check_not_future(
    verdict: Verdict, value: date | None, field_name: str, what: str, *, today: date
) -> None:
    if value is not None and value > today:
        verdict.error(field_name, f"{what} must be today or in the past")


def warn_outside_school_age(verdict: Verdict, dob: date | None, on: date) -> None:
    """Outside compulsory school age on the day that matters: shown, never a block."""
    if dob is None or dob > on:
        return
    status = school_age_status(dob, on)
    if status.status is not AgeStatus.COMPULSORY:
        verdict.warn(
            "date_of_birth",
            f"not of compulsory school age on {on:%d/%m/%Y}: {status.describe()}",
        )
