"""Which records count in the termly EHE return, as pure rules (DOMAIN.md §7). No ORM."""

from datetime import date

from cmetrack.core.school_age import is_compulsory_school_age
from cmetrack.core.year_group import academic_year_start


def on_register(start_date: date, end_date: date | None, day: date) -> bool:
    """On the register on a day: started by then and not yet ended (a record ending on the
    census date itself means the child was back in school, or gone, that day)."""
    return start_date <= day and (end_date is None or end_date > day)


def on_register_during(start_date: date, end_date: date | None, first: date, last: date) -> bool:
    """On the register on some day of [first, last]: the record's days run from its start up
    to the day before its end, so one that ends the day it starts was never on it."""
    return start_date <= last and (end_date is None or end_date > max(start_date, first))


def previous_academic_year(census: date) -> tuple[date, date]:
    """1 September to 31 August of the school year before the census date's."""
    year = academic_year_start(census)
    return date(year - 1, 9, 1), date(year, 8, 31)


def of_school_age(date_of_birth: date | None, day: date) -> bool:
    """The collection counts children of compulsory school age; a child whose date of birth
    is not known is counted (and shown under year group "not known") rather than lost."""
    return date_of_birth is None or is_compulsory_school_age(date_of_birth, day)
