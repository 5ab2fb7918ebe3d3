"""What apps above matching contribute when two children's records are merged.

Matching sits below cases (and intake) and imports neither, yet a merge moves their records and
must keep their rules. The rows themselves move without any help: every model with a foreign
key to Child is found from the model graph and repointed (services._relations). What only the
owning app knows is registered here, in its AppConfig.ready(), one participant per model: how
its rows read in the preview, what stops a merge, and what to write once the merge is done.
An app that registers nothing still has its rows moved, listed under their verbose name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from cmetrack.accounts.models import User
    from cmetrack.children.models import Child


def _no_blocker(source: Child, target: Child) -> str:
    return ""


def _nothing_to_do(target: Child, summary: str, by: User) -> None:
    return None


@dataclass(frozen=True)
class MergeParticipant:
    # Rows of this model that point at the child being merged away.
    model: type[models.Model]
    # Their heading in the preview, e.g. "Cases".
    label: str
    # One row as the preview and the summary list it.
    describe: Callable[[Any], str] = str
    # (source, target) -> why the two records cannot be merged as they stand, or "".
    blocker: Callable[[Child, Child], str] = _no_blocker
    # (kept child, summary of the merge, officer): run last, inside the merge's transaction.
    merged: Callable[[Child, str, User], None] = _nothing_to_do


_participants: dict[type[models.Model], MergeParticipant] = {}


def merge_participant_register(participant: MergeParticipant) -> None:
    """Called from an AppConfig.ready(); registering the same model again replaces its entry."""
    _participants[participant.model] = participant


def merge_participant_for(model: type[models.Model]) -> MergeParticipant | None:
    return _participants.get(model)


def merge_participants() -> list[MergeParticipant]:
    """In registration order (the order of INSTALLED_APPS)."""
    return list(_participants.values())
