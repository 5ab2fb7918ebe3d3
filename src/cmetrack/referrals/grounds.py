"""The 15 grounds for removing a pupil from the admission register (regulation 9(1) of the School
Attendance (Pupil Registration) (England) Regulations 2024) and what each means for CME
(DOMAIN.md §4). One table; services and forms read it, nothing else hard-codes a letter.
"""

from dataclasses import dataclass
from enum import StrEnum


class Route(StrEnum):
    """What the CME team does with a deletion return on this ground."""

    OPEN_CASE = "open_case"  # a CME case (or enquiry) is opened
    # Recorded with an EHE flag; the EHE team takes it on.
    PASS_TO_EHE = "pass_to_ehe"  # noqa: S105 (not a password)
    RECORD_ONLY = "record_only"  # recorded; no CME action

    @property
    def label(self) -> str:
        return ROUTE_LABELS[self]


ROUTE_LABELS = {
    Route.OPEN_CASE: "Open a CME case",
    Route.PASS_TO_EHE: "Pass to the elective home education team",
    Route.RECORD_ONLY: "Record only",
}


@dataclass(frozen=True)
class Ground:
    code: str
    meaning: str
    consequence: str
    route: Route
    # The reason a CME case opened on this ground is recorded under (cases.MissingReason.code).
    reason_code: str = "other"
    needs_new_school: bool = False  # (a): the school must say where the pupil went
    needs_la_confirmation: bool = False  # (h), (i): joint enquiries exhausted, LA agrees
    records_ehe: bool = False  # (f)
    # (g), (n): a CME enquiry unless the destination school is confirmed on the return.
    destination_closes: bool = False
    whereabouts_unknown: bool = False

    @property
    def regulation(self) -> str:
        return f"regulation 9(1)({self.code})"

    @property
    def label(self) -> str:
        return f"({self.code}) {self.meaning}"

    def route_for(self, *, has_new_school: bool) -> Route:
        if self.destination_closes and has_new_school:
            return Route.RECORD_ONLY
        return self.route


GROUNDS: dict[str, Ground] = {
    g.code: g
    for g in (
        Ground(
            "a",
            "Registered at another school",
            "No case: closes once the new school confirms",
            Route.RECORD_ONLY,
            needs_new_school=True,
        ),
        Ground(
            "b",
            "Nursery pupil not moving to reception at this school",
            "Usually none",
            Route.RECORD_ONLY,
        ),
        Ground(
            "c",
            "Dual-registered, not expected back, the other school consents",
            "None",
            Route.RECORD_ONLY,
        ),
        Ground(
            "d",
            "School attendance order amended to name another school",
            "None",
            Route.RECORD_ONLY,
        ),
        Ground(
            "e",
            "School attendance order revoked: education arranged otherwise",
            "None",
            Route.RECORD_ONLY,
        ),
        Ground(
            "f",
            "Parent has told the school in writing the child will be home educated",
            "Pass to the EHE team; CME if the provision is unsuitable",
            Route.PASS_TO_EHE,
            records_ehe=True,
        ),
        Ground(
            "g",
            "No longer lives within reasonable distance of the school",
            "CME enquiry unless the destination school is confirmed",
            Route.OPEN_CASE,
            reason_code="moves-regularly",
            destination_closes=True,
        ),
        Ground(
            "h",
            "Not back within 10 school days after authorised leave; school and LA enquiries failed",
            "CME case, whereabouts unknown",
            Route.OPEN_CASE,
            reason_code="whereabouts-unknown",
            needs_la_confirmation=True,
            whereabouts_unknown=True,
        ),
        Ground(
            "i",
            "20 or more continuous school days absent (codes G, N or O); school and LA "
            "enquiries failed",
            "CME case, whereabouts unknown",
            Route.OPEN_CASE,
            reason_code="whereabouts-unknown",
            needs_la_confirmation=True,
            whereabouts_unknown=True,
        ),
        Ground(
            "j",
            "Detained under a sentence of 4 months or more, not expected back",
            "None (youth justice)",
            Route.RECORD_ONLY,
        ),
        Ground("k", "Died", "None", Route.RECORD_ONLY),
        Ground(
            "l",
            "Will be over compulsory school age and not continuing at the school",
            "None",
            Route.RECORD_ONLY,
        ),
        Ground(
            "m",
            "Boarder whose fees are unpaid",
            "CME enquiry",
            Route.OPEN_CASE,
            reason_code="removed-by-parents",
        ),
        Ground(
            "n",
            "Ceased to be a pupil at an independent or non-maintained special school",
            "CME enquiry unless the destination is confirmed",
            Route.OPEN_CASE,
            reason_code="other",
            destination_closes=True,
        ),
        Ground(
            "o",
            "Permanently excluded",
            "The LA must arrange provision (section 19); tracked until placed",
            Route.OPEN_CASE,
            reason_code="excluded",
        ),
    )
}

GROUND_CHOICES = [(g.code, g.label) for g in GROUNDS.values()]


def ground(code: str) -> Ground:
    """The ground for a letter (case and surrounding brackets forgiven), or KeyError."""
    return GROUNDS[code.strip().strip("()").lower()]
