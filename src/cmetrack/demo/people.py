"""Synthetic people: names, dates of birth, UPNs, postcodes, addresses, phones and e-mails.

Shared by the demo authority and the benchmarks (benchmarks/intake, benchmarks/matching), so
there is one place that knows how to make a child who does not exist:

- UPNs are built with their check letter (cmetrack.core.upn), temporary ones too;
- postcodes have the BS7666 shape, in the districts they name (checked too);
- phone numbers are in Ofcom's drama ranges, which never reach a real person;
- e-mail addresses use the RFC 2606 domain example.org.

Pure and deterministic: no Django, no clock. Every choice comes from the `random.Random` given,
so the same stream gives the same people; `People` adds Faker (seeded) and uniqueness for the
demo. Code values match the models' choices (a test checks): sex "F", "M", "U"; other-name
kinds "preferred", "former", "alias", "spelling".
"""

from __future__ import annotations

import calendar
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from faker import Faker

from cmetrack.core.postcode import is_valid_postcode
from cmetrack.core.school_age import is_compulsory_school_age
from cmetrack.core.upn import CHECK_LETTERS, upn_check_letter
from cmetrack.core.year_group import academic_year_start, national_curriculum_year

from .errors import SeedError
from .vocabulary import (
    BLOCKS,
    BOYS,
    FORMER_UPN_LAS,
    GIRLS,
    INWARD_LETTERS,
    LA_CODE,
    MIGRANT_LOCALES,
    MORE_BOYS,
    MORE_GIRLS,
    NICKNAMES,
    POSTCODE_AREAS,
    POSTCODE_WEIGHTS,
    SPELLINGS,
    STREET_KINDS,
    STREET_STEMS,
    SURNAMES,
    YEAR_WEIGHTS,
)

FEMALE, MALE, UNKNOWN = "F", "M", "U"
PREFERRED, FORMER, ALIAS, SPELLING = "preferred", "former", "alias", "spelling"
# How a date of birth may deliberately sit at an edge of compulsory school age.
Edge = Literal["", "unknown", "under", "over", "review", "leap"]


@dataclass(frozen=True)
class NamePool:
    girls: tuple[str, ...]
    boys: tuple[str, ...]
    surnames: tuple[str, ...]

    def given(self, sex: str) -> tuple[str, ...]:
        return self.girls if sex == FEMALE else self.boys


# Popular given names of children at school now; what the demo's English families are called.
POPULAR = NamePool(GIRLS, BOYS, SURNAMES)
# Wider: the names a referral or a school roll brings, for the benchmarks.
REFERRED = NamePool(GIRLS + MORE_GIRLS, BOYS + MORE_BOYS, SURNAMES)


@dataclass(frozen=True)
class PostalAddress:
    line_1: str
    line_2: str
    town: str
    postcode: str  # sometimes as people type it ("l207ae"): intake normalises it
    date_from: date | None = None


# ---------------------------------------------------------------------------- pure pieces


def ascii_slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


def female_form(locale: str, surname: str) -> str:
    """Polish and Slovak surnames take a feminine form."""
    if locale == "pl_PL":
        for male, female in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
            if surname.endswith(male):
                return surname[: -len(male)] + female
        return surname
    if locale == "sk_SK":
        if surname.endswith("ý"):
            return surname[:-1] + "á"
        if surname.endswith("a"):
            return surname[:-1] + "ová"
        if not surname.endswith(("ová", "á")):
            return surname + "ová"
    return surname


def given_name(rng: random.Random, sex: str, pool: NamePool = POPULAR) -> str:
    return rng.choice(pool.given(sex))


def surname(rng: random.Random, pool: NamePool = POPULAR) -> str:
    return rng.choice(pool.surnames)


def date_of_birth_in_year(rng: random.Random, year: int, *, on: date) -> date:
    """A date of birth in national curriculum `year` (Reception = 0) in the school year of `on`."""
    first = date(academic_year_start(on) - year - 5, 9, 1)
    dob = first + timedelta(days=rng.randrange(365))
    if national_curriculum_year(dob, on) != year:  # 1 Sep of a leap year
        dob -= timedelta(days=1)
    return dob


