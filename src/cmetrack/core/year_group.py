"""National curriculum year group by age (STANDARDS.md, "National curriculum year group").

This is the year a child *should* be in by age. A school may teach a child out of cohort: when a
record supplies the school's actual year (CTF `NCyearActual`) keep that alongside, don't replace it.
"""

from __future__ import annotations

from datetime import date

# School years run 1 September - 31 August for year-group purposes (term dates don't matter here).
SCHOOL_YEAR_START_MONTH = 9

# Age on the 31 August before the school year, minus this, gives the year: age 4 -> Reception (0).
_RECEPTION_AGE = 4


def academic_year_start(on: date) -> int:
    """Calendar year in which the school year containing `on` began (2025 for 2025/26)."""
    return on.year if on.month >= SCHOOL_YEAR_START_MONTH else on.year - 1


def national_curriculum_year(date_of_birth: date, on: date) -> int:
    """Reception = 0, Year 1 = 1 ...; negative for nursery ages, above 11 for post-16.

    Age is taken on the 31 August before the school year containing `on`, so everyone born in
    the same Sept-Aug span shares a year group (29 Feb birthdays need no special case).
    """
    start_year = academic_year_start(on)
    # Not yet had this year's birthday by 31 August if born in September-December.
    age_on_31_august = start_year - date_of_birth.year
    if date_of_birth.month >= SCHOOL_YEAR_START_MONTH:
        age_on_31_august -= 1
    return age_on_31_august - _RECEPTION_AGE


def year_group_label(year: int) -> str:
    """Display label: 'Nursery' (any negative), 'Reception', 'Year 1'..'Year 13', 'Post-16'.

    Years 12 and 13 keep their names (sixth form); anything older is simply 'Post-16'.
    """
    if year < 0:
        return "Nursery"
    if year == 0:
        return "Reception"
    if year <= 13:
        return f"Year {year}"
    return "Post-16"
