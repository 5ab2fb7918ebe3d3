"""Drawing the demo's families (carers, address, language) and their children."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import TypedDict

from cmetrack.children.models import Address, SenStatus, Sex
from cmetrack.children.services import AddressData, ContactData

from .draws import weighted
from .errors import SeedError
from .people import Edge, People, PostalAddress, female_form, given_name
from .plans import ChildPlan, Family
from .vocabulary import (
    ETHNICITY_BRITISH,
    ETHNICITY_GRT,
    MIGRANT_LOCALES,
    POSTCODE_AREAS,
)


class AgeRule(TypedDict, total=False):
    """What a child's date of birth must satisfy (People.dob's arguments)."""

    year: int
    min_year: int
    edge: Edge


def address_data(address: PostalAddress) -> AddressData:
    return AddressData(
        line_1=address.line_1,
        line_2=address.line_2,
        town=address.town,
        postcode=address.postcode,
        date_from=address.date_from,
    )


class Families:
    def __init__(self, people: People) -> None:
        self.people = people
        self.rng = people.rng
        self.today = people.today

    def known_address(self, since: date) -> tuple[AddressData, str]:
        address, town = self.people.known_address(since)
        return address_data(address), town

    def family(self, since: date) -> Family:
        rng = self.rng
        # Sefton is mostly White British; a CME caseload has more newly arrived families.
        migrant = rng.random() < 0.14
        if migrant:
            locale, language, country = rng.choice(MIGRANT_LOCALES)
            ethnicity = "Any other White background"
        else:
            locale, language, country = "en_GB", "English", "United Kingdom"
            ethnicity = weighted(rng, dict(ETHNICITY_BRITISH))
        fake = self.people.fakers[locale]
        # The male form: female_form derives the feminine where the language has one.
        surname = fake.last_name_male()
        flags: list[str] = []
        if migrant and rng.random() < 0.55:
            flags.append("new-migrant")
        elif not migrant and rng.random() < 0.03:
            flags.append("grt")
            ethnicity = weighted(rng, dict(ETHNICITY_GRT))
        elif not migrant and rng.random() < 0.015:
            flags.append("service-family")

        state_roll = rng.random()
        town = ""
        if state_roll < 0.04:
            address = AddressData(state=Address.State.NO_FIXED_ABODE, date_from=since)
        elif state_roll < 0.07:
            address = AddressData(state=Address.State.UNKNOWN, date_from=since)
        else:
            address, town = self.known_address(since)

        carers = self._carers(locale, surname)
        contacts = [c for c, _ in carers]
        return Family(
            locale=locale,
            surname=surname,
            language=language,
            ethnicity=ethnicity,
            country=country,
            address=address,
            town=town or rng.choice(POSTCODE_AREAS[0][1] + POSTCODE_AREAS[8][1]),
            contacts=contacts,
            carer=carers[0][1],
            flags=flags,
        )

    def _carers(self, locale: str, surname: str) -> list[tuple[ContactData, str]]:
        rng = self.rng
        people = self.people
        fake = people.fakers[locale]
        shape = rng.choices(
            ["mother", "both", "father", "grandmother", "foster", "aunt"],
            weights=[45, 33, 9, 6, 4, 3],
        )[0]
        female_surname = female_form(locale, surname)
        result: list[tuple[ContactData, str]] = []

        def contact(
            first: str, last: str, relationship: str, word: str, *, pr: bool = True
        ) -> tuple[ContactData, str]:
            email = people.email(first, last) if rng.random() < 0.45 else ""
            return (
                ContactData(
                    name=f"{first} {last}",
                    relationship=relationship,
                    phone=people.phone() if rng.random() < 0.9 else "",
                    email=email,
                    lives_with_child=True,
                    has_parental_responsibility=pr,
                ),
                word,
            )

        if shape in ("mother", "both"):
            # A mother's surname differs from the child's in about a third of families.
            last = female_surname if rng.random() < 0.65 else female_form(locale, fake.last_name())
            result.append(contact(fake.first_name_female(), last, "Mother", "mum"))
        if shape in ("father", "both"):
            result.append(contact(fake.first_name_male(), surname, "Father", "dad"))
        if shape == "grandmother":
            result.append(
                contact(
                    fake.first_name_female(), female_surname, "Grandmother", "grandmother", pr=False
                )
            )
        if shape == "aunt":
            result.append(
                contact(fake.first_name_female(), fake.last_name(), "Aunt", "aunt", pr=False)
            )
        if shape == "foster":
            result.append(
                contact(
                    people.en.first_name_female(),
                    people.en.last_name(),
                    "Foster carer",
                    "foster carer",
                    pr=False,
                )
            )
        if shape != "both" and rng.random() < 0.2:
            # A parent living elsewhere, still with parental responsibility.
            if shape == "father":
                other = ContactData(
                    name=f"{fake.first_name_female()} {female_surname}", relationship="Mother"
                )
                word = "mum"
            else:
                other = ContactData(
                    name=f"{fake.first_name_male()} {surname}", relationship="Father"
                )
                word = "dad"
            phone = people.phone() if rng.random() < 0.6 else ""
            result.append((replace(other, phone=phone, lives_with_child=False), word))
        return result

    def child(
        self,
        family: Family,
        *,
        year: int | None = None,
        min_year: int = 0,
        edge: Edge = "",
        sibling_years: Sequence[int] = (),
    ) -> ChildPlan:
        rng = self.rng
        people = self.people
        plan = ChildPlan(family=family)
        fake = people.fakers[family.locale]
        for _attempt in range(200):
            sex = rng.choices([Sex.FEMALE, Sex.MALE, Sex.UNKNOWN], weights=[49, 49, 2])[0]
            if family.locale == "en_GB":
                first = given_name(rng, sex)
                if rng.random() < 0.2:
                    first = f"{first} {given_name(rng, sex)}"
            else:
                first = fake.first_name_female() if sex == Sex.FEMALE else fake.first_name_male()
            surname = family.surname
            if sex == Sex.FEMALE:
                surname = female_form(family.locale, surname)
            dob = people.dob(year, min_year, edge, sibling_years)
            # Unique name and date of birth, so referral matching never joins two demo children.
            if people.claim_identity(first, surname, dob):
                break
        else:  # pragma: no cover - 200 collisions in a row would mean a broken word list
            raise SeedError("Could not make a unique child; use fewer children.")
        plan.forenames, plan.surname, plan.sex, plan.dob = first, surname, sex, dob
        if rng.random() < 0.8 and dob is not None:
            plan.upn = people.upn(dob)
        plan.sen_status = rng.choices(
            [SenStatus.NONE, SenStatus.SEN_SUPPORT, SenStatus.EHCP, SenStatus.UNKNOWN],
            weights=[60, 22, 6, 12],
        )[0]
        if rng.random() < 0.1:
            plan.other_names.append(
                people.other_name(
                    forenames=plan.forenames,
                    surname=plan.surname,
                    sex=plan.sex,
                    locale=family.locale,
                )
            )
        if rng.random() < 0.06:
            plan.former_upns.append(people.former_upn(dob))
        if rng.random() < 0.12 and family.address.state == Address.State.KNOWN:
            moved_in = family.address.date_from or self.today
            plan.previous_address, _ = self.known_address(
                moved_in - timedelta(days=rng.randint(300, 1500))
            )
            plan.previous_address_to = moved_in - timedelta(days=1)
        return plan
