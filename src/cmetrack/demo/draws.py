"""Random draws the demo makes again and again. Pure: no Django."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def weighted(rng: random.Random, weights: dict[T, float] | dict[T, int]) -> T:
    keys = list(weights)
    return rng.choices(keys, weights=[float(weights[k]) for k in keys])[0]


def covering_list(
    rng: random.Random, items: Sequence[T], weights: Sequence[float], n: int
) -> list[T]:
    """n draws in which every item appears at least once (when n allows), in shuffled order."""
    head = list(items)
    rng.shuffle(head)
    head = head[:n]
    tail = rng.choices(list(items), weights=list(weights), k=max(0, n - len(head)))
    result = head + tail
    rng.shuffle(result)
    return result
