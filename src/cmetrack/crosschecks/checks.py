"""The four cross-checks themselves: who each is about, who it looks for them among, and why a
child becomes a candidate. Each returns its candidates and the figures the results page shows;
the services keep them. Read-only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from cmetrack.children.models import Address
from cmetrack.core.school_age import (
    compulsory_school_age_end,
    compulsory_school_age_start,
    is_compulsory_school_age,
    long_date,
)
from cmetrack.matching.selectors import child_records
from cmetrack.referrals.models import DeletionReturn
from cmetrack.rolls.models import RollEntry, SchoolRoll
from cmetrack.rolls.selectors import entries_on_roll, school_rolls_as_of

from .linking import Finding, Progress, find_each
from .people import Person, identity_of
from .sources import (
    everyone_known,
    person_from_record,
    pupils_on_roll,
    roll_people,
    roll_person,
    submitted_person,
)

# A nearest record this likely is named in the list; below it, only on the candidate's page.
POSSIBLE_AT = 0.01
MOVES_WINDOW_DAYS = 730  # "within 24 months"
MOVES_AT_RISK = 3  # three or more addresses or schools
UNKNOWN_DESTINATIONS_AT_RISK = 2  # "moved, destination unknown" more than once
LAST_COMPULSORY_YEAR = 11
# A removal or admission sent this long before the summer rolls still tells where a leaver went.
KNOWN_BEFORE_DAYS = 90


@dataclass
class CandidateData:
    person: Person
    why: list[str]
    finding: Finding | None = None


@dataclass
class Outcome:
    candidates: list[CandidateData] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def _year_rank(year_group: str) -> int | None:
    if year_group.isdigit():
        return int(year_group)
    return {"R": 0, "N2": -1, "N1": -2}.get(year_group)


def _found_where(findings: Sequence[Finding]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for f in findings:
        counts[f.nearest.source if f.found and f.nearest else "nowhere"] += 1
    return dict(counts)


def _not_found(
    subjects: Sequence[Person], findings: Sequence[Finding], why: Callable[[Person], str]
) -> list[CandidateData]:
    candidates = []
    for subject, finding in zip(subjects, findings, strict=True):
        if finding.found:
            continue
        lines = [why(subject)]
        if (
            finding.nearest is not None
            and finding.explanation is not None
            and finding.explanation.probability >= POSSIBLE_AT
        ):
            lines.append(
                f"Nearest record: {finding.nearest.name}, {finding.nearest.where} "
                f"({finding.percent}), not close enough to be sure it is the same child."
            )
        else:
            lines.append("No record came close enough to be a possible match.")
        for other in finding.household:
            lines.append(
                f"Perhaps a brother, sister or twin: {other.name}, {other.where} (same surname, "
                "and the same date of birth or postcode). Their school or team may know where "
                "this child is."
            )
        candidates.append(CandidateData(subject, lines, finding))
    return candidates


def _coverage(rolls: Sequence[SchoolRoll]) -> list[dict[str, str]]:
    return [
        {
            "school": r.school_name or r.school_key,
            "as_of": r.load.as_of.isoformat(),
            "pupils": str(r.pupil_count),
        }
        for r in rolls
    ]


def transition_leavers(
    leavers_on: date, year_groups: Sequence[str] | None
) -> tuple[list[Person], list[SchoolRoll]]:
    """Pupils in the chosen year groups, or, by default, in the top year group of each school
    whose roll ends below Year 11 (Year 6 at a primary, Year 2 at an infant school, Reception
    where a school ends there), on the rolls as of `leavers_on`."""
    rolls = school_rolls_as_of(leavers_on)
    leavers: list[Person] = []
    for roll in rolls:
        people = roll_people([roll], leavers_on)
        if year_groups:
            leavers.extend(p for p in people if p.year_group in year_groups)
            continue
        ranks = [r for p in people if (r := _year_rank(p.year_group)) is not None]
        if not ranks or max(ranks) >= LAST_COMPULSORY_YEAR:
            continue
        top = max(ranks)
        leavers.extend(p for p in people if _year_rank(p.year_group) == top)
    return leavers, rolls


def transition(
    *, leavers_on: date, check_on: date, year_groups: Sequence[str] | None, progress: Progress
) -> Outcome:
    leavers, rolls_then = transition_leavers(leavers_on, year_groups)
    leavers = [
        p
        for p in leavers
        if p.date_of_birth is None or is_compulsory_school_age(p.date_of_birth, check_on)
    ]
    progress(0, len(leavers), f"{len(leavers)} leavers read")
    # Only rolls sent since the leavers' date show where a child is now: a school whose latest
    # roll is still the summer one would otherwise "find" its own leavers on it.
    rolls_now = [r for r in school_rolls_as_of(check_on) if r.load.as_of > leavers_on]
    now = roll_people(rolls_now, check_on)
    known = everyone_known(check_on, since=leavers_on - timedelta(days=KNOWN_BEFORE_DAYS))
    findings = find_each(leavers, now + known, progress=progress)
    fresh = {r.school_key for r in rolls_now}
    stale = [r for r in school_rolls_as_of(check_on) if r.school_key not in fresh]
    return Outcome(
        _not_found(
            leavers,
            findings,
            lambda p: (
                f"On no roll dated after {long_date(leavers_on)}, and on no new-pupil "
                "return, deletion return naming a destination, CME or home-education record."
            ),
        ),
        {
            "subjects": len(leavers),
            "found": _found_where(findings),
            "rolls_then": len(rolls_then),
            "rolls_now": _coverage(rolls_now),
            "no_roll_since": _coverage(stale),
            "population": len(now) + len(known),
        },
    )


def _listed(subjects: Sequence[dict[str, Any]], source: str) -> list[Person]:
    return [
        Person(
            forenames=s.get("forenames", ""),
            surname=s.get("surname", ""),
            date_of_birth=date.fromisoformat(s["date_of_birth"])
            if s.get("date_of_birth")
            else None,
            sex=s.get("sex", ""),
            upn=s.get("upn", ""),
            postcode=s.get("postcode", ""),
            address=s.get("address", ""),
            where=f"Row {s.get('row', '?')} of the {source} list",
            source="list",
        )
        for s in subjects
    ]


def _against_everything(
    subjects: list[Person], check_on: date, progress: Progress, why: Callable[[Person], str]
) -> tuple[list[CandidateData], dict[str, Any]]:
    now, rolls = pupils_on_roll(check_on)
    known = everyone_known(check_on, since=check_on - timedelta(days=365))
    findings = find_each(subjects, now + known, progress=progress)
    return _not_found(subjects, findings, why), {
        "subjects": len(subjects),
        "found": _found_where(findings),
        "rolls_now": _coverage(rolls),
        "population": len(now) + len(known),
    }


def starting_school(
    *,
    subjects: Sequence[dict[str, Any]],
    source: str,
    check_on: date,
    by_date: date,
    progress: Progress,
) -> Outcome:
    """Children on the list who reach compulsory school age by `by_date` (and are not past it)
    and are on no roll, CME or home-education record. A row with no date of birth is checked
    too: nobody can say it is too young."""
    listed = _listed(subjects, source)
    due = [
        p
        for p in listed
        if p.date_of_birth is None
        or (
            compulsory_school_age_start(p.date_of_birth) <= by_date
            and compulsory_school_age_end(p.date_of_birth) >= check_on
        )
    ]
    candidates, summary = _against_everything(
        due,
        check_on,
        progress,
        lambda p: (
            (
                "Of compulsory school age from "
                f"{long_date(compulsory_school_age_start(p.date_of_birth))}"
                if p.date_of_birth
                else "No date of birth given"
            )
            + f"; on no roll as of {long_date(check_on)}, CME or home-education record."
        ),
    )
    summary.update(listed=len(listed), not_due=len(listed) - len(due))
    return Outcome(candidates, summary)


def known_to_services(
    *, subjects: Sequence[dict[str, Any]], source: str, check_on: date, progress: Progress
) -> Outcome:
    listed = _listed(subjects, source)
    of_age = [
        p
        for p in listed
        if p.date_of_birth is None or is_compulsory_school_age(p.date_of_birth, check_on)
    ]
    candidates, summary = _against_everything(
        of_age,
        check_on,
        progress,
        lambda p: (
            f"Known to {source}"
            + ("" if p.date_of_birth else " (no date of birth given)")
            + f"; of compulsory school age and on no roll as of {long_date(check_on)}, CME or "
            "home-education record."
        ),
    )
    summary.update(listed=len(listed), not_of_age=len(listed) - len(of_age))
    return Outcome(candidates, summary)


@dataclass
class _Moves:
    person: Person | None = None
    schools: dict[str, str] = field(default_factory=dict)  # school key -> "X (roll of D)"
    addresses: list[str] = field(default_factory=list)
    unknown_destinations: list[str] = field(default_factory=list)


def repeated_moves(*, check_on: date, progress: Progress) -> Outcome:
    """Children on three or more schools' rolls, or at three or more addresses, within 24
    months of `check_on`, or removed from roll with the destination unknown more than once."""
    since = check_on - timedelta(days=MOVES_WINDOW_DAYS)
    moves: dict[str, _Moves] = defaultdict(_Moves)
    rolls = list(
        SchoolRoll.objects.filter(
            load__as_of__range=(since, check_on), load__withdrawn_at__isnull=True
        )
        .select_related("load", "school")
        .order_by("load__as_of")
    )
    progress(0, len(rolls), "Reading roll history")
    for done, roll in enumerate(rolls, start=1):
        for entry in entries_on_roll([roll], roll.load.as_of).iterator(chunk_size=5000):
            assert isinstance(entry, RollEntry)
            key = identity_of(entry.upn, entry.forename, entry.surname, entry.date_of_birth)
            m = moves[key]
            if roll.school_key not in m.schools:
                m.schools[roll.school_key] = (
                    f"{roll.school_name or roll.school_key} (roll of {long_date(roll.load.as_of)})"
                )
                m.person = roll_person(entry, roll)
        progress(done, len(rolls), "Reading roll history")
    _address_moves(moves, since, check_on)
    _unknown_destinations(moves, since, check_on)
    candidates = []
    for m in moves.values():
        why = []
        if len(m.schools) >= MOVES_AT_RISK:
            why.append(
                f"On the rolls of {len(m.schools)} schools since {long_date(since)}: "
                + "; ".join(m.schools.values())
                + "."
            )
        if len(m.addresses) >= MOVES_AT_RISK:
            why.append(
                f"{len(m.addresses)} addresses since {long_date(since)}: "
                + "; ".join(m.addresses)
                + "."
            )
        if len(m.unknown_destinations) >= UNKNOWN_DESTINATIONS_AT_RISK:
            why.append(
                "Removed from roll with the destination unknown "
                f"{len(m.unknown_destinations)} times: " + "; ".join(m.unknown_destinations) + "."
            )
        if why and m.person is not None:
            candidates.append(CandidateData(m.person, why))
    return Outcome(
        candidates, {"subjects": len(moves), "rolls_read": len(rolls), "flagged": len(candidates)}
    )


def _address_moves(moves: dict[str, _Moves], since: date, until: date) -> None:
    rows = Address.objects.filter(
        date_from__range=(since, until), child__merged_into__isnull=True
    ).values_list("child_id", "postcode", "postcode_raw", "town", "date_from")
    by_child: dict[int, list[str]] = defaultdict(list)
    for child_id, postcode, raw, town, date_from in rows.order_by("date_from"):
        by_child[child_id].append(
            f"{postcode or raw or town or 'address'} from {long_date(date_from)}"
            if date_from
            else f"{postcode or raw or town or 'address'}"
        )
    movers = {pk: lines for pk, lines in by_child.items() if len(lines) >= MOVES_AT_RISK}
    for pk, record in child_records(list(movers)).items():
        key = identity_of(record.upn, record.forenames, record.surname, record.date_of_birth)
        m = moves[key]
        m.addresses = movers[pk]
        if m.person is None:
            m.person = person_from_record(record, where="Child record", source="child")


def _unknown_destinations(moves: dict[str, _Moves], since: date, until: date) -> None:
    returns = DeletionReturn.objects.filter(deletion_date__range=(since, until)).select_related(
        "school"
    )
    for r in returns:
        if r.has_new_school or r.new_address.strip():
            continue
        key = identity_of(r.upn, r.forenames, r.surname, r.date_of_birth)
        m = moves[key]
        m.unknown_destinations.append(
            f"{r.reference} from {r.school.name if r.school else 'a school'} on "
            f"{long_date(r.deletion_date)}"
        )
        if m.person is None:
            m.person = submitted_person(r, f"Deletion return {r.reference}", "deletion")
