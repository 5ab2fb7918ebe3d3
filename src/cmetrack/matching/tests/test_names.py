"""Names in normal form, parts, phonetic codes and the nickname / transliteration list."""

from pathlib import Path

import pytest

from cmetrack.matching.names import (
    EquivalenceKind,
    NameEquivalents,
    default_equivalents,
    first_name,
    name_parts,
    normalise_name,
    phonetic,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Zoë", "ZOE"),
        ("  amelia   rose ", "AMELIA ROSE"),
        ("O'Brien", "OBRIEN"),
        ("Smith-Jones", "SMITH JONES"),
        ("Łukasz", "LUKASZ"),
        ("", ""),
        (None, ""),
    ],
)
def test_names_are_compared_in_a_normal_form(raw: str | None, expected: str) -> None:
    assert normalise_name(raw) == expected


def test_double_surnames_split_into_parts() -> None:
    assert name_parts("Smith-Jones") == ("SMITH", "JONES")
    assert name_parts("Smith Jones") == ("SMITH", "JONES")


def test_first_name_is_the_first_given_name() -> None:
    assert first_name("Amelia Rose") == "AMELIA"
    assert first_name("") == ""


def test_phonetic_codes_agree_for_names_that_sound_alike() -> None:
    assert phonetic("Thomas") == phonetic("Tomas")
    assert phonetic("") == ""


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ("MILLIE", "AMELIA", EquivalenceKind.NICKNAME),
        ("AMELIA", "MILLIE", EquivalenceKind.NICKNAME),
        ("MOHAMED", "MUHAMMAD", EquivalenceKind.SPELLING),
        ("MOHAMED", "MOHAMMED", EquivalenceKind.SPELLING),
        ("ALEKSANDER", "ALEXANDER", EquivalenceKind.SPELLING),
        ("BILL", "WILL", EquivalenceKind.NICKNAME),
    ],
)
def test_known_equivalents_are_found_both_ways(a: str, b: str, kind: str) -> None:
    eq = default_equivalents()
    assert eq.equivalence(a, b) is not None
    assert eq.equivalence(a, b).kind == kind  # type: ignore[union-attr]
    assert eq.equivalence(b, a) is not None


def test_two_given_names_sharing_a_nickname_are_not_equivalent() -> None:
    assert default_equivalents().equivalence("ALEXANDER", "ALEXANDRA") is None


def test_the_list_is_editable_data(tmp_path: Path) -> None:
    csv_file = tmp_path / "names.csv"
    csv_file.write_text(
        "given_name,variant,kind\n# a comment\nKatarzyna,Kasia,nickname\n", encoding="utf-8"
    )
    eq = NameEquivalents.from_csv(csv_file)
    assert len(eq) == 1
    assert eq.equivalence("KASIA", "KATARZYNA") is not None
    assert eq.equivalence("MILLIE", "AMELIA") is None


def test_the_bundled_list_loads() -> None:
    assert len(default_equivalents()) > 100
