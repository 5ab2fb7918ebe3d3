"""Reads for matching: who might this child already be? Scoped by the acting user."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db.models import Max, Q
from django.http import Http404

from cmetrack.accounts.access import AnyUser, is_la_staff
from cmetrack.children.models import Address, Child, FormerUpn, OtherName

from .keys import blocking_keys, key_weight
from .models import ChildMatchKey, NonMatch
from .names import normalise_name
from .scoring import MatchExplanation, PersonRecord, TermFrequencies, prior_for, score

# At most this many children are scored per search: those sharing the most telling blocking
# keys with the query (_ranked_hits). A true match shares several (date of birth, surname sound,
# postcode) or a rare one (UPN, postcode). Scoring and loading cost ~0.2 ms per child.
MAX_SCORED = 150
# Candidates below this probability are not worth an officer's time.
MIN_PROBABILITY = 0.05


@dataclass(frozen=True)
class Candidate:
    child: Child
    explanation: MatchExplanation

    @property
    def probability(self) -> float:
        return self.explanation.probability


def _person(
    *,
    forenames: str,
    surname: str,
    date_of_birth: date | None,
    sex: str,
    upn: str,
    addresses: Iterable[tuple[str, str, date | None, date | None]],
    former_upns: Iterable[str],
    other_names: Iterable[tuple[str, str]],
) -> PersonRecord:
    """The scorer's record from plain values; addresses are (postcode, postcode as given,
    date from, date to). The current address is the latest with no end date and a postcode."""
    ordered = sorted(addresses, key=lambda a: (a[3] is None, a[2] or date.min), reverse=True)
    current = next((a for a in ordered if a[3] is None and a[0]), None)
    postcodes = [a[0] or a[1] for a in ordered if a[0] or a[1]]
    return PersonRecord(
        forenames=forenames,
        surname=surname,
        date_of_birth=date_of_birth,
        sex=sex,
        upn=upn,
        former_upns=tuple(former_upns),
        postcode=current[0] if current else "",
        previous_postcodes=tuple(p for p in postcodes if not current or p != current[0]),
        other_names=tuple(other_names),
    )


def child_record(child: Child) -> PersonRecord:
    """What the scorer compares of a child (prefetch addresses, other_names, former_upns)."""
    return _person(
        forenames=child.forenames,
        surname=child.surname,
        date_of_birth=child.date_of_birth,
        sex=child.sex,
        upn=child.upn,
        addresses=[
            (a.postcode, a.postcode_raw, a.date_from, a.date_to) for a in child.addresses.all()
        ],
        former_upns=[f.upn for f in child.former_upns.all()],
        other_names=[(o.forenames, o.surname) for o in child.other_names.all()],
    )


def _records(ids: list[int]) -> dict[int, PersonRecord]:
    """The scorer's records of live children, read as plain rows: four queries and no model
    instances (building hundreds of those cost more than the queries)."""
    addresses: dict[int, list[tuple[str, str, date | None, date | None]]] = defaultdict(list)
    for child_id, postcode, raw, date_from, date_to in Address.objects.filter(
        child_id__in=ids
    ).values_list("child_id", "postcode", "postcode_raw", "date_from", "date_to"):
        addresses[child_id].append((postcode, raw, date_from, date_to))
    former: dict[int, list[str]] = defaultdict(list)
    for child_id, upn in FormerUpn.objects.filter(child_id__in=ids).values_list("child_id", "upn"):
        former[child_id].append(upn)
    names: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for child_id, forenames, surname in OtherName.objects.filter(child_id__in=ids).values_list(
        "child_id", "forenames", "surname"
    ):
        names[child_id].append((forenames, surname))
    rows = Child.objects.filter(pk__in=ids, merged_into__isnull=True).values_list(
        "pk", "forenames", "surname", "date_of_birth", "sex", "upn"
    )
    return {
        pk: _person(
            forenames=forenames,
            surname=surname,
            date_of_birth=dob,
            sex=sex,
            upn=upn,
            addresses=addresses.get(pk, ()),
            former_upns=former.get(pk, ()),
            other_names=names.get(pk, ()),
        )
        for pk, forenames, surname, dob, sex, upn in rows
    }


def children_on_record() -> int:
    """About how many children there are: the highest primary key (exact enough, and free on
    any database, unlike count(*) on PostgreSQL)."""
    return int(Child.objects.aggregate(top=Max("pk"))["top"] or 0)


def surname_frequencies(surnames: Iterable[str], total: int | None = None) -> TermFrequencies:
    """How common each surname is among all children: one indexed count per name. The total
    is estimated by children_on_record() unless given."""
    if total is None:
        total = children_on_record()
    if not total:
        return TermFrequencies()
    table: dict[str, float] = {}
    for surname in surnames:
        text = surname.strip()
        key = normalise_name(text)
        if not key or key in table:
            continue
        spellings = {text, text.title(), text.upper(), text.lower()}
        table[key] = max(Child.objects.filter(surname__in=spellings).count(), 1) / total
    return TermFrequencies(surnames=table)


def _ranked_hits(keys: set[str], population: int) -> dict[int, float]:
    """Children under any of the keys, ranked by how telling the keys they share are: a key
    few children share (a UPN, a postcode) counts for more than one many share (a birth date,
    a common surname sound in a year): the sum of log2(children / children under the key)."""
    under: dict[str, list[int]] = defaultdict(list)
    for key, pk in ChildMatchKey.objects.filter(key__in=sorted(keys)).values_list(
        "key", "child_id"
    ):
        under[key].append(pk)
    hits: dict[int, float] = defaultdict(float)
    for pks in under.values():
        weight = key_weight(population, len(pks))
        for pk in pks:
            hits[pk] += weight
    return hits


def _non_matches(child_pk: int) -> set[int]:
    pairs = NonMatch.objects.filter(Q(child_a=child_pk) | Q(child_b=child_pk)).values_list(
        "child_a", "child_b"
    )
    return {b if a == child_pk else a for a, b in pairs}


def candidates_for(
    *,
    user: AnyUser,
    forenames: str,
    surname: str,
    date_of_birth: date | None,
    upn: str,
    postcode: str,
    sex: str,
    limit: int = 10,
    other_names: tuple[tuple[str, str], ...] = (),
    former_upns: tuple[str, ...] = (),
    previous_postcodes: tuple[str, ...] = (),
    exclude: Child | None = None,
    min_probability: float = MIN_PROBABILITY,
    term_frequencies: TermFrequencies | None = None,
) -> list[Candidate]:
    """Existing children who may be this one, most likely first, each with its explanation.

    Only the authority's CME team searches (anyone else gets an empty list). Tombstones of
    merged records are never candidates, nor are children an officer recorded as "not the
    same child" as `exclude`."""
    if not is_la_staff(user):
        return []
    query = PersonRecord(
        forenames=forenames,
        surname=surname,
        date_of_birth=date_of_birth,
        sex=sex,
        upn=upn,
        former_upns=former_upns,
        postcode=postcode,
        previous_postcodes=previous_postcodes,
        other_names=other_names,
    )
    keys = blocking_keys(
        forenames=[forenames, *(f for f, _ in other_names)],
        surnames=[surname, *(s for _, s in other_names)],
        date_of_birth=date_of_birth,
        upns=[upn, *former_upns],
        postcodes=[postcode, *previous_postcodes],
        for_search=True,
    )
    if not keys:
        return []
    population = children_on_record()
    hits = _ranked_hits(keys, population)
    if exclude is not None:
        hits.pop(exclude.pk, None)
        for pk in _non_matches(exclude.pk):
            hits.pop(pk, None)
    if not hits:
        return []
    ids = sorted(hits, key=lambda pk: (-hits[pk], pk))[:MAX_SCORED]
    tf = term_frequencies
    if tf is None:
        tf = surname_frequencies([surname, *(s for _, s in other_names)], population)
    prior = prior_for(population)
    scored = []
    for pk, record in _records(ids).items():
        explanation = score(query, record, term_frequencies=tf, prior=prior)
        if explanation.probability >= min_probability:
            scored.append((-explanation.total_weight, pk, explanation))
    scored.sort(key=lambda s: (s[0], s[1]))
    best = scored[:limit]
    children = Child.objects.filter(merged_into__isnull=True).in_bulk([pk for _, pk, _ in best])
    return [Candidate(children[pk], e) for _, pk, e in best if pk in children]