def upn_for(*, la: str, estab: str | int, year: int, serial: str | int) -> str:
    """The UPN allocated by establishment `la`/`estab` in (20)`year`; a temporary UPN's serial is
    two digits and a letter. Raises ValueError for parts that do not make a UPN."""
    serial_text = serial if isinstance(serial, str) else f"{serial:03d}"
    estab_text = estab if isinstance(estab, str) else f"{estab:04d}"
    body = f"{la}{estab_text}{year % 100:02d}{serial_text}"
    # upn_check_letter refuses a malformed body, so what it returns is a valid UPN.
    return upn_check_letter(body) + body


def inward_code(rng: random.Random) -> str:
    return f"{rng.randrange(10)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"


def postcode_in(rng: random.Random, outward: str) -> str:
    """A postcode of the right shape in the district `outward`; an invalid one is a bug."""
    postcode = f"{outward} {inward_code(rng)}"
    if not is_valid_postcode(postcode):  # pragma: no cover - the letters obey BS7666
        raise AssertionError(f"generated an invalid postcode {postcode}")
    return postcode


def sefton_postcode(rng: random.Random) -> tuple[str, str]:
    """(postcode, a town it serves), weighted as a Sefton CME caseload is."""
    outward, towns = rng.choices(POSTCODE_AREAS, weights=POSTCODE_WEIGHTS)[0]
    return postcode_in(rng, outward), rng.choice(towns)


def house(rng: random.Random) -> tuple[str, str, str]:
    """(SAON, PAON, street) of an invented house or flat, as BS7666 and a CTF split them."""
    street = f"{rng.choice(STREET_STEMS)} {rng.choice(STREET_KINDS)}"
    if rng.random() < 0.12:
        block = f"{rng.choice(STREET_STEMS)} {rng.choice(BLOCKS)}"
        return f"Flat {rng.randint(1, 24)}", block, street
    return "", str(rng.randint(1, 180)), street


def street_lines(rng: random.Random) -> tuple[str, str]:
    """(line 1, line 2) of an invented house or flat: "12 Moss Lane" or "Flat 3, Heron Court"."""
    saon, paon, street = house(rng)
    if saon:
        return f"{saon}, {paon}", street
    return f"{paon} {street}", ""


def drama_phone(rng: random.Random) -> str:
    """Ofcom's drama ranges: 07700 900000-900999 (mobile), 0151 496 0000-0999 (Liverpool)."""
    if rng.random() < 0.8:
        return f"07700 900{rng.randrange(1000):03d}"
    return f"0151 496 0{rng.randrange(1000):03d}"


def example_email(rng: random.Random, first: str, last: str) -> str:
    return f"{ascii_slug(first)}.{ascii_slug(last)}{rng.randint(1, 99)}@example.org"


# -------------------------------------------------------------------------- the demo's people


