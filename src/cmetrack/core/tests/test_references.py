import re

from cmetrack.core.references import ALPHABET, random_reference


def test_references_have_the_prefix_two_groups_of_four_and_no_look_alike_letters() -> None:
    for _ in range(200):
        ref = random_reference("DEL")
        assert re.fullmatch(rf"DEL-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}", ref)
        assert not set(ref[4:]) & set("ILOU")


def test_references_are_not_repeated_in_practice() -> None:
    assert len({random_reference("CME") for _ in range(1000)}) == 1000
