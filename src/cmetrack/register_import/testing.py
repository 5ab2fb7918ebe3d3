"""A synthetic CME register, messy the way councils' spreadsheets are, with the truth about it.

`messy_register` writes a CSV or XLSX register (a title row above the header, one merged name
column in mixed forms, dates in several formats, free-text reasons, statuses and outcomes, blank
cells, stray whitespace, dated multi-line history notes) and returns, for every data row, what
reading it must give (`Truth`). A few rows are deliberately bad and must become row errors; a
few carry a bad UPN, which must be dropped with a warning; some children appear twice, a closed
case and then a later open one. Everything is fixed by the seed and `today`.

For tests and the benchmark only: the coded phrasings here are the ones the code-mapping step is
expected to suggest a code for (or, for "unsure", to leave to the officer, so the row takes
DEFAULTS).
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cmetrack.core.upn import upn_check_letter

from .rows import Choice, RegisterField

F = RegisterField

# What the officer picks for "no value" in the test pipeline (and the benchmark).
DEFAULTS: dict[RegisterField, str] = {
    F.REASON: "other",
    F.REFERRAL_SOURCE: "other",
    F.STATUS: "referred",
    F.RISK: "medium",
}

HEADER = (
    "Ref",
    "Child's name",
    "D.O.B",
    "Gender",
    "UPN",
    "Address",
    "Postcode",
    "Parent/carer",
    "Date referred",
    "Source of referral",
    "Reason for referral",
    "Case status",
    "Outcome",
    "Date closed",
    "Last known school",
    "Case notes",
)

FORENAMES = (
    "John", "Mary-Jane", "Aisha", "Oliver", "Zofia", "Mohammed", "Chloe", "Jack", "Amelia",
    "Kacper", "Siobhan", "Tyler", "Ruby", "Ioana", "Harry", "Nia", "Bartosz", "Grace", "Leo",
    "Precious", "Dylan", "Freya", "Ali", "Jessica", "Kai", "Eilidh", "Noah", "Maja", "Ellis",
)  # fmt: skip
MIDDLE_NAMES = ("Anne", "James", "Louise", "Ahmed", "Marie", "Lee")
SURNAMES = (
    "Smith", "O'Neil", "Jones", "Kowalski", "Patel", "Williams", "Brown", "Taylor-Reid",
    "Khan", "Evans", "Nowak", "Davies", "Popescu", "Wilson", "Hughes", "D'Souza", "Walker",
    "Roberts", "Ahmed", "Lewis", "Murphy", "Thompson", "Green", "Hall", "Wood", "Clarke",
)  # fmt: skip

# Free text as officers typed it -> the code the code-mapping step must give ("" = unsure:
# the officer decides, and in the test pipeline the row takes DEFAULTS).
REASONS: tuple[tuple[str, str], ...] = (
    ("moved to Spain?", "moved-abroad-believed"),
    ("Left - gone abroad", "moved-abroad-believed"),
    ("gone abroad", "moved-abroad-believed"),
    ("Moved abraod", "moved-abroad-believed"),
    ("Believed to have moved out of the country", "moved-abroad-believed"),
    ("EHE", "ehe-unsuitable"),
    ("ehe - unsuitable", "ehe-unsuitable"),
    ("Removed from roll - not attending", ""),
    ("unknown", ""),
    ("Whereabouts unknown", "whereabouts-unknown"),
    ("whereabouts unkown", "whereabouts-unknown"),
    ("Excluded", "excluded"),
    ("exluded", "excluded"),
    ("Never started school", "never-started"),
    ("Awaiting school place", "awaiting-place"),
    ("Moved into area - no school place", "no-place-after-move"),
    ("Family breakdown", "family-breakdown"),
    ("Missing child", "runaway-or-missing"),
    ("Other", "other"),
)
SOURCES: tuple[tuple[str, str], ...] = (
    ("School", "school"),
    ("school", "school"),
    ("Social care", "social_care"),
    ("CSC", "social_care"),
    ("Health visitor", "health"),
    ("Police", "police"),
    ("Housing", "housing"),
    ("Admissions", "admissions"),
    ("Other LA", "other_la"),
    ("Parent", "parent"),
    ("", ""),
)
OPEN_STATUSES: tuple[tuple[str, str], ...] = (
    ("Open", "enquiries"),
    ("open - enquiries", "enquiries"),
    ("Enquiries ongoing", "enquiries"),
    ("New", "referred"),
    ("Referred", "referred"),
    ("Located", "located"),
    ("Placed - monitoring", "placed"),
    ("Untraced", "untraced"),
    ("Transferred to other LA", "transferred"),
)
CLOSED_STATUSES = ("Closed", "CLOSED", "closed ", "Complete")
OUTCOMES: tuple[tuple[str, str], ...] = (
    ("Back in school", "on_roll_here"),
    ("On roll - this LA", "on_roll_here"),
    ("Moved abroad", "moved_abroad"),
    ("gone abroad", "moved_abroad"),
    ("EHE", "home_education"),
    ("Home educated", "home_education"),
    ("On roll in another LA", "on_roll_elsewhere"),
    ("Handed to other LA", "handed_to_la"),
    ("Over age", "over_age"),
    ("Duplicate", "duplicate"),
    ("Not CME", "not_cme"),
)

_NOTE_TEXTS = (
    "Home visit, no answer. Card left.",
    "Called school: last attended two weeks ago.",
    "Checked with health: registered with GP.",
    "Letter sent to last known address.",
    "Spoke to mum, says family moving.",
    "Email to admissions re place.",
)

# What may go wrong on purpose, and how often (per 1,000 rows).
BAD_KINDS = ("no_name", "nothing_to_find_by", "impossible_date", "future_referral")
_BAD_PER_MILLE = 30
_BAD_UPN_PER_MILLE = 15
_REPEAT_PER_MILLE = 40


@dataclass(frozen=True)
class Truth:
    """What reading one data row must give. `error` rows must produce a row error (and no
    RegisterRow); the rest exactly these values. `kind` says what the row is, for messages."""

    row: int
    kind: str  # "ok", "repeat" (the same child's later case), or one of BAD_KINDS
    error: bool
    forenames: str
    middle_names: str
    surname: str
    date_of_birth: date | None
    referral_date: date | None
    reason_code: str
    referral_source: str
    status: str
    outcome: str
    closed_on: date | None
    legacy_reference: str
    upn: str  # normalised, "" when none or when a bad one must be dropped
    upn_warning: bool
    notes: int  # how many history notes


@dataclass(frozen=True)
class _Child:
    forenames: str
    middle_names: str
    surname: str
    date_of_birth: date
    upn: str


def _key(child: _Child) -> tuple[str, str, date]:
    return (child.forenames.casefold(), child.surname.casefold(), child.date_of_birth)


def _valid_upn(rng: random.Random) -> str:
    body = f"{rng.randint(201, 938):03d}{rng.randint(1000, 9999):04d}{rng.randint(10, 24):02d}"
    body += f"{rng.randint(0, 999):03d}"
    return upn_check_letter(body) + body


def _child(rng: random.Random, today: date) -> _Child:
    # Mostly of compulsory school age (5 to 16 on `today`); a few either side.
    age_days = rng.randint(5 * 365 + 60, 15 * 365 + 200)
    if rng.random() < 0.03:
        age_days = rng.choice((3 * 365, 17 * 365 + 100))
    middle = rng.choice(MIDDLE_NAMES) if rng.random() < 0.25 else ""
    upn = _valid_upn(rng) if rng.random() < 0.7 else ""
    return _Child(
        rng.choice(FORENAMES), middle, rng.choice(SURNAMES), today - timedelta(age_days), upn
    )


def _name_cell(rng: random.Random, child: _Child) -> tuple[str, str, str, str]:
    """The merged name as someone typed it, and the (forenames, middle, surname) reading it
    must give: the case is kept as typed, never guessed at."""
    forename, middle, surname = child.forenames, child.middle_names, child.surname
    form = rng.randrange(4)
    if form == 0:  # "SMITH, John Anne"
        given = f"{forename} {middle}".strip()
        return f"{surname.upper()}, {given}", forename, middle, surname.upper()
    if form == 1:  # "SMITH John": the capitals say which is the surname
        given = f"{forename} {middle}".strip()
        return f"{surname.upper()} {given}", forename, middle, surname.upper()
    if form == 2:  # "John Anne Smith"
        return " ".join(p for p in (forename, middle, surname) if p), forename, middle, surname
    low = (forename.lower(), middle.lower(), surname.lower())  # "john  smith", sloppily
    return "  ".join(p for p in low if p) + " ", low[0], low[1], low[2]


def _excel_serial(value: date) -> int:
    return (value - date(1899, 12, 30)).days


def _date_cell(rng: random.Random, value: date, fmt: str) -> object:
    choice = rng.randrange(7 if fmt == "xlsx" else 5)
    if choice == 0:
        return value.strftime("%d/%m/%Y")
    if choice == 1:
        return value.isoformat()
    if choice == 2:
        return f"{value.day} {value.strftime('%b')} {value.year}"
    if choice == 3:
        return value.strftime("%d-%b-%y")
    if choice == 4:
        return value.strftime("%d.%m.%Y")
    if choice == 5:
        return datetime(value.year, value.month, value.day)  # a real date cell
    return _excel_serial(value)  # a date cell someone reformatted as a number


def _notes_cell(rng: random.Random, start: date, today: date) -> tuple[str, int]:
    count = rng.choice((0, 0, 1, 1, 2, 3))
    if count == 0:
        return "", 0
    if rng.random() < 0.3:  # an undated note, possibly over two lines: one note
        return "Family known to social care.\nSibling at the same school.", 1
    lines = []
    day = start
    for _ in range(count):
        day = min(today, day + timedelta(rng.randint(1, 20)))
        when = day.strftime(rng.choice(("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d")))
        lines.append(f"{when} {rng.choice(_NOTE_TEXTS)}")
        if rng.random() < 0.2:
            lines.append("  (follow-up to do)")  # a continuation line, part of that note
    return "\n".join(lines), count


def messy_register(
    rows: int = 2000,
    *,
    seed: int = 1,
    fmt: str = "csv",
    today: date | None = None,
) -> tuple[bytes, list[Truth]]:
    """A register of `rows` data rows as CSV or XLSX bytes, and the truth about each row."""
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"fmt must be 'csv' or 'xlsx', not {fmt!r}")
    today = today or date.today()
    rng = random.Random(seed)  # noqa: S311  # repeatable synthetic data, not a secret # nosec B311
    table: list[list[object]] = []
    truth: list[Truth] = []
    first_row = 3  # row 1 the title, row 2 the header
    earlier: list[tuple[_Child, date]] = []  # closed cases that a later row may reopen
    seen: set[tuple[str, str, date]] = set()
    for i in range(rows):
        number = first_row + i
        repeat = earlier.pop() if earlier and rng.random() * 1000 < _REPEAT_PER_MILLE else None
        child = repeat[0] if repeat else _child(rng, today)
        # Two different children with one name and date of birth would be one child to the
        # reader (and two open cases an error): draw again.
        while not repeat and _key(child) in seen:
            child = _child(rng, today)
        seen.add(_key(child))
        kind = "repeat" if repeat else "ok"
        if not repeat and rng.random() * 1000 < _BAD_PER_MILLE:
            kind = rng.choice(BAD_KINDS)
        name, forenames, middle, surname = _name_cell(rng, child)
        if repeat:
            referral = min(today, repeat[1] + timedelta(rng.randint(10, 200)))
        else:
            referral = today - timedelta(rng.randint(0, 3 * 365))
        closed = kind == "ok" and rng.random() < 0.35
        closed_on = min(today, referral + timedelta(rng.randint(5, 300))) if closed else None
        if closed_on is not None:
            earlier.append((child, closed_on))
        upn, upn_cell, upn_warning = child.upn, child.upn, False
        if upn and rng.random() * 1000 < _BAD_UPN_PER_MILLE * 3:  # a third of rows have no UPN
            upn_cell, upn, upn_warning = upn[:-1] + ("1" if upn[-1] != "1" else "2"), "", True
        if upn_cell and rng.random() < 0.2:
            upn_cell = f" {upn_cell[:4]} {upn_cell[4:]}"  # spaced out, as retyped from a letter
        dob_cell: object = _date_cell(rng, child.date_of_birth, fmt)
        referral_cell: object = _date_cell(rng, referral, fmt)
        address = f"{rng.randint(1, 200)} {rng.choice(('High St', 'Church Rd', 'Mill Lane'))}"
        postcode = rng.choice(("L20 7AE", "pr8 1aa", "CH41 5EZ", "", "XX1"))
        parent = rng.choice(("Ms Smith", "", "Mum - Karen", "Dad"))
        if kind == "no_name":
            name = " "
        elif kind == "nothing_to_find_by":
            dob_cell, upn_cell, address, postcode, parent = "", "", "", "", ""
            upn, upn_warning = "", False
        elif kind == "impossible_date":
            dob_cell = f"31/02/{child.date_of_birth.year}"
        elif kind == "future_referral":
            referral = today + timedelta(rng.randint(1, 60))
            referral_cell = referral.strftime("%d/%m/%Y")
        school = rng.choice(("St Mary's RC Primary", "104512", "", "Litherland High"))
        if kind == "nothing_to_find_by":
            school = ""
        reason_text, reason = rng.choice(REASONS)
        source_text, source = rng.choice(SOURCES)
        if closed:
            status_text, status = rng.choice(CLOSED_STATUSES), "closed"
            outcome_text, outcome = rng.choice(OUTCOMES)
        else:
            status_text, status = rng.choice(OPEN_STATUSES)
            outcome_text, outcome = "", ""
        notes_text, notes = _notes_cell(rng, referral, today)
        reference = f"CME{seed:02d}{i + 1:06d}"
        table.append(
            [
                reference,
                name,
                dob_cell if rng.random() > 0.02 or kind != "ok" else "",
                rng.choice(("M", "F", "Male", "female", "")),
                upn_cell,
                address,
                postcode,
                parent,
                referral_cell,
                source_text,
                reason_text + rng.choice(("", "", " ")),
                status_text,
                outcome_text,
                _date_cell(rng, closed_on, fmt) if closed_on else "",
                school,
                notes_text,
            ]
        )
        dob: date | None = child.date_of_birth if table[-1][2] != "" else None
        truth.append(
            Truth(
                row=number,
                kind=kind,
                error=kind in BAD_KINDS,
                forenames=forenames,
                middle_names=middle,
                surname=surname,
                date_of_birth=dob if kind != "impossible_date" else None,
                referral_date=referral,
                reason_code=reason or DEFAULTS[F.REASON],
                referral_source=source or DEFAULTS[F.REFERRAL_SOURCE],
                status=status,
                outcome=outcome,
                closed_on=closed_on,
                legacy_reference=reference,
                upn=upn,
                upn_warning=upn_warning,
                notes=notes,
            )
        )
    title = f"CME register - exported {today.strftime('%d/%m/%Y')}"
    data = _xlsx(title, table) if fmt == "xlsx" else _csv(title, table)
    return data, truth


def _csv(title: str, table: Sequence[Sequence[object]]) -> bytes:
    import csv

    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([title])
    writer.writerow(HEADER)
    writer.writerows(table)
    return out.getvalue().encode("utf-8-sig")  # what Excel's "CSV UTF-8" writes


def _xlsx(title: str, table: Sequence[Sequence[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Register")
    sheet.append([title])
    sheet.append(list(HEADER))
    for cells in table:
        sheet.append([None if c == "" else c for c in cells])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def register_choices() -> dict[RegisterField, list[Choice]]:
    """cmetrack's lists for each coded field, as the services pass them to reading: the enums,
    and the missing reasons the reference data seeds. Needs Django set up (the enums are
    models.TextChoices)."""
    from importlib import import_module

    from cmetrack.cases.models import Outcome, ReferralSource, RiskLevel
    from cmetrack.cases.status import Status

    reasons = [
        Choice(code, label)
        for code, label in import_module("cmetrack.cases.migrations.0002_missing_reasons").REASONS
    ] + [
        Choice(code, label)
        for code, label, _ in import_module(
            "cmetrack.cases.migrations.0009_ground_reason_defaults"
        ).REASONS
    ]
    return {
        F.REASON: reasons,
        F.REFERRAL_SOURCE: [Choice(c.value, c.label) for c in ReferralSource],
        F.STATUS: [Choice(c.value, c.label) for c in Status],
        F.OUTCOME: [Choice(c.value, c.label) for c in Outcome],
        F.RISK: [Choice(c.value, c.label) for c in RiskLevel],
    }
