"""The 15 grounds for removing a pupil from the admission register (regulation 9(1) of the School
Attendance (Pupil Registration) (England) Regulations 2024) and what each means for CME
(DOMAIN.md §4).

One table, the one home of every ground rule: its label and help text, its routing, the reason
a case opened on it is recorded under, its waiting period in school days and whether it needs
joint enquiries with the LA. Forms, checks, services, selectors, deadlines and templates read it;
no other file compares a ground letter. Database fields take `ground_choices` as a callable, so
rewording a ground needs no migration. Pure Python: no Django.
"""

from dataclasses import dataclass
from enum import StrEnum


class Route(StrEnum):
    """What the CME team does with a deletion return on this ground."""

    OPEN_CASE = "open_case"  # a CME case (or enquiry) is opened
    # Recorded with an EHE flag; the EHE team takes it on.
    PASS_TO_EHE = "pass_to_ehe"  # noqa: S105 (not a password)  # nosec B105
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
    # (h), (i): the name of the `core.deadlines.Timescales` field holding the school days that
    # must pass before a removal is lawful (so an LA's configuration can change the number).
    waiting_timescale: str = ""
    # What day 0 of that waiting period is, as the deletion-return form asks for it.
    waiting_from_label: str = ""
    # Shown under the ground's radio button on the deletion-return form.
    help_text: str = ""
    # (l): only for a pupil who will be over compulsory school age before the school next meets.
    leaving_school_age: bool = False

    @property
    def regulation(self) -> str:
        return f"regulation 9(1)({self.code})"

    @property
    def label(self) -> str:
        return f"({self.code}) {self.meaning}" if self.code else self.meaning

    @property
    def needs_joint_enquiries(self) -> bool:
        """(h), (i): only after joint reasonable enquiries by the school and the LA."""
        return self.needs_la_confirmation

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
            help_text="Give the new school below.",
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
            # The destination is not confirmed (or the case would not open): not "family moves
            # regularly", which is a pattern of moves the school has not reported.
            reason_code="moved-destination-unknown",
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
            waiting_timescale="ground_h_school_days",
            waiting_from_label="Last day of the authorised leave",
            help_text="Only after the school and the LA have both made reasonable enquiries.",
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
            waiting_timescale="ground_i_school_days",
            waiting_from_label="Last day the pupil attended",
            help_text="Only after the school and the LA have both made reasonable enquiries.",
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
            leaving_school_age=True,
        ),
        Ground(
            "m",
            "Boarder whose fees are unpaid",
            "CME enquiry",
            Route.OPEN_CASE,
            # The school removed the pupil over unpaid fees: the parents did not withdraw them.
            reason_code="left-independent-no-place",
        ),
        Ground(
            "n",
            "Ceased to be a pupil at an independent or non-maintained special school",
            "CME enquiry unless the destination is confirmed",
            Route.OPEN_CASE,
            reason_code="left-independent-no-place",
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


def ground_choices() -> list[tuple[str, str]]:
    """For `choices=` on model and form fields: a callable, so Django stores no copy of the
    labels in migrations."""
    return list(GROUND_CHOICES)


def ground(code: str) -> Ground:
    """The ground for a letter (case and surrounding brackets forgiven), or KeyError."""
    return GROUNDS[code.strip().strip("()").lower()]


# A deletion notice that states no ground (a lost-pupil CTF, a school that did not say) is still
# a child the team must know about: recorded, flagged, and triaged as a CME enquiry.
NOT_STATED = Ground(
    "",
    "Ground not stated",
    "CME enquiry: the school did not say why the pupil left or where they went",
    Route.OPEN_CASE,
    reason_code="whereabouts-unknown",
    whereabouts_unknown=True,
)


def ground_or_not_stated(code: str) -> Ground:
    """The ground for a letter, or NOT_STATED for a blank one (KeyError for a wrong letter)."""
    return ground(code) if code.strip() else NOT_STATED


def ground_or_none(code: str) -> Ground | None:
    """The ground for a letter, or None when the letter is blank or not a ground."""
    try:
        return ground(code)
    except KeyError:
        return None
