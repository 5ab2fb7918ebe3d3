"""Writes for matching: blocking keys, "not the same child" decisions, and merging two records.

Keyword-only, one transaction each; decisions and merges are made as the acting officer
(`acting_as`) so django-auditlog records who did what.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models, transaction

from cmetrack.accounts.access import is_la_staff
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.children.models import (
    Address,
    Child,
    ChildFlag,
    Contact,
    FormerUpn,
    OtherName,
    Sex,
)
from cmetrack.children.services import child_version_bump
from cmetrack.core.upn import normalise_upn

from .keys import blocking_keys
from .merge_registry import merge_participant_for, merge_participants
from .models import ChildMatchKey, NonMatch


class MatchingError(Exception):
    """A decision or merge that cannot be made; the message is shown to the officer."""


def _require_team(by: User) -> None:
    if not is_la_staff(by):
        raise MatchingError("Only the local authority's CME team can merge or separate records.")


# --- blocking keys ----------------------------------------------------------------------------


def child_blocking_keys(child: Child) -> set[str]:
    """The keys a child is filed under (keys.py), from the record and its related rows."""
    if child.merged_into_id is not None:
        return set()
    return _keys_of(
        child,
        other_names=list(child.other_names.values_list("forenames", "surname")),
        postcodes=[
            p or raw
            for p, raw in child.addresses.values_list("postcode", "postcode_raw")
            if p or raw
        ],
        former=list(child.former_upns.values_list("upn", flat=True)),
    )


def _keys_of(
    child: Child, *, other_names: list[tuple[str, str]], postcodes: list[str], former: list[str]
) -> set[str]:
    return blocking_keys(
        forenames=[child.forenames, *(f for f, _ in other_names)],
        surnames=[child.surname, *(s for _, s in other_names)],
        date_of_birth=child.date_of_birth,
        upns=[child.upn, *former],
        postcodes=postcodes,
    )


@transaction.atomic
def match_keys_refresh(child: Child) -> None:
    """Bring the child's stored keys in line with the record (a tombstone has none).

    Derived data, not audited. Safe to run twice, and at the same time for the same child
    (the worst case is a duplicate key row, which finds the same child twice and is
    de-duplicated by the search)."""
    wanted = child_blocking_keys(child)
    stored = set(ChildMatchKey.objects.filter(child=child).values_list("key", flat=True))
    if stale := stored - wanted:
        ChildMatchKey.objects.filter(child=child, key__in=stale).delete()
    if new := wanted - stored:
        ChildMatchKey.objects.bulk_create([ChildMatchKey(child=child, key=k) for k in new])


def match_keys_refresh_many(children: Sequence[Child], *, chunk: int = 900) -> None:
    """`match_keys_refresh` for many children in a few queries per `chunk` (a bulk load, which
    sends no save signals: `children.signals.children_bulk_created`)."""
    for start in range(0, len(children), chunk):
        part = {c.pk: c for c in children[start : start + chunk]}
        other: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for child_id, forenames, surname in OtherName.objects.filter(child_id__in=part).values_list(
            "child_id", "forenames", "surname"
        ):
            other[child_id].append((forenames, surname))
        postcodes: dict[int, list[str]] = defaultdict(list)
        for child_id, postcode, raw in Address.objects.filter(child_id__in=part).values_list(
            "child_id", "postcode", "postcode_raw"
        ):
            if postcode or raw:
                postcodes[child_id].append(postcode or raw)
        former: dict[int, list[str]] = defaultdict(list)
        for child_id, upn in FormerUpn.objects.filter(child_id__in=part).values_list(
            "child_id", "upn"
        ):
            former[child_id].append(upn)
        stored: dict[int, set[str]] = defaultdict(set)
        for child_id, key in ChildMatchKey.objects.filter(child_id__in=part).values_list(
            "child_id", "key"
        ):
            stored[child_id].add(key)
        stale: list[tuple[int, set[str]]] = []
        new: list[ChildMatchKey] = []
        for pk, child in part.items():
            wanted = (
                set()
                if child.merged_into_id is not None
                else _keys_of(
                    child, other_names=other[pk], postcodes=postcodes[pk], former=former[pk]
                )
            )
            if gone := stored[pk] - wanted:
                stale.append((pk, gone))
            new.extend(ChildMatchKey(child_id=pk, key=k) for k in wanted - stored[pk])
        for pk, gone in stale:
            ChildMatchKey.objects.filter(child_id=pk, key__in=gone).delete()
        ChildMatchKey.objects.bulk_create(new, batch_size=1000)


def match_keys_rebuild(*, batch_size: int = 2000) -> int:
    """Recompute every child's keys (after bulk loads that bypassed the signals)."""
    done = 0
    ids = list(Child.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        with transaction.atomic():
            for child in Child.objects.filter(pk__in=chunk):
                match_keys_refresh(child)
        done += len(chunk)
    return done


# --- not the same child -----------------------------------------------------------------------


@transaction.atomic
def non_match_record(*, child_a: Child, child_b: Child, by: User, reason: str = "") -> NonMatch:
    """Remember that these are different children, so the pair is not suggested again."""
    _require_team(by)
    if child_a.pk == child_b.pk:
        raise MatchingError("A record cannot be recorded as different from itself.")
    low, high = NonMatch.ordered(child_a.pk, child_b.pk)
    with acting_as(by):
        decision, _created = NonMatch.objects.get_or_create(
            child_a_id=low,
            child_b_id=high,
            defaults={"decided_by": by, "reason": reason.strip()},
        )
    return decision


# --- merge ------------------------------------------------------------------------------------

# Fields an officer chooses between when both records hold different values.
MERGE_FIELDS: dict[str, str] = {
    "forenames": "Legal first name(s)",
    "surname": "Legal surname",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "upn": "UPN",
    "first_language": "First language",
    "ethnicity": "Ethnicity",
    "sen_status": "SEN status",
}
SOURCE, TARGET = "source", "target"

# Relations that are not the child's story and never move.
_NOT_MOVED = {ChildMatchKey, NonMatch}
# Labels for the children app's rows; apps above matching register theirs (merge_registry).
_LABELS: dict[type[models.Model], str] = {
    Address: "Addresses",
    OtherName: "Other names",
    FormerUpn: "Former UPNs",
    Contact: "Parents and carers",
    ChildFlag: "Vulnerability flags",
}


def _is_blank(name: str, value: Any) -> bool:
    if name == "sex":
        return value in ("", None, Sex.UNKNOWN)
    return value in ("", None)


def _display(child: Child, name: str) -> str:
    value = getattr(child, name)
    if _is_blank(name, value):
        return "Not recorded"
    if isinstance(value, date):
        return f"{value:%-d %B %Y}"
    if name in ("sex", "sen_status"):
        return str(getattr(child, f"get_{name}_display")())
    return str(value)


@dataclass(frozen=True)
class FieldConflict:
    name: str
    label: str
    source_value: str
    target_value: str


@dataclass(frozen=True)
class MovingGroup:
    label: str
    items: list[str]


@dataclass(frozen=True)
class MergePreview:
    source: Child
    target: Child
    moves: list[MovingGroup]
    conflicts: list[FieldConflict]
    filled: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    blocker: str = ""

    @property
    def can_merge(self) -> bool:
        return not self.blocker


def _relations() -> list[tuple[type[models.Model], str]]:
    """Every model with a foreign key to Child (hidden ones too), found rather than listed, so
    records added by later work (referrals, returns) move with the child without a change here.
    """
    found: list[tuple[type[models.Model], str]] = []
    for rel in Child._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        model = rel.related_model
        if model is Child or model in _NOT_MOVED or not isinstance(model, type):
            continue
        found.append((model, rel.field.name))  # type: ignore[union-attr]
    return found


def _label(model: type[models.Model]) -> str:
    participant = merge_participant_for(model)
    if participant is not None:
        return participant.label
    return _LABELS.get(model, str(model._meta.verbose_name_plural).capitalize())


def _describe(obj: models.Model) -> str:
    participant = merge_participant_for(type(obj))
    if participant is not None:
        return participant.describe(obj)
    if isinstance(obj, ChildFlag):
        state = "removed" if obj.removed_at else "active"
        return f"{obj.flag_type.label} ({state})"
    if isinstance(obj, OtherName):
        return f"{obj} ({obj.get_kind_display().lower()})"
    return str(obj)


def _stays_behind(obj: models.Model, target: Child) -> bool:
    """Rows the target already has an equivalent of: they stay with the tombstone."""
    if isinstance(obj, FormerUpn):
        return obj.upn == target.upn or target.former_upns.filter(upn=obj.upn).exists()
    if isinstance(obj, ChildFlag) and obj.removed_at is None:
        return target.flags.filter(flag_type=obj.flag_type_id, removed_at__isnull=True).exists()
    return False


def child_merge_preview(*, source: Child, target: Child) -> MergePreview:
    """What merging `source` into `target` would do: rows that move, fields to choose, and
    anything that stops the merge. Reads only."""
    moves: list[MovingGroup] = []
    kept: list[str] = []
    for model, fk in _relations():
        items: list[str] = []
        for obj in model._default_manager.filter(**{fk: source}):
            if _stays_behind(obj, target):
                kept.append(f"{_describe(obj)}: already on the record you keep")
            else:
                items.append(_describe(obj))
        if items:
            moves.append(MovingGroup(_label(model), items))
    upn_s, upn_t = normalise_upn(source.upn), normalise_upn(target.upn)
    conflicts: list[FieldConflict] = []
    filled: list[str] = []
    for name, label in MERGE_FIELDS.items():
        s_value, t_value = getattr(source, name), getattr(target, name)
        if _is_blank(name, s_value) or s_value == t_value:
            continue
        if _is_blank(name, t_value):
            filled.append(f"{label}: {_display(source, name)} (only the other record had it)")
        else:
            conflicts.append(
                FieldConflict(name, label, _display(source, name), _display(target, name))
            )
    if upn_s and upn_t and upn_s != upn_t:
        filled.append(f"The UPN you do not keep is recorded as a former UPN ({upn_s}, {upn_t})")
    blocker = ""
    if source.pk == target.pk:
        blocker = "These are the same record."
    elif source.merged_into_id or target.merged_into_id:
        blocker = "One of these records has already been merged into another."
    else:
        for participant in merge_participants():
            if blocker := participant.blocker(source, target):
                break
    return MergePreview(
        source=source,
        target=target,
        moves=moves,
        conflicts=conflicts,
        filled=filled,
        kept=kept,
        blocker=blocker,
    )


def _summary(preview: MergePreview) -> str:
    source = preview.source
    born = f", born {source.date_of_birth:%-d %B %Y}" if source.date_of_birth else ""
    moved = "; ".join(f"{g.label.lower()}: {', '.join(g.items)}" for g in preview.moves)
    return f"Merged the duplicate record of {source.full_name}{born} into this child's record." + (
        f" Moved here: {moved}." if moved else ""
    )


@transaction.atomic
def child_merge(*, source: Child, target: Child, choices: dict[str, str], by: User) -> Child:
    """Merge `source` into `target`: the target keeps the officer's choice for each conflicting
    field, takes every related row of the source, and the source stays as a tombstone
    (`merged_into`) whose pages redirect to the target. One transaction; both rows locked."""
    _require_team(by)
    locked = {
        c.pk: c
        for c in Child.objects.select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    if source.pk not in locked or target.pk not in locked:
        raise MatchingError("One of these records no longer exists.")
    source, target = locked[source.pk], locked[target.pk]
    preview = child_merge_preview(source=source, target=target)
    if preview.blocker:
        raise MatchingError(preview.blocker)
    missing = [c.label for c in preview.conflicts if choices.get(c.name) not in (SOURCE, TARGET)]
    if missing:
        raise MatchingError("Choose which value to keep for: " + ", ".join(missing))

    old_upns = {normalise_upn(source.upn), normalise_upn(target.upn)} - {""}
    old_name = (source.forenames, source.surname)
    with acting_as(by):
        changed: list[str] = []
        for name in MERGE_FIELDS:
            s_value, t_value = getattr(source, name), getattr(target, name)
            take_source = (_is_blank(name, t_value) and not _is_blank(name, s_value)) or (
                choices.get(name) == SOURCE
            )
            if take_source and s_value != t_value:
                setattr(target, name, s_value)
                changed.append(name)
        if changed:
            target.save(update_fields=[*changed, "updated_at"])

        for model, fk in _relations():
            for obj in model._default_manager.filter(**{fk: source}):
                if _stays_behind(obj, target):
                    continue
                setattr(obj, fk, target)
                obj.save(update_fields=[fk])

        # The UPN not kept, and the name not kept, stay searchable on the kept record.
        for upn in sorted(old_upns - {normalise_upn(target.upn)}):
            FormerUpn.objects.get_or_create(child=target, upn=upn)
        if (old_name[0].casefold(), old_name[1].casefold()) != (
            target.forenames.casefold(),
            target.surname.casefold(),
        ) and not target.other_names.filter(
            forenames__iexact=old_name[0], surname__iexact=old_name[1]
        ).exists():
            OtherName.objects.create(
                child=target,
                kind=OtherName.Kind.SPELLING,
                forenames=old_name[0],
                surname=old_name[1],
            )

        _move_decisions(source=source, target=target)
        source.merged_into = target
        source.save(update_fields=["merged_into", "updated_at"])
        # Both records changed: a form opened on either before the merge is now stale.
        child_version_bump(source)
        child_version_bump(target)
    match_keys_refresh(source)
    match_keys_refresh(target)
    for participant in merge_participants():
        participant.merged(target, _summary(preview), by)
    target.refresh_from_db()
    return target


def _move_decisions(*, source: Child, target: Child) -> None:
    """ "Not the same child" decisions about the source now hold for the target."""
    for decision in NonMatch.objects.filter(models.Q(child_a=source) | models.Q(child_b=source)):
        other = decision.child_b_id if decision.child_a_id == source.pk else decision.child_a_id
        if other != target.pk:
            low, high = NonMatch.ordered(target.pk, other)
            NonMatch.objects.get_or_create(
                child_a_id=low,
                child_b_id=high,
                defaults={"decided_by": decision.decided_by, "reason": decision.reason},
            )
        decision.delete()
