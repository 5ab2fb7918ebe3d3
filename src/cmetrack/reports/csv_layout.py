"""The return as CSV: one layout for the page's download and `cmetrack statutory-return`.

One row per figure: section key, section, breakdown, DfE code, category, count. Exact counts:
the DfE rounds them when it publishes (DOMAIN.md §7).
"""

import csv
from typing import Protocol

from .selectors import StatutoryReturn

HEADER = ["section_key", "section", "breakdown", "dfe_code", "category", "count"]


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def write_return(report: StatutoryReturn, out: Writable) -> int:
    """Write `report` to `out`; the number of figure rows written."""
    writer = csv.writer(out)
    writer.writerow(HEADER)
    written = 0
    for section in report.sections:
        writer.writerow([section.key, section.title, "Total", "", "all children", section.total])
        for breakdown in section.breakdowns:
            for row in breakdown.rows:
                writer.writerow(
                    [
                        section.key,
                        section.title,
                        breakdown.title,
                        row.dfe_code,
                        row.label,
                        row.count,
                    ]
                )
                written += 1
    return written
