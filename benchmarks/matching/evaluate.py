"""Precision, recall and F1 of predicted pairs against the generator's truth."""

from __future__ import annotations

import csv
from pathlib import Path


def read_pairs(path: Path) -> set[tuple[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return {(row["left_id"], row["right_id"]) for row in csv.DictReader(handle)}


def report(
    predicted: set[tuple[str, str]], truth: set[tuple[str, str]], traps: set[tuple[str, str]]
) -> str:
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
