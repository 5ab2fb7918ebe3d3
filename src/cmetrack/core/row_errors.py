"""One problem with one row of an uploaded file, as every importer reports it. Pure: no ORM.

The GIAS schools extract, the term-dates file and the schools' deletion / new-pupil returns all
collect row problems as data instead of raising, so an officer sees every problem at once and
fixes the file in one go (ARCHITECTURE.md, "Imports are two-phase"). They share this one shape:

- `row` is the row number a spreadsheet shows: the header is row 1, the first data row 2, and
  skipped blank lines still count, so the number finds the row when the file is opened to fix it;
- `field` is the column (as the file names it, or the field it feeds), or a pseudo-field an
  importer documents for a problem with the row or the file as a whole ("(row)", "header",
  "file");
- `message` says what is wrong, written to follow the field: "must be 6 digits, found '12345'".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"
