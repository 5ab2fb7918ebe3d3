"""Write synthetic bulk-import files for the intake benchmarks (no real children).

    python benchmarks/intake/generate.py [OUT_DIR] [--rows N] [--pupils N]
    # default var/benchmarks/intake, 10,000 rows and 5,000 pupils

- returns_10000.csv: 10,000 template rows, half deletions and half new pupils, valid UPNs, a
  mix of ISO and DD/MM/YYYY dates, about 1% deliberately bad rows (so the error path is timed).
- returns_10000.xlsx: the same rows as an Excel workbook.
- ctf_5000.xml: a 5,000-pupil CTF 26.0 into LA 343 with BS7666 addresses, two contacts and a
  school history per pupil (roughly the size of a real MIS export).

Names, dates of birth, UPNs, addresses and phone numbers come from the shared synthetic-person
generator (cmetrack.demo.people): UPNs with their check letter, postcodes in the district of
their town, phones in Ofcom's drama ranges. What the intake benchmarks need besides is here: a
few names with an apostrophe, a hyphen or an accent (for the CSV, Excel and XML encodings),
fixed dates so the files are reproducible, and about 1% bad rows.
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from cmetrack.demo import people
from cmetrack.referrals.importing.rows import TEMPLATE_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "var" / "benchmarks" / "intake"

# The shared wider pool, with names that exercise the encodings and the XML escaping.
NAMES = people.NamePool(
    girls=(*people.REFERRED.girls, "Élodie", "Zoë"),
    boys=people.REFERRED.boys,
    surnames=(*people.REFERRED.surnames, "O'Neill", "Zoë-Smith", "Ng", "Ó Briain"),
)
# Every name a file can hold (bench_import deletes the children it made by them).
FORENAMES = NAMES.girls + NAMES.boys
SURNAMES = NAMES.surnames
# Pupils in Years 1-10 of the school year the files are dated in (autumn 2026).
SCHOOL_DAY = date(2026, 11, 2)


def upn(serial: int) -> str:
    # Unique per serial: the establishment digits carry the thousands.
    return people.upn_for(la="343", estab=2000 + serial // 1000, year=25, serial=serial % 1000)


def birth_date(rng: random.Random) -> date:
    return people.date_of_birth_in_year(rng, rng.randint(1, 10), on=SCHOOL_DAY)


def parent_name(rng: random.Random, surname: str) -> str:
    return f"{people.given_name(rng, rng.choice('FM'), NAMES)} {surname}"


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
        sex = rng.choice("FMU")
        surname = people.surname(rng, NAMES)
        line_1, line_2 = people.street_lines(rng)
        postcode, town = people.sefton_postcode(rng)
        row = {
            "return_type": "deletion" if deletion else "new_pupil",
            "school_urn": str(104000 + i % schools),
            "upn": upn(i),
            "surname": surname,
            "forename": people.given_name(rng, sex, NAMES),
            "date_of_birth": dob.strftime("%d/%m/%Y") if uk else dob.isoformat(),
            "sex": sex,
            "address_line_1": f"{line_1}, {line_2}" if line_2 else line_1,
            "town": town,
            "postcode": postcode,
            "parent_name": parent_name(rng, surname),
            "parent_phone": people.drama_phone(rng),
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
    sex = rng.choice("FM")
    surname = people.surname(rng, NAMES)
    saon, paon, street = people.house(rng)
    postcode, town = people.sefton_postcode(rng)
    mother = people.given_name(rng, people.FEMALE, NAMES)
    phone = people.drama_phone(rng)
    return f"""    <Pupil>
      <UPN>{upn(i)}</UPN>
      <UniqueLearnerNumber>{1000000000 + i}</UniqueLearnerNumber>
      <Surname>{escape(surname)}</Surname>
      <Forename>{escape(people.given_name(rng, sex, NAMES))}</Forename>
      <DOB>{dob.isoformat()}</DOB>
      <Sex>{sex}</Sex>
      <BasicDetails><MiddleNames>Synthetic</MiddleNames><NCyearActual>5</NCyearActual>
        <Ethnicity>WBRI</Ethnicity><Languages><Type><LanguageType>F</LanguageType>
        <Language>ENG</Language></Type></Languages></BasicDetails>
      <Address>
        <BS7666Address>{f"<SAON>{saon}</SAON>" if saon else ""}<PAON>{paon}</PAON>
          <Street>{street}</Street><Town>{town}</Town><PostTown>Liverpool</PostTown>
        </BS7666Address>
        <PostCode>{postcode}</PostCode>
      </Address>
      <Contacts>
        <Contact><Order>1</Order><Surname>{escape(surname)}</Surname>
          <Forename>{escape(mother)}</Forename><Relationship>PAM</Relationship>
          <Phones><Phone><TelephoneType>M</TelephoneType><PhoneNo>{phone}</PhoneNo></Phone>
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--rows", type=int, default=10_000, help="rows in the CSV and XLSX")
    parser.add_argument("--pupils", type=int, default=5_000, help="pupils in the CTF")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for path in (
        write_csv(out / f"returns_{args.rows}.csv", count=args.rows),
        write_xlsx(out / f"returns_{args.rows}.xlsx", count=args.rows),
        write_ctf(out / f"ctf_{args.pupils}.xml", count=args.pupils),
    ):
        print(f"wrote {path} ({path.stat().st_size / 1_000_000:.1f} MB)")


if __name__ == "__main__":
    main()
