"""The shared synthetic-person generator: valid identifiers, nobody real, the same from a seed."""

import random
import re
import subprocess
import sys
from datetime import date

import pytest

from cmetrack.children.models import OtherName, Sex
from cmetrack.core.postcode import is_valid_postcode
from cmetrack.core.upn import is_temporary_upn, is_valid_upn
from cmetrack.core.year_group import national_curriculum_year
from cmetrack.demo import people
from cmetrack.demo.vocabulary import POSTCODE_AREAS

TODAY = date(2026, 3, 18)


def _family_of(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    maker = people.People(rng, today=TODAY, faker_seed=seed)
    maker.upn_estabs = ["2001", "2002", "3005"]
    out = []
    for _ in range(n):
        dob = maker.dob(None, 0, "", ())
        assert dob is not None
        out += [maker.fakers["pl_PL"].last_name(), str(dob), maker.upn(dob), maker.phone()]
        out += [maker.known_address(TODAY)[0].postcode, maker.former_upn(dob)]
    return out


def test_the_same_seed_gives_the_same_people_and_another_seed_others() -> None:
    assert _family_of(30, 5) == _family_of(30, 5)
    assert _family_of(30, 5) != _family_of(30, 6)


def test_upns_are_valid_unique_and_temporary_ones_end_in_a_letter() -> None:
    rng = random.Random(1)
    maker = people.People(rng, today=TODAY, faker_seed=1)
    maker.upn_estabs = ["2001"]
    dob = date(2015, 10, 2)
    permanent = [maker.upn(dob) for _ in range(300)]
    temporary = [maker.upn(dob, temporary=True) for _ in range(300)]

    assert all(is_valid_upn(u) and u[1:8] == "3432001" for u in permanent)
    assert all(is_temporary_upn(u) for u in temporary)
    assert len(set(permanent + temporary)) == 600


def test_upn_for_builds_the_check_letter_from_its_parts() -> None:
    # STANDARDS.md's synthetic Sefton examples.
    assert people.upn_for(la="343", estab="2000", year=2024, serial=1) == "W343200024001"
    assert people.upn_for(la="343", estab=2000, year=24, serial="01A") == "V34320002401A"


def test_phone_numbers_are_in_ofcom_drama_ranges() -> None:
    rng = random.Random(2)
    numbers = {people.drama_phone(rng) for _ in range(2000)}

    drama = re.compile(r"07700 900\d{3}|0151 496 0\d{3}")
    assert all(drama.fullmatch(n) for n in numbers)
    assert any(n.startswith("0151") for n in numbers) and any(
        n.startswith("07700") for n in numbers
    )


def test_email_addresses_use_an_rfc_2606_domain_and_ascii_only() -> None:
    rng = random.Random(3)

    email = people.example_email(rng, "Zoë", "Wiśniewska-O'Neill")

    assert re.fullmatch(r"zoe\.wisniewskaoneill\d{1,2}@example\.org", email)


def test_postcodes_have_the_bs7666_shape_and_sit_in_the_district_of_their_town() -> None:
    rng = random.Random(4)
    towns_of = dict(POSTCODE_AREAS)

    for _ in range(500):
        postcode, town = people.sefton_postcode(rng)
        assert is_valid_postcode(postcode)
        assert town in towns_of[postcode.split()[0]]
    assert people.postcode_in(rng, "WA10").startswith("WA10 ")


@pytest.mark.parametrize("on", [TODAY, date(2024, 9, 1), date(2027, 8, 31)])
def test_a_date_of_birth_falls_in_the_year_group_asked_for(on: date) -> None:
    rng = random.Random(5)

    for year in range(13):
        for _ in range(60):
            dob = people.date_of_birth_in_year(rng, year, on=on)
            assert national_curriculum_year(dob, on) == year


def test_edge_dates_of_birth_are_what_their_edge_says() -> None:
    maker = people.People(random.Random(6), today=TODAY, faker_seed=6)

    assert maker.dob(None, 0, "unknown", ()) is None
    leap = maker.dob(None, 0, "leap", ())
    assert leap is not None and (leap.month, leap.day) == (2, 29)
    review = maker.dob(None, 0, "review", ())
    assert review is not None and review.year == 2009 and review.month == 9 and review.day <= 7
    over = maker.dob(None, 0, "over", ())
    assert over is not None and national_curriculum_year(over, TODAY) == 12


def test_surnames_take_the_feminine_form_where_the_language_has_one() -> None:
    assert people.female_form("pl_PL", "Kowalski") == "Kowalska"
    assert people.female_form("sk_SK", "Novák") == "Nováková"
    assert people.female_form("sk_SK", "Hrubý") == "Hrubá"
    assert people.female_form("en_GB", "Walker") == "Walker"


def test_the_wider_name_pool_holds_every_popular_name() -> None:
    assert set(people.POPULAR.girls) <= set(people.REFERRED.girls)
    assert set(people.POPULAR.boys) <= set(people.REFERRED.boys)
    assert len(set(people.REFERRED.girls)) == len(people.REFERRED.girls)


def test_its_codes_are_the_models_choices() -> None:
    assert {people.FEMALE, people.MALE, people.UNKNOWN} == set(Sex.values)
    kinds = {people.PREFERRED, people.FORMER, people.ALIAS, people.SPELLING}
    assert kinds == set(OtherName.Kind.values)


def test_the_generator_needs_no_django() -> None:
    # The benchmarks import it outside Django: it must not pull the ORM in.
    code = (
        "import sys, cmetrack.demo.people, cmetrack.demo.vocabulary, cmetrack.demo.draws\n"
        "assert not [m for m in sys.modules if m.startswith('django')], 'imports Django'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603 - our own code
