"""Precision, recall and F1 of predicted pairs against the generator's truth; blocking recall
(the share of true pairs that were candidates at all, before scoring); a breakdown by kind."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

Pair = tuple[str, str]


def read_pairs(path: Path) -> set[Pair]:
    with path.open(encoding="utf-8") as handle:
        return {(row["left_id"], row["right_id"]) for row in csv.DictReader(handle)}


def read_kinds(folder: Path) -> dict[str, str]:
    """kinds.csv (left_id -> '+'-joined kinds), or nothing if the folder has none."""
    path = folder / "kinds.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        return {row["left_id"]: row["kind"] for row in csv.DictReader(handle)}


def report(predicted: set[Pair], truth: set[Pair], traps: set[Pair]) -> str:
    tp = len(predicted & truth)
    fp = len(predicted - truth)
    fn = len(truth - predicted)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    trap_hits = len(predicted & traps)
    return (
        f"pairs predicted {len(predicted)}, true {len(truth)}; TP {tp} FP {fp} FN {fn}\n"
        f"precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}\n"
        f"twin/sibling traps matched: {trap_hits} of {len(traps)}"
    )


def blocking_report(candidate_true: int, truth: int, candidate_pairs: int | None = None) -> str:
    """How many true pairs were candidates at all (scoring can only lose more)."""
    share = candidate_true / truth if truth else 1.0
    pairs = f" among {candidate_pairs:,} candidate pairs" if candidate_pairs is not None else ""
    return (
        f"blocking recall {share:.4f}: {candidate_true} of {truth} true pairs are candidates{pairs}"
    )


def breakdown(
    predicted: set[Pair],
    truth: set[Pair],
    kinds: dict[str, str],
    referrals: Iterable[str],
    candidates: set[Pair] | None = None,
) -> str:
    """Per kind of referral (each noise kind counted on its own; a referral with two kinds of
    noise counts under both): how many, true pairs found/missed, of the missed how many were
    never candidates (if `candidates`, the true pairs that were), false pairs made."""
    true_of = dict(truth)
    wrong: Counter[str] = Counter()
    for lid, _rid in predicted - truth:
        wrong[lid] += 1
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for lid in referrals:
        for part in kinds.get(lid, "?").split("+"):
            row = rows[part]
            row[0] += 1
            if lid in true_of:
                pair = (lid, true_of[lid])
                if pair in predicted:
                    row[1] += 1
                else:
                    row[2] += 1
                    if candidates is not None and pair not in candidates:
                        row[3] += 1
            row[4] += wrong[lid]
    lines = [
        f"{'kind of referral':<20} {'referrals':>9} {'found':>6} {'missed':>6} "
        f"{'not cand.':>9} {'false':>6}"
    ]
    for kind, (n, found, missed, blocked, false) in sorted(rows.items(), key=lambda kv: -kv[1][0]):
        shown = str(blocked) if candidates is not None else "-"
        lines.append(f"{kind:<20} {n:>9} {found:>6} {missed:>6} {shown:>9} {false:>6}")
    return "\n".join(lines)
