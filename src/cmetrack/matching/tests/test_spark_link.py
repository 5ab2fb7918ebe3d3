"""`cmetrack link --engine spark`: the same Splink model on Spark (local mode) links the same
generated files with the same pairs and probabilities as DuckDB. Needs pyspark
(requirements/spark.txt, `make bench-spark`) and a Java runtime; skipped without them, so
`make test` does not need them (CI runs this file on its own after installing both: .ci/run)."""

from __future__ import annotations

import csv
import importlib.util
import os
import shutil
import sys
from io import StringIO
from pathlib import Path
from types import ModuleType

import pytest
from django.core.management import CommandError, call_command

from cmetrack.matching import batch_spark
from cmetrack.matching.batch import link_files

REPO = Path(__file__).resolve().parents[4]
Pairs = dict[tuple[str, str], float]


@pytest.fixture
def spark_ready() -> None:
    """Skip without pyspark or Java; in CI (CMETRACK_REQUIRE_SPARK=1) a failure instead."""
    if os.environ.get("CMETRACK_REQUIRE_SPARK") == "1":
        importlib.import_module("pyspark")  # a missing pyspark fails here, not a skip
        assert batch_spark.spark_problem() is None, batch_spark.spark_problem()
    pytest.importorskip(
        "pyspark", reason="pyspark is not installed (requirements/spark.txt: make bench-spark)"
    )
    if shutil.which("java") is None:
        pytest.skip("no Java runtime (Debian: apt-get install default-jre-headless)")


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "cmetrack_bench_generate", REPO / "benchmarks" / "matching" / "generate.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small roll and referrals from the benchmark's generator: every kind of noise, twins,
    siblings and children on no roll (seed 14, as the benchmarks)."""
    folder = tmp_path_factory.mktemp("spark-link")
    generate = _generator()
    roll, left, truth, traps, kinds = generate.generate(1200, 200, 14)
    generate.write(folder, roll, left, truth, traps, kinds)
    return folder


def _read(path: Path) -> Pairs:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert not rows or list(rows[0]) == ["left_id", "right_id", "match_probability"]
    return {(r["left_id"], r["right_id"]): float(r["match_probability"]) for r in rows}


def _assert_same(duckdb: Pairs, spark: Pairs) -> None:
    assert duckdb, "the files should give some pairs"
    assert set(spark) == set(duckdb)
    worst = max(abs(duckdb[pair] - spark[pair]) for pair in duckdb)
    assert worst <= 1e-6, f"probabilities differ by up to {worst}"


@pytest.mark.usefixtures("spark_ready")
def test_spark_gives_the_duckdb_pairs_and_probabilities(files: Path, tmp_path: Path) -> None:
    """A low threshold, so pairs at many levels of every comparison are compared (not only
    certain matches), through the command as an officer runs it."""
    left, right = files / "referrals.csv", files / "roll.csv"
    link_files(left, right, tmp_path / "duckdb.csv", threshold=0.0001, threads=2)
    err = StringIO()
    call_command(
        "link",
        str(left),
        str(right),
        "--out",
        str(tmp_path / "spark.csv"),
        "--engine",
        "spark",
        "--threshold",
        "0.0001",
        "--threads",
        "2",
        "--memory-limit",
        "1GB",
        stdout=StringIO(),
        stderr=err,
    )
    assert "Splink, Spark" in err.getvalue()
    duckdb, spark = _read(tmp_path / "duckdb.csv"), _read(tmp_path / "spark.csv")
    _assert_same(duckdb, spark)
    assert any(p < 0.5 for p in duckdb.values()) and any(p >= 0.99 for p in duckdb.values())
    # The same order as DuckDB writes (left id, most likely first, right id).
    assert list(spark) == list(duckdb)


@pytest.mark.usefixtures("spark_ready")
def test_best_only_and_sides_on_spark_as_on_duckdb(tmp_path: Path) -> None:
    """link_files' best-only rule (each left record's highest rounded probability, ties kept)
    and its left/right sides, on a frame shaped like Splink's predictions (no model run)."""
    rows = [
        ("left_file", "L1", "right_file", "R1", 0.9000004),
        ("left_file", "L1", "right_file", "R2", 0.9000001),  # rounds to the same: a tie
        ("right_file", "R3", "left_file", "L1", 0.7),  # Splink put the right file first
        ("right_file", "R4", "left_file", "L2", 0.6),
        ("left_file", "L2", "right_file", "R5", 0.4),  # under the threshold
    ]
    with batch_spark.local_spark(tmp_path, cores=1, driver_memory="1g") as spark:
        frame = spark.createDataFrame(
            rows,
            "source_dataset_l string, unique_id_l string, source_dataset_r string, "
            "unique_id_r string, match_probability double",
        )

        def pairs(best_only: bool) -> list[tuple[str, str, float]]:
            out = batch_spark.output_pairs(frame, threshold=0.5, best_only=best_only)
            return [(r["left_id"], r["right_id"], r["match_probability"]) for r in out.collect()]

        assert pairs(False) == [
            ("L1", "R1", 0.9),
            ("L1", "R2", 0.9),
            ("L1", "R3", 0.7),
            ("L2", "R4", 0.6),
        ]
        assert pairs(True) == [("L1", "R1", 0.9), ("L1", "R2", 0.9), ("L2", "R4", 0.6)]


def test_spark_engine_without_pyspark_or_java_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.csv").write_text("id\n", encoding="utf-8")
    monkeypatch.setattr(batch_spark, "spark_problem", lambda: "pyspark is not installed: ...")
    with pytest.raises(CommandError, match="--engine spark: pyspark is not installed"):
        call_command(
            "link",
            str(tmp_path / "a.csv"),
            str(tmp_path / "a.csv"),
            "--out",
            "x.csv",
            "--engine",
            "spark",
        )


def test_spark_memory_sizes() -> None:
    assert batch_spark.spark_memory(None) == batch_spark.DEFAULT_DRIVER_MEMORY
    assert batch_spark.spark_memory("2GB") == "2g"
    assert batch_spark.spark_memory("1500mb") == "1500m"
    with pytest.raises(batch_spark.LinkError, match="Not a memory size"):
        batch_spark.spark_memory("lots")
