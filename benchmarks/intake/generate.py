"""Write synthetic bulk-import files for the intake benchmarks (no real children).

    python benchmarks/intake/generate.py [OUT_DIR]      # default var/benchmarks/intake

- returns_10000.csv: 10,000 template rows, half deletions and half new pupils, valid UPNs, a
  mix of ISO and DD/MM/YYYY dates, about 1% deliberately bad rows (so the error path is timed).
- returns_10000.xlsx: the same rows as an Excel workbook.
- ctf_5000.xml: a 5,000-pupil CTF 26.0 into LA 343 with BS7666 addresses, two contacts and a
  school history per pupil (roughly the size of a real MIS export).
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from cmetrack.core.upn import upn_check_letter
from cmetrack.referrals.importing.rows import TEMPLATE_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "var" / "benchmarks" / "intake"

SURNAMES = ["Example", "Sample", "Test", "Demo", "Placeholder", "O'Neill", "Zoë-Smith", "Ng"]
FORENAMES = ["Amelia", "Noah", "Olivia", "Isla", "Theo", "Ava", "Jack", "Élodie", "Muhammad"]
STREETS = ["Acacia Avenue", "Marine Terrace", "Hill Street", "Church Road", "Station Road"]
TOWNS = ["Bootle", "Southport", "Crosby", "Formby", "Maghull"]
POSTCODES = ["L20 7AE", "PR8 1DA", "L23 0QQ", "L37 4AB", "L31 2PD"]


def upn(serial: int) -> str:
    # Unique per serial: the establishment digits carry the thousands.
    body = f"343{2000 + serial // 1000:04d}25{serial % 1000:03d}"
    return upn_check_letter(body) + body


def birth_date(rng: random.Random) -> date:
    return date(2011, 9, 1) + timedelta(days=rng.randrange(365 * 10))


def csv_rows(
    count: int,
    rng: random.Random,
    *,
    schools: int = 120,
    deletion_date: str = "2026-10-20",
    start_date: str = "01/10/2026",
) -> list[dict[str, str]]:
    """`schools` URNs from 104000 up; the dates are fixed so the files are reproducible (the
    import benchmark passes dates around its own today so that the rows are valid)."""
    rows = []
    for i in range(count):
        deletion = i % 2 == 0
        dob = birth_date(rng)
        uk = i % 3 == 0
        row = {
            "return_type": "deletion" if deletion else "new_pupil",
            "school_urn": str(104000 + i % schools),
            "upn": upn(i),
            "surname": rng.choice(SURNAMES),
            "forename": rng.choice(FORENAMES),
            "date_of_birth": dob.strftime("%d/%m/%Y") if uk else dob.isoformat(),
            "sex": rng.choice("FMU"),
            "address_line_1": f"{rng.randrange(1, 200)} {rng.choice(STREETS)}",
            "town": rng.choice(TOWNS),
            "postcode": rng.choice(POSTCODES),
            "parent_name": f"{rng.choice(FORENAMES)} {rng.choice(SURNAMES)}",
            "parent_phone": f"07700 9{rng.randrange(100000):05d}",
            "ground": rng.choice("bcdefg") if deletion else "",
            "deletion_date": deletion_date if deletion else "",
            "start_date": "" if deletion else start_date,
        }
        if i % 100 == 99:  # about 1% bad rows: impossible date, wrong check letter
            row["date_of_birth"] = "31/02/2015"
            row["upn"] = "A" + row["upn"][1:] if row["upn"][0] != "A" else "B" + row["upn"][1:]
        rows.append(row)
    return rows


def write_csv(path: Path, count: int = 10_000, seed: int = 3) -> Path:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=TEMPLATE_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(csv_rows(count, rng))
    return path


def write_xlsx(path: Path, count: int = 10_000, seed: int = 3) -> Path:
    """The same rows as write_csv, as an .xlsx (all cells text, as many MIS exports do)."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Returns")
    sheet.append(list(TEMPLATE_COLUMNS))
    for row in csv_rows(count, random.Random(seed)):
        sheet.append([row.get(name, "") for name in TEMPLATE_COLUMNS])
    book.save(path)
    return path