class People:
    """The demo's people: Faker for the names of families (seeded), every UPN and phone number
    unique, every child's name and date of birth unique (so demo children never match)."""

    def __init__(self, rng: random.Random, *, today: date, faker_seed: int) -> None:
        self.rng = rng
        self.today = today
        self.fakers: dict[str, Faker] = {}
        for offset, locale in enumerate(["en_GB", *[m[0] for m in MIGRANT_LOCALES]]):
            fake = Faker(locale)
            fake.seed_instance(faker_seed * 100 + offset)
            self.fakers[locale] = fake
        self.en = self.fakers["en_GB"]
        # Establishment numbers that allocate UPNs (primary schools, where children start).
        self.upn_estabs: list[str] = []
        self.used_upns: dict[str, bool] = {}
        self.used_phones: dict[str, bool] = {}
        self.used_identities: dict[tuple[str, str, date | None], bool] = {}

    def postcode(self) -> tuple[str, str]:
        return sefton_postcode(self.rng)

    def known_address(self, since: date) -> tuple[PostalAddress, str]:
        postcode, town = self.postcode()
        line_1, line_2 = street_lines(self.rng)
        # Some postcodes arrive the way people type them; the service normalises them.
        raw = postcode.lower().replace(" ", "") if self.rng.random() < 0.08 else postcode
        return PostalAddress(line_1, line_2, town, raw, since), town

    def phone(self) -> str:
        # There are only a thousand numbers in each drama range, so after a few clashes a
        # number is shared rather than loop forever.
        for _attempt in range(8):
            number = drama_phone(self.rng)
            if number not in self.used_phones:
                break
        self.used_phones[number] = True
        return number

    def email(self, first: str, last: str) -> str:
        return example_email(self.rng, first, last)

    def claim_identity(self, forenames: str, surname: str, dob: date | None) -> bool:
        """True (and remembered) if no child has this name and date of birth yet."""
        key = (forenames.lower(), surname.lower(), dob)
        if key in self.used_identities:
            return False
        self.used_identities[key] = True
        return True

    def dob(
        self, year: int | None, min_year: int, edge: Edge, sibling_years: Sequence[int]
    ) -> date | None:
        rng = self.rng
        school_year = academic_year_start(self.today)
        if edge == "unknown":
            return None
        if edge == "under":
            # Four years old: compulsory school age starts on the prescribed day *after* the
            # fifth birthday, which is still to come.
            return self.today - timedelta(days=rng.randint(4 * 365 + 150, 5 * 365 - 5))
        if edge == "over":
            # Left compulsory school age on the last leaving date: this school year's Year 12.
            return self.dob_in_year(12)
        if edge == "review":
            # A 16th birthday in 1-7 September: STANDARDS.md says flag it for review.
            return date(school_year - 16, 9, rng.randint(1, 7))
        if edge == "leap":
            years = range(school_year - 15, school_year - 4)
            return date(rng.choice([y for y in years if calendar.isleap(y)]), 2, 29)
        dob = self.dob_in_year(7)
        for attempt in range(60):
            # A required year group is tried first, then any year group.
            if year is not None and attempt < 20:
                y = year
            else:
                y = rng.choices(range(12), weights=YEAR_WEIGHTS)[0]
                if y < min_year or y in sibling_years:
                    continue
            dob = self.dob_in_year(y)
            if is_compulsory_school_age(dob, self.today):
                return dob
        return dob

    def dob_in_year(self, year: int) -> date:
        return date_of_birth_in_year(self.rng, year, on=self.today)

    def upn(self, dob: date, la: str = LA_CODE, temporary: bool = False) -> str:
        rng = self.rng
        # Allocated when the child first joined a school (aged 4), by that school.
        year = min(dob.year + 4 + (1 if dob.month >= 9 else 0), self.today.year)
        if rng.random() < 0.15:  # joined later, e.g. after arriving in the country
            year = min(year + rng.randint(1, 6), self.today.year)
        for _ in range(1000):
            estab = rng.choice(self.upn_estabs)
            if temporary:
                serial = f"{rng.randrange(100):02d}{rng.choice(CHECK_LETTERS)}"
            else:
                serial = f"{rng.randrange(1000):03d}"
            upn = upn_for(la=la, estab=estab, year=year, serial=serial)
            if upn not in self.used_upns:
                self.used_upns[upn] = True
                return upn
        raise SeedError("Ran out of UPNs.")  # pragma: no cover

    def former_upn(self, dob: date | None) -> str:
        dob = dob or self.today - timedelta(days=3650)
        if self.rng.random() < 0.5:
            # A temporary UPN issued before the permanent one came through.
            return self.upn(dob, temporary=True)
        return self.upn(dob, la=self.rng.choice(FORMER_UPN_LAS))

    def other_name(
        self, *, forenames: str, surname: str, sex: str, locale: str
    ) -> tuple[str, str, str]:
        """(kind, forenames, surname) of a name the child is also known by."""
        rng = self.rng
        first = forenames.split()[0]
        roll = rng.random()
        if first in NICKNAMES and roll < 0.4:
            return PREFERRED, NICKNAMES[first], ""
        if roll < 0.7:
            for pattern, replacement in SPELLINGS:
                if pattern.endswith("$") and surname.endswith(pattern[:-1]):
                    return SPELLING, "", surname[: -len(pattern) + 1] + replacement
                if not pattern.endswith("$") and pattern in surname:
                    return SPELLING, "", surname.replace(pattern, replacement, 1)
        if roll < 0.85:
            return FORMER, "", self.fakers[locale].last_name()
        return ALIAS, rng.choice(POPULAR.given(sex)), ""
