"""Batch linkage of two CSV files on Splink (DuckDB backend): `cmetrack link`.

Input header: id,first_name,last_name,date_of_birth,sex,postcode,upn (ISO dates, blanks
allowed). Output: left_id,right_id,match_probability for every candidate pair at or above the
threshold. The model is splink_settings.settings(); docs/matching.md shows the Spark run.
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .scoring import prior_for
from .splink_settings import INPUT_COLUMNS, prepare_row, settings

Progress = Callable[[str], None]

_COLUMN_TYPES = {
    "unique_id": "VARCHAR",
    "first_name": "VARCHAR",
    "name_related": "VARCHAR[]",
    "first_name_known": "BOOLEAN",
    "first_name_code": "VARCHAR",
    "surname": "VARCHAR",
    "surname_parts": "VARCHAR[]",
    "surname_first": "VARCHAR",
    "surname_last": "VARCHAR",
    "surname_code": "VARCHAR",
    "surname_codes": "VARCHAR[]",
    "dob": "VARCHAR",
    "dob_t": "VARCHAR",
    "dob_next": "VARCHAR",
    "birth_year": "INTEGER",
    "postcode": "VARCHAR",
    "outward": "VARCHAR",
    "sex": "VARCHAR",
    "upn": "VARCHAR",
}


class LinkError(Exception):
    """A file that cannot be linked; the message says why."""


@dataclass(frozen=True)
class LinkResult:
    left_rows: int
    right_rows: int
    pairs_written: int
    seconds: float


def read_prepared(path: Path) -> dict[str, list[Any]]:
    """Read a CSV in the agreed layout into model columns (column-wise, for Arrow)."""
    columns: dict[str, list[Any]] = {name: [] for name in _COLUMN_TYPES}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in INPUT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise LinkError(f"{path.name}: missing column(s) {', '.join(missing)}")
        for row in reader:
            prepared = prepare_row(row)
            if not prepared["unique_id"]:
                continue
            for name, value in prepared.items():
                columns[name].append(value)
    return columns


def arrow_table(columns: dict[str, list[Any]]) -> Any:
    """The prepared columns as an Arrow table, typed for the model."""
    import pyarrow as pa

    types = {
        "VARCHAR": pa.string(),
        "VARCHAR[]": pa.list_(pa.string()),
        "INTEGER": pa.int32(),
        "BOOLEAN": pa.bool_(),
    }
    return pa.table(
        {
            name: pa.array(values, type=types[_COLUMN_TYPES[name]])
            for name, values in columns.items()
        }
    )


def link_files(
    left: Path,
    right: Path,
    out: Path,
    *,
    threshold: float = 0.5,
    progress: Progress = lambda message: None,
    threads: int | None = None,
    memory_limit: str | None = None,
    best_only: bool = False,
) -> LinkResult:
    """With best_only, each left record keeps only its most likely right record (a roll lists
    each child once, so a referral is at most one of its children); ties keep every pair."""
    import duckdb
    from splink import DuckDBAPI, Linker

    started = time.perf_counter()

    def step(message: str) -> None:
        progress(f"[{time.perf_counter() - started:6.1f}s] {message}")

    step(f"Reading {left.name}")
    left_cols = read_prepared(left)
    step(f"Reading {right.name}")
    right_cols = read_prepared(right)
    n_left, n_right = len(left_cols["unique_id"]), len(right_cols["unique_id"])
    step(f"Read {n_left:,} and {n_right:,} records")

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute("SET memory_limit = ?", [memory_limit])
    db_api = DuckDBAPI(connection=con)
    left_df = db_api.register(arrow_table(left_cols), dataset_display_name="left_file")
    right_df = db_api.register(arrow_table(right_cols), dataset_display_name="right_file")
    del left_cols, right_cols

    # One in the size of the larger file (as the online search: one in the children searched).
    prior = prior_for(max(n_left, n_right))
    linker = Linker([left_df, right_df], settings(prior), log_level=logging.WARNING)
    step("Blocking and scoring candidate pairs (Splink, DuckDB)")
    predictions = linker.inference.predict(
        threshold_match_probability=threshold, warning_mode="never"
    )
    step("Writing pairs")
    con.execute(
        f"""
        CREATE TEMP TABLE cmetrack_pairs AS
        SELECT
          CASE WHEN source_dataset_l = 'left_file' THEN unique_id_l ELSE unique_id_r END
            AS left_id,
          CASE WHEN source_dataset_l = 'left_file' THEN unique_id_r ELSE unique_id_l END
            AS right_id,
          round(match_probability, 6) AS match_probability
        FROM {predictions.physical_name}
        WHERE match_probability >= ?
        ORDER BY left_id, match_probability DESC, right_id
        """,  # noqa: S608 (the table name is Splink's own) # nosec B608
        [float(threshold)],
    )
    if best_only:
        con.execute(
            """
            DELETE FROM cmetrack_pairs p WHERE match_probability < (
              SELECT max(b.match_probability) FROM cmetrack_pairs b WHERE b.left_id = p.left_id
            )
            """
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    con.table("cmetrack_pairs").write_csv(str(out), header=True)
    row = con.execute("SELECT count(*) FROM cmetrack_pairs").fetchall()
    pairs = int(row[0][0]) if row else 0
    con.close()
    seconds = time.perf_counter() - started
    step(f"Done: {pairs:,} pairs at or above {threshold} written to {out}")
    return LinkResult(n_left, n_right, pairs, seconds)
