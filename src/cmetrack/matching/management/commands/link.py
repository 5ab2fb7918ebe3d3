"""`cmetrack link LEFT.csv RIGHT.csv --out PAIRS.csv [--threshold P] [--engine duckdb|spark]`
(batch linkage, Splink). Spark (local mode) needs requirements/spark.txt and a Java runtime."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cmetrack.matching.batch import LinkError, LinkResult, link_files


class Command(BaseCommand):
    help = (
        "Link two CSV files (id,first_name,last_name,date_of_birth,sex,postcode,upn) and write "
        "left_id,right_id,match_probability for every pair at or above the threshold."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("left", type=Path)
        parser.add_argument("right", type=Path)
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--threshold", type=float, default=0.5)
        parser.add_argument(
            "--engine",
            choices=["duckdb", "spark"],
            default="duckdb",
            help="Splink backend: duckdb (default) or spark (local mode; needs pyspark from "
            "requirements/spark.txt and a Java runtime)",
        )
        parser.add_argument(
            "--threads", type=int, default=None, help="DuckDB threads, or Spark's local[N] cores"
        )
        parser.add_argument(
            "--memory-limit",
            default=None,
            help="DuckDB memory limit, e.g. 1GB; with --engine spark the driver heap (default 2g)",
        )
        parser.add_argument(
            "--best-only",
            action="store_true",
            help="keep only each left record's most likely right record (right file lists each "
            "child once, as a school roll does)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        threshold = options["threshold"]
        if not 0.0 <= threshold <= 1.0:
            raise CommandError("--threshold must be a probability between 0 and 1.")
        for path in (options["left"], options["right"]):
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        try:
            if options["engine"] == "spark":
                result = self._link_on_spark(threshold, options)
            else:
                result = link_files(
                    options["left"],
                    options["right"],
                    options["out"],
                    threshold=threshold,
                    progress=lambda message: self.stderr.write(message),
                    threads=options["threads"],
                    memory_limit=options["memory_limit"],
                    best_only=options["best_only"],
                )
        except LinkError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.pairs_written} pairs written to {options['out']} "
                f"({result.left_rows} x {result.right_rows} records, {result.seconds:.1f}s)."
            )
        )

    def _link_on_spark(self, threshold: float, options: dict[str, Any]) -> LinkResult:
        # Imported here: batch_spark imports pyspark only when it runs, but keep the DuckDB path
        # free of it altogether.
        from cmetrack.matching.batch_spark import link_files_spark, spark_problem

        if problem := spark_problem():
            raise CommandError(f"--engine spark: {problem}")
        return link_files_spark(
            options["left"],
            options["right"],
            options["out"],
            threshold=threshold,
            progress=lambda message: self.stderr.write(message),
            cores=options["threads"],
            driver_memory=options["memory_limit"],
            best_only=options["best_only"],
        )
