"""Batch linkage on Splink's Spark backend, in local mode: `cmetrack link --engine spark`.

The same prepared columns (batch.read_prepared), the same model (splink_settings.settings with
scoring.prior_for of the larger file), the same threshold and best-only rule, and the same output
CSV (left_id,right_id,match_probability rounded to 6 places, sorted as DuckDB writes it) as
batch.link_files. Spark runs inside one JVM on this machine (`local[N]`) with a bounded driver
heap, its scratch files, checkpoints and logs kept in a temporary folder that is removed after.

pyspark is imported only here and only when called (requirements/spark.txt, `make bench-spark`),
so nothing else needs it or Java. docs/matching.md, "Splink on Spark, and the national scale".
"""

from __future__ import annotations

import csv
import importlib.util
import logging
import math
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .batch import LinkError, LinkResult, Progress, arrow_table, read_prepared
from .scoring import prior_for
from .splink_settings import settings

DEFAULT_DRIVER_MEMORY = "2g"
ROWS_PER_PARTITION = 250_000

# Only errors from Spark's JVM (log4j 2): its start-up chatter would bury the progress lines.
_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


class SparkUnavailable(LinkError):
    """pyspark or a Java runtime is missing; the message says how to install it."""


def spark_problem() -> str | None:
    """Why Spark cannot run here, or None if pyspark and a Java runtime are both present."""
    if importlib.util.find_spec("pyspark") is None:
        return (
            "pyspark is not installed: `make bench-spark` installs requirements/spark.txt into "
            ".venv (or: pip install --require-hashes -r requirements/spark.txt)."
        )
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (java_home and Path(java_home, "bin/java").exists()):
        return (
            "No Java runtime for Spark: install one (Debian: apt-get install -y "
            "default-jre-headless, Java 17)."
        )
    return None


def spark_memory(value: str | None) -> str:
    """A memory size for the JVM heap: '2g', '2GB', '1500MB', '1500m' -> '2g', '1500m'."""
    if not value:
        return DEFAULT_DRIVER_MEMORY
    found = re.fullmatch(r"\s*(\d+)\s*([kmgt])i?b?\s*", value, flags=re.IGNORECASE)
    if not found:
        raise LinkError(f"Not a memory size for Spark: {value!r} (e.g. 2g, 2GB, 1500MB).")
    return f"{found.group(1)}{found.group(2).lower()}"


