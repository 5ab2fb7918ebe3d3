"""Children the authority already knows, looked up for many submissions at once.

The same exact rules as `children.selectors.child_find_existing` (same UPN, current or former;
else the same legal name and date of birth, among children with no UPN or the same one), in a
fixed number of queries whatever the number of rows: the bulk import checks 10,000 rows this
way instead of one or two queries a row. Open cases for the children found come in one more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from cmetrack.cases.models import Case
from cmetrack.cases.status import OPEN_STATUSES
from cmetrack.children.models import Child, FormerUpn
from cmetrack.core.upn import normalise_upn

# Well under SQLite's and PostgreSQL's limits on bound parameters.
CHUNK = 900

T = TypeVar("T")


def _chunks(values: Iterable[T]) -> Iterator[list[T]]:
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(frozen=True)
class ChildKey:
    upn: str = ""
    forenames: str = ""
    surname: str = ""
    date_of_birth: date | None = None


def _name(value: str) -> str:
    return value.strip().casefold()


def children_known(keys: Iterable[ChildKey]) -> dict[ChildKey, Child]:
    """Each key's known child, for the keys that have one."""
    keys = list(dict.fromkeys(keys))
    upns = {normalise_upn(k.upn) for k in keys if k.upn}
    fields = ("id", "forenames", "surname", "date_of_birth", "upn", "created_at")
    active = Child.objects.filter(merged_into__isnull=True).only(*fields)
    by_upn: dict[str, Child] = {}
    for chunk in _chunks(sorted(upns)):
        for child in active.filter(upn__in=chunk).order_by("created_at", "id"):
            by_upn.setdefault(child.upn, child)
    former = sorted(upns - set(by_upn))
    for olds in _chunks(former):
        rows = (
            FormerUpn.objects.filter(upn__in=olds, child__merged_into__isnull=True)
            .select_related("child")
            .only("upn", *(f"child__{f}" for f in fields))
            .order_by("child__created_at", "child_id")
        )
        for row in rows:
            by_upn.setdefault(row.upn, row.child)

    found: dict[ChildKey, Child] = {}
    wanted: list[ChildKey] = []
    for key in keys:
        upn = normalise_upn(key.upn) if key.upn else ""
        if upn and upn in by_upn:
            found[key] = by_upn[upn]
        elif key.forenames and key.surname and key.date_of_birth:
            wanted.append(key)
    if wanted:
        # Every child born on one of the days, as plain tuples (cheap even when the authority
        # knows tens of thousands); the model objects are fetched for the matches only.
        by_name: dict[tuple[str, str, date], list[tuple[int, str]]] = defaultdict(list)
        dobs = sorted({k.date_of_birth for k in wanted if k.date_of_birth})
        for days in _chunks(dobs):
            born = (
                Child.objects.filter(merged_into__isnull=True, date_of_birth__in=days)
                .order_by("created_at", "id")
                .values_list("id", "forenames", "surname", "date_of_birth", "upn")
            )
            for pk, forenames, surname, dob, child_upn in born:
                assert dob is not None
                by_name[(_name(forenames), _name(surname), dob)].append((pk, child_upn))
        chosen: dict[ChildKey, int] = {}
        for key in wanted:
            assert key.date_of_birth is not None
            upn = normalise_upn(key.upn) if key.upn else ""
            name = (_name(key.forenames), _name(key.surname), key.date_of_birth)
            for pk, child_upn in by_name.get(name, []):
                # A child recorded with a different UPN is a different child for this rule.
                if not upn or child_upn in ("", upn):
                    chosen[key] = pk
                    break
        children: dict[int, Child] = {}
        for ids in _chunks(sorted(set(chosen.values()))):
            children.update((c.pk, c) for c in active.filter(pk__in=ids))
        found.update((key, children[pk]) for key, pk in chosen.items())
    return found


def open_cases_of(children: Iterable[Child]) -> dict[int, Case]:
    """child id -> that child's open case (at most one, by a database constraint)."""
    ids = sorted({c.pk for c in children})
    cases: dict[int, Case] = {}
    for chunk in _chunks(ids):
        for case in Case.objects.filter(child_id__in=chunk, status__in=OPEN_STATUSES):
            cases.setdefault(case.child_id, case)
    return cases