def candidates_for_child(*, user: AnyUser, child: Child, limit: int = 10) -> list[Candidate]:
    """Likely duplicates of a child already on record."""
    record = child_record(child)
    return candidates_for(
        user=user,
        forenames=record.forenames,
        surname=record.surname,
        date_of_birth=record.date_of_birth,
        upn=record.upn,
        postcode=record.postcode,
        sex=record.sex,
        limit=limit,
        other_names=record.other_names,
        former_upns=record.former_upns,
        previous_postcodes=record.previous_postcodes,
        exclude=child,
    )


def resolve_child(child: Child) -> Child:
    """The live record a (possibly merged) child now lives on: follows merged_into."""
    seen = {child.pk}
    while child.merged_into_id is not None:
        child = Child.objects.get(pk=child.merged_into_id)
        if child.pk in seen:  # a cycle would be a data error: stop rather than loop
            break
        seen.add(child.pk)
    return child


def child_get_any(*, user: AnyUser, public_id: UUID | str) -> Child:
    """A child by id for the team, tombstones included (their pages redirect); else 404."""
    if not is_la_staff(user):
        raise Http404("No such child.")
    child = Child.objects.filter(public_id=public_id).first()
    if child is None:
        raise Http404("No such child.")
    return child


def child_records(ids: list[int]) -> dict[int, PersonRecord]:
    """The scorer's records of these live children (merged ones left out), by pk: for the
    checks that compare many children at once (crosschecks)."""
    return _records(ids)
