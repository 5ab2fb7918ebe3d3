"""Reads for matching: who might this child already be? Scoped by the acting user."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db.models import Max, Prefetch, Q
from django.http import Http404

from cmetrack.accounts.access import AnyUser, is_la_staff
from cmetrack.children.models import Address, Child

from .keys import blocking_keys
from .models import ChildMatchKey, NonMatch
from .names import normalise_name
from .scoring import MatchExplanation, PersonRecord, TermFrequencies, score

# At most this many children are scored per search: those sharing the most blocking keys with
# the query. A true match shares several (date of birth, surname sound, postcode).
MAX_SCORED = 300
# Candidates below this probability are not worth an officer's time.
MIN_PROBABILITY = 0.05


@dataclass(frozen=True)
class Candidate:
    child: Child
    explanation: MatchExplanation

    @property
    def probability(self) -> float:
        return self.explanation.probability


def child_record(child: Child) -> PersonRecord:
    """What the scorer compares of a child (prefetch addresses, other_names, former_upns)."""
    addresses = sorted(
        child.addresses.all(),
        key=lambda a: (a.date_to is None, a.date_from or date.min),
        reverse=True,
    )
    current = next((a for a in addresses if a.date_to is None and a.postcode), None)
    postcodes = [a.postcode or a.postcode_raw for a in addresses if a.postcode or a.postcode_raw]
    return PersonRecord(
        forenames=child.forenames,
        surname=child.surname,
        date_of_birth=child.date_of_birth,
        sex=child.sex,
        upn=child.upn,
        former_upns=tuple(f.upn for f in child.former_upns.all()),
        postcode=current.postcode if current else "",
        previous_postcodes=tuple(p for p in postcodes if not current or p != current.postcode),
        other_names=tuple((o.forenames, o.surname) for o in child.other_names.all()),
    )


def _with_relations(ids: Iterable[int]) -> list[Child]:
    return list(
        Child.objects.filter(pk__in=list(ids), merged_into__isnull=True).prefetch_related(
            Prefetch("addresses", queryset=Address.objects.order_by()),
            "other_names",
            "former_upns",
        )
    )


def surname_frequencies(surnames: Iterable[str]) -> TermFrequencies:
    """How common each surname is among all children: one indexed count per name. The total
    is estimated by the highest primary key (exact enough, and free on any database)."""
    total = Child.objects.aggregate(top=Max("pk"))["top"] or 0
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
        surnames=[surname, *(s for _, s in other_names)],
        date_of_birth=date_of_birth,
        upns=[upn, *former_upns],
        postcodes=[postcode, *previous_postcodes],
        for_search=True,
    )
    if not keys:
        return []
    hits = Counter(
        ChildMatchKey.objects.filter(key__in=sorted(keys)).values_list("child_id", flat=True)
    )
    if exclude is not None:
        hits.pop(exclude.pk, None)
        for pk in _non_matches(exclude.pk):
            hits.pop(pk, None)
    if not hits:
        return []
    ids = [pk for pk, _ in hits.most_common(MAX_SCORED)]
    tf = term_frequencies
    if tf is None:
        tf = surname_frequencies([surname, *(s for _, s in other_names)])
    found = []
    for child in _with_relations(ids):
        explanation = score(query, child_record(child), term_frequencies=tf)
        if explanation.probability >= min_probability:
            found.append(Candidate(child, explanation))
    found.sort(key=lambda c: (-c.explanation.total_weight, c.child.pk))
    return found[:limit]


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
