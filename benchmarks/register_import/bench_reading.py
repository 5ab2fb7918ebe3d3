"""Time the register-migration reading layer on synthetic messy registers (printed figures,
not a test).

    python benchmarks/register_import/bench_reading.py [--repeat N]

For 2,000 and 20,000 rows, CSV and XLSX: generates the register (`register_import.testing`),
then times each step of reading it, best of N: `read_sheet` (bytes to text cells),
`guess_mapping` + `distinct_values` + `suggest_codes` (the mapping steps) and `read_rows`
(every row checked), and prints rows per second for each and for the whole. No database: Django
is set up (cmetrack.settings.test unless DJANGO_SETTINGS_MODULE says otherwise) only for the
enums the code lists come from.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TypeVar

import django

T = TypeVar("T")
TODAY = date(2026, 1, 15)


def _best(repeat: int, work: Callable[[], T]) -> tuple[float, T]:
    timings = []
    for _ in range(repeat):
        begin = time.perf_counter()
        result = work()
        timings.append(time.perf_counter() - begin)
    return min(timings), result


def _measure(size: int, fmt: str, repeat: int) -> str:
    from cmetrack.register_import import reading
    from cmetrack.register_import.rows import CodeMapping, ColumnMapping
    from cmetrack.register_import.testing import DEFAULTS, messy_register, register_choices

    choices = register_choices()
    data, _ = messy_register(size, seed=1, fmt=fmt, today=TODAY)
    sheet_s, sheet = _best(repeat, partial(reading.read_sheet, data, f"register.{fmt}"))

    def mapping_steps() -> tuple[ColumnMapping, CodeMapping]:
        mapping = reading.guess_mapping(sheet.header)
        codes = {
            field: reading.suggest_codes(field, [key for key, _ in values], choices[field])
            for field, values in reading.distinct_values(sheet, mapping).items()
        }
        return mapping, codes

    map_s, (mapping, codes) = _best(repeat, mapping_steps)
    rows_s, (_, errors, _) = _best(
        repeat, partial(reading.read_rows, sheet, mapping, codes, today=TODAY, defaults=DEFAULTS)
    )
    total = sheet_s + map_s + rows_s
    return (
        f"{size:>6} {fmt:>4} {len(data) / 1e6:>5.1f} {size / sheet_s:>9,.0f} "
        f"{size / map_s:>10,.0f} {size / rows_s:>9,.0f} {size / total:>9,.0f} {len(errors):>6}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmetrack.settings.test")
    django.setup()
    print(
        f"{'rows':>6} {'fmt':>4} {'MB':>5} {'sheet/s':>9} {'mapping/s':>10} {'rows/s':>9} "
        f"{'total/s':>9} {'errors':>6}"
    )
    for size in (2_000, 20_000):
        for fmt in ("csv", "xlsx"):
            print(_measure(size, fmt, args.repeat))


if __name__ == "__main__":
    main()
