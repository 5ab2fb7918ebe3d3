"""Blocking keys: the few indexed values under which a child can be found quickly.

A child is stored under:
- `upn:<UPN>` for the UPN and every former UPN;
- `dob:<YYYY-MM-DD>`; the search also asks for the day/month transposed date;
- `snp:<NYSIIS of a surname part>:<birth year>` for each part of each surname it is known by;
- `fnp:<NYSIIS of the first name>:<surname initial>:<birth year>` for each first name and
  surname (each part) it is known by: the initial keeps common first names' blocks small;
- `pc:<postcode>:<birth year>` for every postcode in the address history.

A search also asks for the dates of birth one day either side and the transposed date, and,
for first name and surname written the wrong way round, its first name's sound under `snp:`
and its surname parts' sounds under `fnp:` (the batch linker's blocking rules are the same
keys, narrowed to scale: splink_settings.blocking_rules).

A search asks for its postcodes under every school-age birth year, not only the query's, so a
child whose birth year was mistyped is still found at the same address (siblings found this way
are ruled out by the scorer's twins/siblings rule).

Pure functions: the service (services.match_keys_refresh) stores them, the selector asks for them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, timedelta

from cmetrack.core.postcode import normalise_postcode
from cmetrack.core.upn import normalise_upn

from .names import first_name, name_parts, phonetic

KEY_MAX_LENGTH = 40
NO_YEAR = "-"
# How many birth years back a search with no date of birth looks (school age and a margin).
SEARCH_AGE_SPAN = 20


def key_weight(population: int, under: int) -> float:
    """How telling it is to share a key that `under` of `population` children are filed
    under: log2(population / under), at least 1. The search ranks children by the sum over
    the keys they share, so a UPN or postcode counts for more than a birth date shared with
    hundreds."""
    return math.log2(max(max(population, 2) / max(under, 1), 2.0))


def _postcode_key(value: str) -> str:
    normal = normalise_postcode(value) or value
    return "".join(normal.split()).upper()


def transposed(value: date) -> date | None:
    if value.day == value.month or value.day > 12:
        return None
    try:
        return value.replace(day=value.month, month=value.day)
    except ValueError:
        return None


def _day_either_side(value: date) -> list[date]:
    out = []
    for step in (-1, 1):
        try:
            out.append(value + timedelta(days=step))
        except OverflowError:
            continue
    return out


def blocking_keys(
    *,
    forenames: Iterable[str] = (),
    surnames: Iterable[str] = (),
    date_of_birth: date | None = None,
    upns: Iterable[str] = (),
    postcodes: Iterable[str] = (),
    for_search: bool = False,
) -> set[str]:
    """Keys for a record. With for_search, also the keys a mistyped record would sit under
    (the transposed date of birth, a day either side, names swapped)."""
    keys: set[str] = set()
    for upn in upns:
        if u := normalise_upn(upn or ""):
            keys.add(f"upn:{u}")
    # A child with no date of birth is filed under year "-"; a search with no date of birth
    # looks in every school-age year and in "-".
    years: list[str] = []
    if date_of_birth is not None:
        keys.add(f"dob:{date_of_birth.isoformat()}")
        years.append(str(date_of_birth.year))
        if for_search and (t := transposed(date_of_birth)) is not None:
            keys.add(f"dob:{t.isoformat()}")
        if for_search:
            keys.update(f"dob:{d.isoformat()}" for d in _day_either_side(date_of_birth))
    else:
        years.append(NO_YEAR)
    if for_search:
        if date_of_birth is None:
            this_year = date.today().year
            years += [str(y) for y in range(this_year - SEARCH_AGE_SPAN, this_year + 1)]
        else:
            years.append(NO_YEAR)
    parts = {part for surname in surnames for part in name_parts(surname)}
    codes = {phonetic(part) for part in parts} - {""}
    initials = {part[0] for part in parts}
    firsts = {first_name(f) for f in forenames} - {""}
    first_codes = {phonetic(f) for f in firsts} - {""}
    first_initials = {f[0] for f in firsts}
    pcs = {_postcode_key(p) for p in postcodes if p and p.strip()} - {""}
    for year in years:
        keys.update(f"snp:{code}:{year}" for code in codes)
        keys.update(f"fnp:{c}:{i}:{year}" for c in first_codes for i in initials)
        if for_search:
            # Names swapped: the first name looked for as a surname and the other way round.
            keys.update(f"snp:{code}:{year}" for code in first_codes)
            keys.update(f"fnp:{c}:{i}:{year}" for c in codes for i in first_initials)
    pc_years = list(years)
    if for_search and pcs and date_of_birth is not None:
        this_year = date.today().year
        pc_years += [str(y) for y in range(this_year - SEARCH_AGE_SPAN, this_year + 1)]
        pc_years.append(str(date_of_birth.year))
    for year in pc_years:
        keys.update(f"pc:{pc}:{year}" for pc in pcs)
    return {k[:KEY_MAX_LENGTH] for k in keys}
