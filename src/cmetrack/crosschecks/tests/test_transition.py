"""The key-stage transition check against a synthetic authority whose leavers' fates are known:
it must name exactly the leavers on no roll and known nowhere (twins included), and no one who
moved on, changed their name, got a new UPN, left the area, is home educated or has a case."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cmetrack.accounts.models import User
from cmetrack.crosschecks import linking
from cmetrack.crosschecks.kinds import CheckKind
from cmetrack.crosschecks.models import CandidateState, CrossCheckRun, RunState
from cmetrack.crosschecks.people import identity_of
from cmetrack.crosschecks.services import CheckRequest, crosscheck_start
from cmetrack.rolls.reading import RollPupil
from cmetrack.testing.cohorts import SUMMER, authority

from .helpers import load_cohort, record_known_elsewhere, today

pytestmark = pytest.mark.django_db


def _run(officer: User, **changes: object) -> CrossCheckRun:
    request = CheckRequest(kind=CheckKind.TRANSITION, check_on=today(), leavers_on=SUMMER)
    for name, value in changes.items():
        object.__setattr__(request, name, value)
    run = crosscheck_start(request=request, by=officer)
    run.refresh_from_db()
    assert run.state == RunState.DONE, run.error
    return run


def _identities(pupils: list[RollPupil]) -> set[str]:
    return {identity_of(p.upn, p.forename, p.surname, p.date_of_birth) for p in pupils}


def _candidates(run: CrossCheckRun) -> set[str]:
    return set(run.candidates.filter(state=CandidateState.OPEN).values_list("identity", flat=True))


def test_transition_names_the_missing_leavers_and_no_one_else(officer: User) -> None:
    cohort = authority(seed=3)
    load_cohort(cohort, officer)
    record_known_elsewhere(cohort, officer)
    run = _run(officer)
    missing = _identities(cohort.leavers(("missing", "twin_missing")))
    assert missing, "the generator made no missing leaver: change the seed"
    assert _candidates(run) == missing
    leavers = len(cohort.fates)
    assert run.summary["subjects"] == leavers
    found = run.summary["found"]
    assert found["nowhere"] == len(missing)
    assert found.get("deletion", 0) == len(cohort.leavers("left_area"))
    assert found.get("ehe", 0) == len(cohort.leavers("home_educated"))
    assert found.get("cme", 0) == len(cohort.leavers("cme_case"))


def test_a_twin_on_roll_does_not_account_for_the_missing_twin(officer: User) -> None:
    cohort = authority(seed=5, fate_weights={"twin_missing": 1.0})
    load_cohort(cohort, officer)
    run = _run(officer)
    twins = cohort.leavers("twin_missing")
    assert twins and _candidates(run) == _identities(twins)
    # Each names the twin on roll, where an officer asks first.
    for candidate in run.candidates.all():
        assert any(
            line.startswith("Perhaps a brother, sister or twin") and candidate.surname in line
            for line in candidate.explanation["why"]
        ), candidate.explanation


def test_a_new_upn_and_a_typing_error_are_found_by_the_score(officer: User) -> None:
    cohort = authority(seed=7, fate_weights={"new_upn": 1.0})
    load_cohort(cohort, officer)
    run = _run(officer)
    assert _candidates(run) == set()
    assert run.summary["found"]["roll"] == len(cohort.fates)


def test_without_an_autumn_roll_every_leaver_is_a_candidate_and_the_page_says_why(
    officer: User,
) -> None:
    cohort = authority(seed=3)
    load_cohort(cohort, officer, autumn=False)
    run = _run(officer)
    assert len(_candidates(run)) == len(cohort.fates)
    assert len(run.summary["no_roll_since"]) == len(cohort.schools)


def test_chosen_year_groups_replace_the_top_year(officer: User) -> None:
    cohort = authority(seed=3)
    load_cohort(cohort, officer)
    run = _run(officer, year_groups=("4",))
    # Year 4 pupils are on the autumn rolls in Year 5 at the same school: none is missing.
    assert run.summary["subjects"] == sum(1 for p in cohort.summer if p.year_group == "4")
    assert _candidates(run) == set()


def test_the_batch_linker_finds_the_same_candidates_as_the_scorer(
    officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    cohort = authority(seed=3)
    load_cohort(cohort, officer)
    record_known_elsewhere(cohort, officer)
    by_scorer = _candidates(_run(officer))
    monkeypatch.setattr(linking, "SCORE_EVERY_PAIR_UP_TO", 0)
    by_linker = _candidates(_run(officer))
    assert by_linker == by_scorer


def test_a_withdrawn_autumn_load_is_left_out_of_the_next_run(officer: User) -> None:
    from cmetrack.rolls.models import RollLoad
    from cmetrack.rolls.services import roll_withdraw

    cohort = authority(seed=3)
    load_cohort(cohort, officer)
    autumn = RollLoad.objects.get(original_name="autumn.csv")
    roll_withdraw(load=autumn, reason="Wrong term", by=officer)
    run = _run(officer)
    assert len(_candidates(run)) == len(cohort.fates)


def test_leavers_date_must_come_before_the_date_checked(officer: User) -> None:
    from cmetrack.crosschecks.services import CrossCheckRefused

    with pytest.raises(CrossCheckRefused, match="before the date to check"):
        crosscheck_start(
            request=CheckRequest(
                kind=CheckKind.TRANSITION, check_on=date(2026, 7, 1), leavers_on=date(2026, 7, 2)
            ),
            by=officer,
        )
    assert not CrossCheckRun.objects.exists()
    with pytest.raises(CrossCheckRefused, match="today or in the past"):
        crosscheck_start(
            request=CheckRequest(
                kind=CheckKind.TRANSITION,
                check_on=today() + timedelta(days=1),
                leavers_on=SUMMER,
            ),
            by=officer,
        )