def _pupil(i: int, rng: random.Random) -> str:
    dob = birth_date(rng)
    return f"""    <Pupil>
      <UPN>{upn(i)}</UPN>
      <UniqueLearnerNumber>{1000000000 + i}</UniqueLearnerNumber>
      <Surname>{escape(rng.choice(SURNAMES))}</Surname>
      <Forename>{escape(rng.choice(FORENAMES))}</Forename>
      <DOB>{dob.isoformat()}</DOB>
      <Sex>{rng.choice("FM")}</Sex>
      <BasicDetails><MiddleNames>Synthetic</MiddleNames><NCyearActual>5</NCyearActual>
        <Ethnicity>WBRI</Ethnicity><Languages><Type><LanguageType>F</LanguageType>
        <Language>ENG</Language></Type></Languages></BasicDetails>
      <Address>
        <BS7666Address><PAON>{rng.randrange(1, 200)}</PAON><Street>{rng.choice(STREETS)}</Street>
          <Town>{rng.choice(TOWNS)}</Town><PostTown>Liverpool</PostTown></BS7666Address>
        <PostCode>{rng.choice(POSTCODES)}</PostCode>
      </Address>
      <Contacts>
        <Contact><Order>1</Order><Surname>{escape(rng.choice(SURNAMES))}</Surname>
          <Forename>{escape(rng.choice(FORENAMES))}</Forename><Relationship>PAM</Relationship>
          <Phones><Phone><TelephoneType>M</TelephoneType><PhoneNo>07700 9{i:05d}</PhoneNo></Phone>
          </Phones></Contact>
        <Contact><Order>2</Order><Surname>Other</Surname><Forename>Carer</Forename>
          <AddressAsPupil>true</AddressAsPupil></Contact>
      </Contacts>
      <Attendance><YearData><Year>2025</Year><SessionsPossible>380</SessionsPossible>
        <SessionsAuthorised>10</SessionsAuthorised></YearData></Attendance>
      <SchoolHistory>
        <School><LEA>341</LEA><Estab>2005</Estab><SchoolName>Example Primary</SchoolName>
          <EntryDate>2021-09-01</EntryDate><LeavingDate>2026-10-23</LeavingDate></School>
        <School><LEA>343</LEA><Estab>4001</Estab><EntryDate>2026-11-03</EntryDate></School>
      </SchoolHistory>
    </Pupil>
"""


def write_ctf(path: Path, count: int = 5_000, seed: int = 5) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write(
            """<?xml version="1.0" encoding="UTF-8"?>
<CTfile>
  <Header>
    <DocumentName>Common Transfer File</DocumentName><CTFversion>26.0</CTFversion>
    <DateTime>2026-11-02T09:15:00</DateTime><DocumentQualifier>full</DocumentQualifier>
    <SourceSchool><LEA>341</LEA><Estab>2005</Estab><URN>104777</URN>
      <SchoolName>Example Primary</SchoolName><AcademicYear>2026</AcademicYear></SourceSchool>
    <DestSchool><LEA>343</LEA><Estab>4001</Estab></DestSchool>
  </Header>
  <CTFpupilData>
"""
        )
        for i in range(count):
            out.write(_pupil(i, rng))
        out.write("  </CTFpupilData>\n</CTfile>\n")
    return path


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    for path in (
        write_csv(out / "returns_10000.csv"),
        write_xlsx(out / "returns_10000.xlsx"),
        write_ctf(out / "ctf_5000.xml"),
    ):
        print(f"wrote {path} ({path.stat().st_size / 1_000_000:.1f} MB)")


if __name__ == "__main__":
    main(sys.argv)
