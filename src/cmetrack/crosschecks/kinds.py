"""The four cross-checks: what each looks for, in words for the officer, and the reason a
referral made from one of its candidates starts with (cases.MissingReason codes)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CheckKind(StrEnum):
    TRANSITION = "transition"
    STARTING_SCHOOL = "starting_school"
    KNOWN_TO_SERVICES = "known_to_services"
    REPEATED_MOVES = "repeated_moves"


@dataclass(frozen=True)
class KindInfo:
    title: str
    summary: str
    reason_code: str
    needs_list: bool  # the officer uploads the children to check (a cohort or service list)


KINDS: dict[CheckKind, KindInfo] = {
    CheckKind.TRANSITION: KindInfo(
        "Key-stage transition",
        "Pupils in the top year of each school's roll last summer (Year 6, Year 2 at infant "
        "schools, Reception where a school ends there) who are on no roll this term, and on "
        "no new-pupil return, CME or home-education record.",
        "key-stage-transition",
        needs_list=False,
    ),
    CheckKind.STARTING_SCHOOL: KindInfo(
        "Starting school",
        "Children from an uploaded list (admissions applications, health or early-years "
        "lists) who reach compulsory school age by the date you give and are on no roll, "
        "CME or home-education record.",
        "never-started",
        needs_list=True,
    ),
    CheckKind.KNOWN_TO_SERVICES: KindInfo(
        "Known to services, on no roll",
        "Children of compulsory school age on a list from another service (social care, "
        "housing, youth justice) who are on no roll, CME or home-education record.",
        "whereabouts-unknown",
        needs_list=True,
    ),
    CheckKind.REPEATED_MOVES: KindInfo(
        "Repeated moves",
        "Children with three or more addresses or schools within 24 months, or removed from "
        "roll with the destination unknown more than once: at risk of missing education.",
        "moves-regularly",
        needs_list=False,
    ),
}
