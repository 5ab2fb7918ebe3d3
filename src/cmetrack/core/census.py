"""The DfE's termly CME collection, as pure rules (DOMAIN.md §7, STANDARDS.md).

Aggregate counts only. Which children count on a census date, and in which length band. The
band boundaries and labels are data: the DfE publishes length around a 12-week boundary, so the
default bands split there; replace BANDS when the collection guide for a term says otherwise.
"""

from dataclasses import dataclass
from datetime import date

from .year_group import national_curriculum_year, year_group_label


@dataclass(frozen=True)
class Band:
    label: str
    max_days: int | None  # inclusive upper bound in calendar days; None: no upper bound


# 12 weeks = 84 days: "12 weeks or less" and "more than 12 weeks" (STANDARDS.md).
BANDS: tuple[Band, ...] = (Band("12 weeks or less", 84), Band("more than 12 weeks", None))
UNKNOWN_LENGTH = "unknown"
SEX_LABELS = {"F": "female", "M": "male", "U": "unknown"}
# Reception to Year 11 are reported; anything else is shown apart so it can be checked.
REPORTED_YEARS = tuple(range(0, 12))


def length_band(missing_since: date | None, census: date, bands: tuple[Band, ...] = BANDS) -> str:
    """How long the child had been missing education on the census date, as a band label."""
    if missing_since is None or missing_since > census:
        return UNKNOWN_LENGTH
    days = (census - missing_since).days
    for band in bands:
        if band.max_days is None or days <= band.max_days:
            return band.label
    return UNKNOWN_LENGTH


def year_group_on(date_of_birth: date | None, census: date) -> str:
    if date_of_birth is None:
        return "not known"
    year = national_curriculum_year(date_of_birth, census)
    if year not in REPORTED_YEARS:
        return f"outside Reception to Year 11 ({year_group_label(year)})"
    return year_group_label(year)


def open_on(referral_date: date, closed_on: date | None, day: date) -> bool:
    """A case counts on a day if it was referred by then and not yet closed (closing on the
    census date itself means the child was back in education that day)."""
    return referral_date <= day and (closed_on is None or closed_on > day)


def overlaps(referral_date: date, closed_on: date | None, start: date, end: date) -> bool:
    """A case was open at some point in [start, end]."""
    return referral_date <= end and (closed_on is None or closed_on > start)
