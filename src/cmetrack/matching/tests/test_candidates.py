"""Blocking keys kept in step with the record, and the candidate search built on them."""

from datetime import date

import pytest
from django.core.management import call_command

from cmetrack.accounts.models import User
from cmetrack.children.models import Child, FormerUpn, OtherName
from cmetrack.matching.keys import blocking_keys, transposed
from cmetrack.matching.models import ChildMatchKey, NonMatch
from cmetrack.matching.selectors import candidates_for, candidates_for_child, resolve_child
from cmetrack.matching.services import match_keys_refresh, non_match_record
from cmetrack.testing.factories import AddressFactory, ChildFactory


def _keys(child: Child) -> set[str]:
    return set(ChildMatchKey.objects.filter(child=child).values_list("key", flat=True))


def _search(user: User, **overrides: object) -> list[str]:
    query: dict[str, object] = {
        "forenames": "Amelia",
        "surname": "Smith",
        "date_of_birth": date(2015, 3, 4),
        "upn": "",
        "postcode": "",
        "sex": "F",
    }
    query.update(overrides)
    return [c.child.full_name for c in candidates_for(user=user, **query)]  # type: ignore[arg-type]


@pytest.fixture
def amelia(db: None) -> Child:
    child = ChildFactory(
        forenames="Amelia", surname="Smith", date_of_birth=date(2015, 3, 4), upn="H801200001001"
    )
    AddressFactory(child=child, postcode="L20 7AE")
    return child


def test_keys_cover_upn_birth_date_surname_sound_and_postcode() -> None:
    keys = blocking_keys(
        surnames=["Smith-Jones"],
        date_of_birth=date(2015, 3, 4),
        upns=["h801200001001"],
        postcodes=["l20 7ae"],
    )
    assert keys == {
        "upn:H801200001001",
        "dob:2015-03-04",
        "snp:SNAT:2015",
        "snp:JAN:2015",
        "pc:L207AE:2015",
    }


def test_a_search_also_looks_under_the_transposed_date() -> None:
    assert "dob:2015-04-03" in blocking_keys(date_of_birth=date(2015, 3, 4), for_search=True)
    assert transposed(date(2015, 3, 13)) is None
    assert transposed(date(2015, 3, 3)) is None


def test_a_search_without_birth_date_looks_across_school_age_years() -> None:
    keys = blocking_keys(surnames=["Smith"], for_search=True)
    assert "snp:SNAT:-" in keys
    assert sum(k.startswith("snp:SNAT:") for k in keys) > 15


def test_keys_follow_the_child_and_its_rows(amelia: Child) -> None:
    assert "pc:L207AE:2015" in _keys(amelia)
    FormerUpn.objects.create(child=amelia, upn="G80120000101A")
    OtherName.objects.create(child=amelia, forenames="Mia", surname="Okafor")
    assert {"upn:G80120000101A", "snp:OCAFAR:2015"} <= _keys(amelia)
    amelia.date_of_birth = date(2014, 3, 4)
    amelia.save()
    assert "dob:2014-03-04" in _keys(amelia)
    assert "dob:2015-03-04" not in _keys(amelia)
    amelia.addresses.all().delete()
    assert not any(k.startswith("pc:") for k in _keys(amelia))


def test_deleting_a_child_deletes_its_keys(amelia: Child) -> None:
    amelia.delete()
    assert not ChildMatchKey.objects.exists()


def test_rebuild_command_restores_keys(amelia: Child) -> None:
    ChildMatchKey.objects.all().delete()
    call_command("rebuild_match_keys", stdout=None)
    assert "upn:H801200001001" in _keys(amelia)


def test_refresh_is_idempotent(amelia: Child) -> None:
    before = _keys(amelia)
    match_keys_refresh(amelia)
    match_keys_refresh(amelia)
    assert _keys(amelia) == before
    assert ChildMatchKey.objects.filter(child=amelia).count() == len(before)


def test_candidates_are_found_by_nickname_and_transposed_date(amelia: Child, officer: User) -> None:
    assert _search(officer, forenames="Millie", date_of_birth=date(2015, 4, 3)) == ["Amelia Smith"]


def test_candidates_are_found_by_upn_alone(amelia: Child, officer: User) -> None:
    found = candidates_for(
        user=officer,
        forenames="Amelia",
        surname="Smyth",
        date_of_birth=None,
        upn="H801200001001",
        postcode="",
        sex="",
    )
    assert [c.child for c in found] == [amelia]
    assert found[0].probability > 0.99


def test_candidates_are_found_by_surname_sound_and_year(amelia: Child, officer: User) -> None:
    assert _search(officer, surname="Smyth", date_of_birth=date(2015, 7, 21)) == []
    assert _search(officer, surname="Smith", date_of_birth=date(2015, 3, 5)) == ["Amelia Smith"]


def test_candidates_come_with_explanations(amelia: Child, officer: User) -> None:
    found = candidates_for(
        user=officer,
        forenames="Millie",
        surname="Smith",
        date_of_birth=date(2015, 3, 4),
        upn="",
        postcode="L20 7AE",
        sex="F",
    )
    assert "First name: 'Millie' is a known short form of 'Amelia' (+6.1)" in (
        found[0].explanation.lines
    )


def test_a_twin_is_not_a_candidate(amelia: Child, officer: User) -> None:
    assert _search(officer, forenames="Grace", postcode="L20 7AE") == []


def test_tombstones_are_never_candidates(amelia: Child, officer: User) -> None:
    other = ChildFactory(forenames="Amelia", surname="Smith", date_of_birth=date(2015, 3, 4))
    amelia.merged_into = other
    amelia.save()
    assert [c.child for c in candidates_for_child(user=officer, child=other)] == []
    assert resolve_child(amelia) == other


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_only_the_team_can_search(
    amelia: Child, persona: str, request: pytest.FixtureRequest
) -> None:
    assert _search(request.getfixturevalue(persona)) == []


def test_a_not_the_same_decision_removes_the_pair(amelia: Child, officer: User) -> None:
    twin = ChildFactory(forenames="Amelia", surname="Smith", date_of_birth=date(2015, 3, 4))
    assert [c.child for c in candidates_for_child(user=officer, child=twin)] == [amelia]
    non_match_record(child_a=twin, child_b=amelia, by=officer, reason="Twins")
    assert candidates_for_child(user=officer, child=twin) == []
    assert candidates_for_child(user=officer, child=amelia) == []
    decision = NonMatch.objects.get()
    assert decision.child_a_id < decision.child_b_id
    # Recording it again is harmless.
    non_match_record(child_a=amelia, child_b=twin, by=officer)
    assert NonMatch.objects.count() == 1


def test_candidates_are_ordered_most_likely_first(amelia: Child, officer: User) -> None:
    ChildFactory(forenames="Amelie", surname="Smith", date_of_birth=date(2015, 4, 3))
    names = _search(officer, postcode="L20 7AE")
    assert names[0] == "Amelia Smith"


def test_a_rare_shared_key_ranks_above_a_common_one(
    amelia: Child, officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Many children born the same day; only Amelia shares the UPN. With room to score one
    # child, the search scores her.
    for n in range(5):
        ChildFactory(forenames=f"Other{n}", surname="Jones", date_of_birth=date(2015, 3, 4))
    monkeypatch.setattr("cmetrack.matching.selectors.MAX_SCORED", 1)
    found = candidates_for(
        user=officer,
        forenames="Amelia",
        surname="Smith",
        date_of_birth=date(2015, 3, 4),
        upn="H801200001001",
        postcode="",
        sex="F",
    )
    assert [c.child for c in found] == [amelia]