@contextmanager
def local_spark(
    scratch: Path,
    *,
    cores: int = 2,
    driver_memory: str = DEFAULT_DRIVER_MEMORY,
    shuffle_partitions: int | None = None,
) -> Iterator[Any]:
    """A local SparkSession (`local[cores]`) with Splink's similarity UDF jar, a bounded driver
    heap and every file it writes under `scratch`; stopped on the way out. A session already
    running in this process is reused with its own memory and jar (Spark allows one per JVM).

    Shuffle partitions: Spark's default of 200 tiny tasks per shuffle costs more than the work on
    one machine; 2 per core unless told (link_files_spark gives more for large files)."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    log_config = scratch / "log4j2.properties"
    log_config.write_text(_LOG4J2, encoding="utf-8")
    for name in ("local", "warehouse", "checkpoints", "derby"):
        (scratch / name).mkdir(exist_ok=True)
    # The Python workers (none are needed by Splink's SQL, but Spark may start one) run this
    # interpreter, not whatever `python3` is first on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    java_options = (
        f"-Dlog4j.configurationFile=file:{log_config} -Dderby.system.home={scratch / 'derby'}"
    )
    partitions = shuffle_partitions or 2 * int(cores)
    spark = (
        SparkSession.builder.master(f"local[{int(cores)}]")
        .appName("cmetrack-link")
        .config("spark.driver.memory", driver_memory)
        .config("spark.driver.extraJavaOptions", java_options)
        .config("spark.jars", similarity_jar_location())
        .config("spark.local.dir", str(scratch / "local"))
        .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.default.parallelism", str(partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # The scoring stage's generated Java outgrows the JVM's 64 KB method limit (seven
        # comparisons of many levels): whole-stage code generation fails, logs a stack trace and
        # falls back anyway. Without it the same 2,000 x 21,000 run is 26 s instead of 36 s.
        .config("spark.sql.codegen.wholeStage", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    # py4j logs each connection at INFO, some from __del__ after logging has closed its streams.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    spark.sparkContext.setCheckpointDir(str(scratch / "checkpoints"))
    try:
        yield spark
    finally:
        spark.stop()


def _write_parquet(columns: dict[str, list[Any]], path: Path) -> None:
    import pyarrow.parquet as pq

    pq.write_table(arrow_table(columns), str(path))


def link_files_spark(
    left: Path,
    right: Path,
    out: Path,
    *,
    threshold: float = 0.5,
    progress: Progress = lambda message: None,
    cores: int | None = None,
    driver_memory: str | None = None,
    best_only: bool = False,
    shuffle_partitions: int | None = None,
) -> LinkResult:
    """batch.link_files on Spark (local mode): the same pairs and probabilities. cores is N of
    `local[N]` (default 2), driver_memory the JVM heap (default 2g; '2GB' is understood)."""
    if problem := spark_problem():
        raise SparkUnavailable(problem)
    started = time.perf_counter()

    def step(message: str) -> None:
        progress(f"[{time.perf_counter() - started:6.1f}s] {message}")

    memory = spark_memory(driver_memory)
    step(f"Reading {left.name}")
    left_cols = read_prepared(left)
    step(f"Reading {right.name}")
    right_cols = read_prepared(right)
    n_left, n_right = len(left_cols["unique_id"]), len(right_cols["unique_id"])
    step(f"Read {n_left:,} and {n_right:,} records")

    with tempfile.TemporaryDirectory(prefix="cmetrack-spark-") as tmp:
        scratch = Path(tmp)
        # Handed to Spark as Parquet (typed as for DuckDB, by batch.arrow_table): no pandas, and
        # the JVM reads the file itself rather than rows sent through the Python bridge.
        _write_parquet(left_cols, scratch / "left.parquet")
        _write_parquet(right_cols, scratch / "right.parquet")
        del left_cols, right_cols
        n_cores = cores or 2
        # 2 per core, or one per ROWS_PER_PARTITION input rows if that is more.
        partitions = shuffle_partitions or max(
            2 * n_cores, math.ceil((n_left + n_right) / ROWS_PER_PARTITION)
        )
        step(
            f"Starting Spark (local[{n_cores}], driver memory {memory}, "
            f"{partitions} shuffle partitions)"
        )
        with local_spark(
            scratch, cores=n_cores, driver_memory=memory, shuffle_partitions=partitions
        ) as spark:
            pairs = _predict_and_write(
                spark,
                scratch,
                out,
                prior=prior_for(max(n_left, n_right)),
                threshold=threshold,
                best_only=best_only,
                step=step,
            )
    seconds = time.perf_counter() - started
    step(f"Done: {pairs:,} pairs at or above {threshold} written to {out}")
    return LinkResult(n_left, n_right, pairs, seconds)


def _register_jaro_winkler(spark: Any) -> None:
    """Replace the Jaro-Winkler that SparkAPI registers from Splink's jar by the scorer's own
    (rapidfuzz, name_comparison.jaro_winkler), which DuckDB's jaro_winkler_similarity equals.

    The jar's version counts transpositions without rounding half of them down: Robizson and
    Robinson are 0.907 there, 0.921 in rapidfuzz and DuckDB, so across JW_HIGH (0.92), a typing
    error on DuckDB and only "somewhat similar" on Spark (1 pair lost and 1 probability 0.00018
    apart at 20,000 x 210,000). A Python UDF is slower, but the figures are the same."""
    from pyspark.sql.types import DoubleType

    def jaro_winkler(a: str | None, b: str | None) -> float | None:
        # Imported in the Spark worker; defined here so it is sent by value, needing only
        # rapidfuzz there (not Django or cmetrack).
        from rapidfuzz.distance import JaroWinkler

        if a is None or b is None:
            return None
        return float(JaroWinkler.similarity(a, b))

    spark.udf.register("jaro_winkler", jaro_winkler, DoubleType())


def _predict_and_write(
    spark: Any,
    scratch: Path,
    out: Path,
    *,
    prior: float,
    threshold: float,
    best_only: bool,
    step: Progress,
) -> int:
    from splink import Linker, SparkAPI

    db_api = SparkAPI(
        spark_session=spark,
        break_lineage_method="parquet",
        num_partitions_on_repartition=int(spark.conf.get("spark.sql.shuffle.partitions")),
    )
    _register_jaro_winkler(spark)
    left_df = db_api.register(
        spark.read.parquet(str(scratch / "left.parquet")), dataset_display_name="left_file"
    )
    right_df = db_api.register(
        spark.read.parquet(str(scratch / "right.parquet")), dataset_display_name="right_file"
    )
    linker = Linker([left_df, right_df], settings(prior), log_level=logging.WARNING)
    step("Blocking and scoring candidate pairs (Splink, Spark)")
    predictions = linker.inference.predict(
        threshold_match_probability=threshold, warning_mode="never"
    ).as_spark_dataframe()
    step("Writing pairs")
    ordered = output_pairs(predictions, threshold=threshold, best_only=best_only)
    out.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["left_id", "right_id", "match_probability"])
        # Partition by partition in sorted order: the driver never holds every pair at once.
        for row in ordered.toLocalIterator():
            writer.writerow([row["left_id"], row["right_id"], repr(float(row[2]))])
            written += 1
    return written


def output_pairs(predictions: Any, *, threshold: float, best_only: bool) -> Any:
    """Splink's predictions (a Spark DataFrame) as link_files writes them: left and right ids
    whichever side Splink put each file, the probability rounded to 6 places, at or above the
    threshold, with best_only each left record's highest (rounded) probability only (ties keep
    every pair), ordered by left id, most likely first, right id."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from_left = F.col("source_dataset_l") == F.lit("left_file")
    pairs = predictions.where(F.col("match_probability") >= F.lit(float(threshold))).select(
        F.when(from_left, F.col("unique_id_l")).otherwise(F.col("unique_id_r")).alias("left_id"),
        F.when(from_left, F.col("unique_id_r")).otherwise(F.col("unique_id_l")).alias("right_id"),
        F.round(F.col("match_probability"), 6).alias("match_probability"),
    )
    if best_only:
        best = F.max("match_probability").over(Window.partitionBy("left_id"))
        pairs = pairs.withColumn("best", best).where(F.col("match_probability") == F.col("best"))
        pairs = pairs.drop("best")
    return pairs.orderBy(
        F.col("left_id").asc(), F.col("match_probability").desc(), F.col("right_id").asc()
    )
