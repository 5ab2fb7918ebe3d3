"""Plans: everything about a case is decided first, in memory, then written through the services.

The dataclasses a plan is made of, and the proportions the demo caseload is drawn in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from cmetrack.accounts.models import User
from cmetrack.cases.models import MissingReason, Outcome, ReferralSource, RiskLevel
from cmetrack.cases.status import Status
from cmetrack.children.models import Child, Sex, VulnerabilityFlagType
from cmetrack.children.services import AddressData, ContactData
from cmetrack.schools.models import School

StepKind = Literal["assign", "status", "note", "flag", "risk", "close", "reopen"]


@dataclass
class Step:
    kind: StepKind
    gap_days: int  # after the previous step; 0 means later the same day
    by: User | None = None  # None: the officer the case is assigned to
    to: str = ""  # status, risk level or outcome
    text: str = ""  # note, status-change note or reopening reason
    officer: User | None = None
    flag: VulnerabilityFlagType | None = None
    not_before: date | None = None


@dataclass
class Family:
    locale: str
    surname: str
    language: str
    ethnicity: str
    country: str
    address: AddressData
    town: str
    contacts: list[ContactData]
    carer: str  # how a note refers to the main carer: "mum", "dad", "grandmother"...
    flags: list[str]


@dataclass
class ChildPlan:
    family: Family
    forenames: str = ""
    surname: str = ""
    sex: str = Sex.UNKNOWN
    dob: date | None = None
    upn: str = ""
    sen_status: str = ""
    other_names: list[tuple[str, str, str]] = field(default_factory=list)
    former_upns: list[str] = field(default_factory=list)
    previous_address: AddressData | None = None
    previous_address_to: date | None = None
    moved_to: AddressData | None = None  # a move recorded when a later case opens
    record: Child | None = None


@dataclass
class CasePlan:
    index: int
    status: Status
    reason: MissingReason
    outcome: str = ""
    child: ChildPlan | None = None
    leader: CasePlan | None = None  # a sibling's case this one follows
    previous_of: CasePlan | None = None  # the later case of the same child
    has_previous: bool = False  # an earlier, closed case of this child is replayed first
    age_days: int = 0
    referral_date: date | None = None
    secondary: list[MissingReason] = field(default_factory=list)
    source: str = ReferralSource.SCHOOL
    referrer: str = ""
    last_school: School | None = None
    date_last_attended: date | None = None
    category: str = "cme"
    risk: str = RiskLevel.MEDIUM  # where the risk ends up
    open_risk: str = RiskLevel.MEDIUM  # the risk recorded with the referral
    flags: list[VulnerabilityFlagType] = field(default_factory=list)
    late_flags: list[VulnerabilityFlagType] = field(default_factory=list)
    reopen: bool = False
    triager: User | None = None
    officer: User | None = None
    note: str = ""
    steps: list[Step] = field(default_factory=list)
    limit: datetime | None = None


STATUS_WEIGHTS: dict[Status, int] = {
    Status.REFERRED: 6,
    Status.ENQUIRIES: 16,
    Status.LOCATED: 8,
    Status.PLACED: 9,
    Status.TRANSFERRED: 4,
    Status.UNTRACED: 6,
    Status.CLOSED: 51,
}
# Days between referral and today, by where the case has got to.
STATUS_AGE: dict[Status, tuple[int, int]] = {
    Status.REFERRED: (1, 12),
    Status.ENQUIRIES: (4, 80),
    Status.LOCATED: (14, 130),
    Status.PLACED: (21, 200),
    Status.TRANSFERRED: (20, 160),
    Status.UNTRACED: (70, 540),
    Status.CLOSED: (25, 545),
}
REASON_WEIGHTS: dict[str, int] = {
    "whereabouts-unknown": 16,
    "moved-abroad-believed": 14,
    "no-place-after-move": 12,
    "removed-by-parents": 8,
    "awaiting-place": 8,
    "moves-regularly": 5,
    "family-breakdown": 5,
    "never-started": 4,
    "key-stage-transition": 4,
    "offered-not-started": 5,
    "ehe-unsuitable": 4,
    "excluded": 4,
    "harm-or-neglect": 4,
    "runaway-or-missing": 3,
    "other": 2,
}
OUTCOME_WEIGHTS: dict[str, float] = {
    Outcome.ON_ROLL_THIS_LA: 30,
    Outcome.ON_ROLL_OTHER_LA: 14,
    Outcome.HANDED_TO_OTHER_LA: 8,
    Outcome.MOVED_ABROAD: 10,
    Outcome.HOME_EDUCATION: 8,
    Outcome.ALTERNATIVE_PROVISION: 6,
    Outcome.SAO_COMPLIED: 3,
    Outcome.OVER_AGE: 3,
    Outcome.DIED: 0.1,
    Outcome.DUPLICATE: 4,
    Outcome.NOT_CME: 12,
}
# An earlier, closed case of a child who is referred again: nothing final.
PREVIOUS_OUTCOMES = (
    Outcome.ON_ROLL_THIS_LA,
    Outcome.ON_ROLL_OTHER_LA,
    Outcome.HOME_EDUCATION,
    Outcome.ALTERNATIVE_PROVISION,
    Outcome.NOT_CME,
)
REASON_SOURCES: dict[str, tuple[str, ...]] = {
    "never-started": ("admissions", "data_check", "health"),
    "removed-by-parents": ("school", "school", "school"),
    "no-place-after-move": ("admissions", "parent", "other_la", "housing"),
    "moves-regularly": ("school", "other_la", "housing"),
    "family-breakdown": ("social_care", "school", "public"),
    "key-stage-transition": ("data_check", "admissions"),
    "runaway-or-missing": ("police", "social_care", "school"),
    "harm-or-neglect": ("social_care", "health", "police"),
    "excluded": ("school",),
    "moved-abroad-believed": ("school", "school", "health"),
    "ehe-unsuitable": ("ehe_team",),
    "awaiting-place": ("admissions", "parent"),
    "offered-not-started": ("admissions", "school"),
    "whereabouts-unknown": ("school", "school", "health", "other_la", "youth_justice"),
    "other": ("public", "other", "housing"),
}
REASON_FLAGS: dict[str, tuple[str, ...]] = {
    "harm-or-neglect": ("child-protection-plan", "child-in-need", "safety-concern"),
    "runaway-or-missing": ("missing-from-home", "exploitation-criminal", "exploitation-sexual"),
    "excluded": ("permanently-excluded", "youth-justice", "exploitation-criminal"),
    "ehe-unsuitable": ("ehe-unsuitable", "medical-needs"),
    "moves-regularly": ("temporary-accommodation", "grt"),
    "family-breakdown": ("child-in-need", "young-carer", "private-fostering"),
    "awaiting-place": ("sen-ehcp", "medical-needs"),
    "no-place-after-move": ("temporary-accommodation", "service-family"),
    "whereabouts-unknown": ("safety-concern", "looked-after", "youth-justice"),
    "moved-abroad-believed": ("fgm", "forced-marriage"),
    "other": ("radicalisation", "young-carer", "pregnant-or-parent"),
}
# Referrals about pupils still on a roll (10+ days' unexplained absence, no-shows): at risk.
AT_RISK_REASONS = (
    "whereabouts-unknown",
    "runaway-or-missing",
    "family-breakdown",
    "offered-not-started",
    "moves-regularly",
    "other",
)
GENERAL_FLAGS = (
    "sen-ehcp", "medical-needs", "young-carer", "child-in-need", "temporary-accommodation",
    "pregnant-or-parent", "looked-after", "private-fostering", "youth-justice",
)  # fmt: skip
