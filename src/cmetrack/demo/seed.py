"""A deterministic, entirely synthetic demo authority: Sefton (LA 343).

Nothing here is real: people's names come from Faker (seeded) and word lists, addresses are made
up streets in the right postcode districts, UPNs are generated with a valid check letter, phone
numbers are in Ofcom's drama ranges and e-mail addresses use RFC 2606 domains.

Children and cases go through the same services as the screens (referral_record, then
case_change_status, case_assign, case_add_note, case_flag_add, case_close, case_reopen), so the
timelines and the audit log are real. Only the *times* are then moved into the past (see
_Seeder._backdate), so that the timeline reads as a history rather than as "all just now".

Determinism: one seeded random.Random drives every choice, Faker instances are seeded from it,
reference data is read in a fixed order and no set or UUID order is ever iterated. The same seed
on the same day gives the same names, dates of birth, dates and statuses. Case references are the
one exception: models.new_case_reference draws them from `secrets`, on purpose.
"""

from __future__ import annotations

import calendar
import random
import time as time_module
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Literal, Protocol, TypeVar

import holidays
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from faker import Faker

from cmetrack.accounts.access import is_manager
from cmetrack.accounts.models import Organisation, User
from cmetrack.audit.context import acting_as
from cmetrack.cases.models import Case, CaseEvent, MissingReason, Outcome, ReferralSource, RiskLevel
from cmetrack.cases.safeguarding_services import (
    case_enquiries_exhausted,
    closure_approve,
    closure_needs_approval,
    closure_request,
    escalation_resolve,
)
from cmetrack.cases.services import (
    ReferralData,
    case_add_note,
    case_assign,
    case_change_status,
    case_close,
    case_flag_add,
    case_reopen,
    case_set_risk,
    referral_record,
)
from cmetrack.cases.status import Status, check_transition
from cmetrack.children.models import (
    Address,
    Child,
    ChildFlag,
    FormerUpn,
    OtherName,
    SenStatus,
    Sex,
    VulnerabilityFlagType,
)
from cmetrack.children.services import AddressData, ChildData, ContactData, child_create
from cmetrack.core.postcode import is_valid_postcode, normalise_postcode
from cmetrack.core.school_age import compulsory_school_age_end, is_compulsory_school_age
from cmetrack.core.upn import CHECK_LETTERS, is_valid_upn, upn_check_letter
from cmetrack.core.year_group import academic_year_start, national_curriculum_year
from cmetrack.schools.models import School

# What a CME officer records when an escalation is dealt with (synthetic prose).
ESCALATION_ACTIONS = (
    "Phoned MASH the same morning about the {trigger}; the duty social worker took the referral "
    "and will share the outcome.",
    "Emailed the allocated social worker, who confirmed the family is known and a visit is "
    "booked this week.",
    "Discussed with the MASH consultant social worker; strategy discussion arranged, police "
    "informed under missing-person procedures.",
    "Referral made through the MASH portal; acknowledgement received and case added to the "
    "daily MASH meeting.",
)

LA_CODE = "343"
LA_NAME = "Sefton"
MAX_SCHOOLS = 600

# Demo-only credentials, printed by the command on purpose. seed_demo refuses a database that
# already holds cases and the command refuses a non-DEBUG installation unless forced.
DEMO_PASSWORD = "cmetrack-demo-2026"  # noqa: S105
DEMO_ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("officer", "CME officer"),
    ("manager", "CME manager"),
    ("admin", "Administrator"),
    ("school", "School user"),
    ("agency", "Agency user"),
    ("otherla", "Other local authority user (Liverpool)"),
)


class SeedError(Exception):
    """The demo cannot be loaded as asked; the message says why."""


class _Writer(Protocol):
    def write(self, msg: str, /) -> object: ...


@dataclass(frozen=True)
class SeedSummary:
    seed: int
    schools: int
    organisations: int
    users: int
    children: int
    cases: int
    events: int
    cases_by_status: dict[str, int]
    seconds: float


T = TypeVar("T")

# --------------------------------------------------------------------------------------------
# Word lists. Place names are the real districts the postcodes serve; everything attached to a
# person (names, streets, house numbers, phone numbers) is invented.
# --------------------------------------------------------------------------------------------

# Outward code -> towns it serves. Only the shape of the full postcode is checked (BS7666).
POSTCODE_AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("L20", ("Bootle",)),
    ("L21", ("Litherland", "Seaforth", "Ford")),
    ("L22", ("Waterloo",)),
    ("L23", ("Crosby", "Blundellsands", "Thornton")),
    ("L30", ("Netherton", "Bootle")),
    ("L31", ("Maghull", "Lydiate", "Melling")),
    ("L37", ("Formby",)),
    ("L38", ("Hightown", "Ince Blundell")),
    ("PR8", ("Southport", "Birkdale", "Ainsdale")),
    ("PR9", ("Southport", "Churchtown", "Crossens")),
)
# Weighted towards the denser south of the borough, as a CME caseload is.
POSTCODE_WEIGHTS = (16, 12, 8, 8, 14, 8, 5, 2, 14, 13)
# BS7666: the two inward letters are never C, I, K, M, O or V.
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

STREET_STEMS = (
    "Moss", "Marsh", "Sandy", "Church", "Mill", "Orchard", "Hawthorn", "Beech", "Linacre",
    "Station", "Chapel", "Willow", "Heather", "Dune", "Shore", "Harbour", "Park", "Meadow",
    "Kingfisher", "Lark", "Rowan", "Sefton", "Brook", "Well", "Ash", "Holly", "Cedar", "Alder",
    "Maple", "Poplar", "Rosemary", "Primrose", "Clover", "Fern", "Thistle", "Bluebell", "Heron",
    "Curlew", "Plover", "Redshank", "Tern", "Lime", "Chestnut", "Hazel", "Larch", "Laurel",
)  # fmt: skip
STREET_KINDS = (
    "Road", "Street", "Lane", "Avenue", "Close", "Drive", "Grove", "Way", "Crescent", "Walk",
    "Court", "Gardens", "Terrace", "View",
)  # fmt: skip
BLOCKS = ("Court", "House", "Heights", "Mews")

FAR_PLACES = (
    "Liverpool", "Manchester", "Preston", "Wigan", "Blackpool", "Birmingham", "Leeds", "St Helens",
    "Warrington", "Chester", "Glasgow", "London", "Stoke-on-Trent", "Wrexham",
)  # fmt: skip
OTHER_LAS = (
    "Liverpool", "Knowsley", "Wirral", "West Lancashire", "Lancashire", "Wigan", "St Helens",
    "Manchester", "Warrington", "Cheshire West and Chester",
)  # fmt: skip

SAINTS = (
    "Oswald", "Monica", "Elizabeth", "Teresa", "Benet", "Jerome", "Gregory", "Mary", "Joseph",
    "Patrick", "Anne", "Wilfrid", "Edmund", "Luke", "John", "Peter", "Paul", "Thomas", "Philip",
    "Michael", "Nicholas", "Bede", "Cuthbert", "Aidan", "Chad", "Hilda", "Bernadette", "Columba",
    "Winefride", "Ambrose", "Francis", "Clare", "George", "Andrew", "Stephen", "Helen",
)  # fmt: skip
LADY_OF = ("Lourdes", "Walsingham", "Compassion", "the Rosary", "Good Help", "the Assumption")
HOLY = ("Holy Trinity", "Holy Family", "Holy Spirit", "Christ the King", "Holy Rosary")
SCHOOL_PLACES = (
    "Netherton", "Litherland", "Bootle", "Waterloo", "Crosby", "Maghull", "Formby", "Ainsdale",
    "Birkdale", "Churchtown", "Hightown", "Lydiate", "Seaforth", "Thornton", "Ford", "Linacre",
    "Orrell", "Marshside", "Woodvale", "Hillside", "Blundellsands", "Melling", "Crossens",
    "Hatton Hill", "Freshfield", "Sudell", "Kew", "Larkfield", "Redgate", "Meols",
)  # fmt: skip
PLACE_FEATURES = (
    "Park", "Lane", "Moss", "Green", "Vale", "Meadows", "Brook", "Village", "Heath", "Fields",
    "Bank", "Wood", "Hey", "Dale",
)  # fmt: skip
TREES = ("Rowan", "Hawthorn", "Oak", "Beech", "Willow", "Holly", "Elm", "Cedar", "Alder", "Ash")

# Popular UK given names of the 2010s: Faker's en_GB first names are a generation too old.
GIRLS = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia",
    "Grace", "Freya", "Evie", "Poppy", "Ella", "Emily", "Daisy", "Florence", "Sienna", "Willow",
    "Harper", "Ruby", "Millie", "Phoebe", "Scarlett", "Matilda", "Erin", "Layla", "Maisie",
    "Esme", "Eliza", "Hallie", "Summer", "Lacey", "Niamh", "Maya", "Aisha", "Zara", "Megan",
    "Chloe", "Jessica", "Holly", "Lexi", "Darcie", "Imogen", "Skye", "Amber", "Libby",
)  # fmt: skip
BOYS = (
    "Oliver", "George", "Noah", "Arthur", "Harry", "Leo", "Muhammad", "Jack", "Charlie",
    "Oscar", "Jacob", "Henry", "Thomas", "Freddie", "Alfie", "Theo", "William", "Theodore",
    "Archie", "Joshua", "Alexander", "James", "Isaac", "Edward", "Lucas", "Tommy", "Finley",
    "Max", "Logan", "Ethan", "Mason", "Harrison", "Reggie", "Riley", "Louie", "Jaxon", "Kai",
    "Tyler", "Dylan", "Callum", "Liam", "Connor", "Kian", "Ryan", "Jayden", "Owen", "Sonny",
)  # fmt: skip

NICKNAMES = {
    "Oliver": "Ollie", "Alexander": "Alex", "William": "Will", "Thomas": "Tom", "James": "Jamie",
    "Joshua": "Josh", "Theodore": "Teddy", "Edward": "Eddie", "Isaac": "Zac", "Harrison": "Harry",
    "Isabella": "Bella", "Matilda": "Tilly", "Florence": "Flo", "Jessica": "Jess",
    "Imogen": "Immy", "Eliza": "Lizzie", "Sophia": "Sophie", "Amelia": "Millie",
}  # fmt: skip
# Spellings met on referrals from other agencies: (pattern, replacement), "$" anchors at the end.
SPELLINGS = (
    ("ies$", "is"), ("is$", "ies"), ("ke$", "k"), ("rk$", "rke"), ("ay$", "ey"), ("y$", "ey"),
    ("tt", "t"), ("mps", "ms"), ("ph", "v"), ("ll", "l"), ("Mac", "Mc"), ("Mc", "Mac"),
    ("or$", "er"), ("eid$", "eed"),
)  # fmt: skip

# Faker locales for families who moved to the UK; the ones whose name lists Faker gets right.
MIGRANT_LOCALES: tuple[tuple[str, str, str], ...] = (
    # (locale, first language, country)
    ("pl_PL", "Polish", "Poland"),
    ("ro_RO", "Romanian", "Romania"),
    ("pt_PT", "Portuguese", "Portugal"),
    ("sk_SK", "Slovak", "Slovakia"),
)

ETHNICITY_BRITISH = (
    ("White - British", 88), ("Mixed - White and Black Caribbean", 2),
    ("Mixed - White and Asian", 2), ("Any other mixed background", 2), ("White - Irish", 1),
    ("Black - African", 1), ("Asian - Pakistani", 1), ("Chinese", 1),
    ("Information not yet obtained", 2),
)  # fmt: skip
ETHNICITY_GRT = (("Traveller of Irish heritage", 1), ("Gypsy/Roma", 1))

SCHOOL_ROLES = (
    "attendance officer", "designated safeguarding lead", "head of year", "pastoral lead",
    "school business manager", "inclusion manager",
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Plans: everything is decided first, in memory, then written through the services.
# --------------------------------------------------------------------------------------------

StepKind = Literal["assign", "status", "note", "flag", "risk", "close", "reopen"]


@dataclass
class _Step:
    kind: StepKind
    gap_days: int  # after the previous step; 0 means later the same day
    by: User | None = None  # None: the officer the case is assigned to
    to: str = ""  # status, risk level or outcome
    text: str = ""  # note, status-change note or reopening reason
    officer: User | None = None
    flag: VulnerabilityFlagType | None = None
    not_before: date | None = None


@dataclass
class _Family:
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
class _ChildPlan:
    family: _Family
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
class _CasePlan:
    index: int
    status: Status
    reason: MissingReason
    outcome: str = ""
    child: _ChildPlan | None = None
    leader: _CasePlan | None = None  # a sibling's case this one follows
    previous_of: _CasePlan | None = None  # the later case of the same child
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
    steps: list[_Step] = field(default_factory=list)
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
# Year groups (Reception = 0) of referred children: CME caseloads skew to secondary age.
YEAR_WEIGHTS = (3, 4, 4, 4, 5, 5, 5, 6, 7, 9, 11, 12)
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


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------

MONTHS = tuple(calendar.month_name)[1:]


def long_date(value: date) -> str:
    # Spelled out so notes never depend on the process locale.
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def ascii_slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


def weighted(rng: random.Random, weights: dict[T, float] | dict[T, int]) -> T:
    keys = list(weights)
    return rng.choices(keys, weights=[float(weights[k]) for k in keys])[0]


def covering_list(
    rng: random.Random, items: Sequence[T], weights: Sequence[float], n: int
) -> list[T]:
    """n draws in which every item appears at least once (when n allows), in shuffled order."""
    head = list(items)
    rng.shuffle(head)
    head = head[:n]
    tail = rng.choices(list(items), weights=list(weights), k=max(0, n - len(head)))
    result = head + tail
    rng.shuffle(result)
    return result


class _Calendar:
    """Working days: weekdays that are not bank holidays in England."""

    def __init__(self, today: date) -> None:
        years = list(range(today.year - 4, today.year + 2))
        bank = holidays.country_holidays("GB", subdiv="ENG", years=years)
        self._bank = sorted(bank.keys())
        self._bank_lookup = dict.fromkeys(self._bank, True)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._bank_lookup

    def on_or_after(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def on_or_before(self, day: date) -> date:
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day


# --------------------------------------------------------------------------------------------
# The seeder
# --------------------------------------------------------------------------------------------


class _Seeder:
    def __init__(self, *, seed: int, stdout: _Writer | None) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.out = stdout
        self.today = timezone.localdate()
        self.run_started = timezone.now()
        self.cal = _Calendar(self.today)
        self.school_year = academic_year_start(self.today)
        self.fakers: dict[str, Faker] = {}
        for offset, locale in enumerate(["en_GB", *[m[0] for m in MIGRANT_LOCALES]]):
            fake = Faker(locale)
            fake.seed_instance(seed * 100 + offset)
            self.fakers[locale] = fake
        self.en = self.fakers["en_GB"]
        self.used_upns: dict[str, bool] = {}
        self.used_identities: dict[tuple[str, str, date | None], bool] = {}
        self.used_phones: dict[str, bool] = {}
        self.reasons = list(
            MissingReason.objects.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=self.today)
            ).order_by("display_order", "code")
        )
        self.flag_types = list(
            VulnerabilityFlagType.objects.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=self.today)
            ).order_by("display_order", "code")
        )
        self.flag_by_code = {f.code: f for f in self.flag_types}
        if not self.reasons or not self.flag_types:
            raise SeedError("Reference data is missing: run `cmetrack migrate` first.")

    def say(self, text: str) -> None:
        if self.out is not None:
            self.out.write(text)

    # ---------------------------------------------------------------------------- schools

    def make_schools(self, count: int) -> list[School]:
        rng = self.rng
        names: dict[str, bool] = {}
        estabs: dict[str, bool] = {}
        schools: list[School] = []
        urn = 790000 + rng.randrange(1000)
        # A metropolitan borough's mix by proportion, at least one of each phase; the first
        # four are one of each, so the closures below never remove a whole phase.
        mix = {"Secondary": 0.16, "Special": 0.06, "All-through": 0.02}
        extra = {phase: max(0, round(count * share) - 1) for phase, share in mix.items()}
        rest = ["Primary"] * max(0, count - 4 - sum(extra.values()))
        rest += [phase for phase, n in extra.items() for _ in range(n)]
        rng.shuffle(rest)
        phases = ["Primary", "Secondary", "Special", "All-through", *rest][:count]
        for i, phase in enumerate(phases):
            for attempt in range(100):
                name, type_name, estab_band = self._school_name(phase)
                if attempt >= 50:
                    # The word lists ran short for this phase: name it after its district too.
                    name = f"{name}, {rng.choice(SCHOOL_PLACES)}"
                if name not in names:
                    break
            names[name] = True
            while True:
                estab = f"{estab_band + rng.randrange(1000):04d}"
                if estab not in estabs:
                    estabs[estab] = True
                    break
            urn += rng.randint(3, 400)
            # A few closed or closing schools, as in any GIAS extract (never the first four).
            roll = rng.random() if i >= 4 else 1.0
            status_name = "Open"
            if roll < 0.04:
                status_name = "Closed"
            elif roll < 0.06:
                status_name = "Open, but proposed to close"
            schools.append(
                School(
                    urn=str(urn),
                    la_code=LA_CODE,
                    la_name=LA_NAME,
                    establishment_number=estab,
                    name=name,
                    phase=phase,
                    type_name=type_name,
                    status_name=status_name,
                    is_open=status_name != "Closed",
                    postcode=self._postcode()[0],
                )
            )
        School.objects.bulk_create(schools)
        return list(School.objects.filter(urn__in=[s.urn for s in schools]).order_by("urn"))

    def _school_name(self, phase: str) -> tuple[str, str, int]:
        """(name, type of establishment, first establishment number of its DfE band)."""
        rng = self.rng
        place = rng.choice(SCHOOL_PLACES)
        feature = rng.choice(PLACE_FEATURES)
        saint = rng.choice(SAINTS)
        if phase == "Primary":
            style = rng.choices(range(7), weights=[4, 3, 2, 3, 4, 1, 1])[0]
            aided, controlled = "Voluntary aided school", "Voluntary controlled school"
            lady = rng.choice(LADY_OF)
            options = [
                (f"St {saint}'s Catholic Primary School", aided, 3000),
                (f"St {saint}'s Church of England Primary School", controlled, 3000),
                (f"{place} {feature} Primary", "Academy converter", 2000),
                (f"{place} Community Primary School", "Community school", 2000),
                (f"{place} {feature} Primary School", "Community school", 2000),
                (f"Our Lady of {lady} Catholic Primary School", aided, 3000),
                (f"{rng.choice(HOLY)} C of E Primary School", controlled, 3000),
            ]
            return options[style]
        if phase == "Secondary":
            style = rng.choices(range(5), weights=[4, 3, 2, 2, 1])[0]
            options = [
                (f"{place} High School", "Community school", 4000),
                (f"{place} Academy", "Academy sponsor led", 4000),
                (f"St {saint}'s Catholic High School", "Voluntary aided school", 4600),
                (f"{place} {feature} Community College", "Foundation school", 4000),
                (f"{rng.choice(HOLY)} Catholic College", "Academy converter", 4600),
            ]
            return options[style]
        if phase == "Special":
            tree = rng.choice(TREES)
            kind = rng.choice(["Park", "House", "Field", "Bank", "Lodge"])
            return f"{tree} {kind} School", "Community special school", 7000

        return f"{place} All-Through Academy", "Academy sponsor led", 4000

    # --------------------------------------------------------------------------- postcodes

    def _postcode(self) -> tuple[str, str]:
        """(postcode, a town it serves); the shape is checked, since an invalid one is a bug."""
        outward, towns = self.rng.choices(POSTCODE_AREAS, weights=POSTCODE_WEIGHTS)[0]
        inward = (
            str(self.rng.randrange(10))
            + self.rng.choice(INWARD_LETTERS)
            + self.rng.choice(INWARD_LETTERS)
        )
        postcode = f"{outward} {inward}"
        if not is_valid_postcode(postcode):  # pragma: no cover - the letters above obey BS7666
            raise AssertionError(f"generated an invalid postcode {postcode}")
        return postcode, self.rng.choice(towns)

    def _known_address(self, since: date) -> tuple[AddressData, str]:
        rng = self.rng
        postcode, town = self._postcode()
        street = f"{rng.choice(STREET_STEMS)} {rng.choice(STREET_KINDS)}"
        if rng.random() < 0.12:
            block = f"{rng.choice(STREET_STEMS)} {rng.choice(BLOCKS)}"
            line_1, line_2 = f"Flat {rng.randint(1, 24)}, {block}", street
        else:
            line_1, line_2 = f"{rng.randint(1, 180)} {street}", ""
        # Some postcodes arrive the way people type them; the service normalises them.
        raw = postcode.lower().replace(" ", "") if rng.random() < 0.08 else postcode
        address = AddressData(
            line_1=line_1, line_2=line_2, town=town, postcode=raw, date_from=since
        )
        return address, town

    # ------------------------------------------------------------------------------ people

    def _phone(self) -> str:
        # Ofcom's drama ranges: numbers that will never reach a real person. There are only a
        # thousand in each, so after a few clashes a number is shared rather than loop forever.
        for _attempt in range(8):
            if self.rng.random() < 0.8:
                number = f"07700 900{self.rng.randrange(1000):03d}"
            else:
                number = f"0151 496 0{self.rng.randrange(1000):03d}"
            if number not in self.used_phones:
                break
        self.used_phones[number] = True
        return number

    def _email(self, first: str, last: str) -> str:
        return f"{ascii_slug(first)}.{ascii_slug(last)}{self.rng.randint(1, 99)}@example.org"

    def make_people(self, schools: list[School]) -> tuple[list[Organisation], dict[str, User]]:
        open_secondary = [s for s in schools if s.is_open and s.phase == "Secondary"]
        school_for_user = (open_secondary or [s for s in schools if s.is_open] or schools)[0]
        self.user_school = school_for_user
        orgs = {
            "la": self._org(Organisation.Kind.LA_TEAM, "Sefton Council CME team", LA_CODE),
            "school": self._org(
                Organisation.Kind.SCHOOL, school_for_user.name, LA_CODE, school=school_for_user
            ),
            "agency": self._org(Organisation.Kind.AGENCY, "Sefton Children's Social Care", LA_CODE),
            "otherla": self._org(
                Organisation.Kind.OTHER_LA, "Liverpool City Council CME team", "341"
            ),
        }
        # One hash for every demo account: PBKDF2 is deliberately slow, and these are public.
        password = make_password(DEMO_PASSWORD)
        roles = {
            "officer": (User.Role.CME_OFFICER, "la"),
            "manager": (User.Role.CME_MANAGER, "la"),
            "admin": (User.Role.ADMIN, "la"),
            "school": (User.Role.SCHOOL_USER, "school"),
            "agency": (User.Role.AGENCY_USER, "agency"),
            "otherla": (User.Role.OTHER_LA_USER, "otherla"),
        }
        users: dict[str, User] = {}
        for username, (role, org_key) in roles.items():
            users[username] = self._user(username, role, orgs[org_key], password)
        # Three more officers so the caseload can be shared out.
        for _ in range(3):
            first, last = self.en.first_name(), self.en.last_name()
            username = f"{ascii_slug(first)[:1]}.{ascii_slug(last)}"
            while username in users:
                username += "x"
            users[username] = self._user(
                username, User.Role.CME_OFFICER, orgs["la"], password, first, last
            )
        return list(orgs.values()), users

    def _org(
        self, kind: str, name: str, la_code: str, school: School | None = None
    ) -> Organisation:
        org, _ = Organisation.objects.get_or_create(
            kind=kind, name=name, defaults={"la_code": la_code, "school": school}
        )
        return org

    def _user(
        self,
        username: str,
        role: str,
        org: Organisation,
        password: str,
        first: str = "",
        last: str = "",
    ) -> User:
        first = first or self.en.first_name()
        last = last or self.en.last_name()
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            # Never overwrite an account someone made by hand: keep it, password and all.
            self.say(f"  Account '{username}' already exists; left unchanged.")
            return existing
        return User.objects.create(
            username=username,
            password=password,
            first_name=first,
            last_name=last,
            email=f"{username}@example.invalid",
            role=role,
            organisation=org,
        )

    # --------------------------------------------------------------------------- families

    def _family(self, since: date) -> _Family:
        rng = self.rng
        # Sefton is mostly White British; a CME caseload has more newly arrived families.
        migrant = rng.random() < 0.14
        if migrant:
            locale, language, country = rng.choice(MIGRANT_LOCALES)
            ethnicity = "Any other White background"
        else:
            locale, language, country = "en_GB", "English", "United Kingdom"
            ethnicity = weighted(rng, dict(ETHNICITY_BRITISH))
        fake = self.fakers[locale]
        # The male form: _female_form derives the feminine where the language has one.
        surname = fake.last_name_male()
        flags: list[str] = []
        if migrant and rng.random() < 0.55:
            flags.append("new-migrant")
        elif not migrant and rng.random() < 0.03:
            flags.append("grt")
            ethnicity = weighted(rng, dict(ETHNICITY_GRT))
        elif not migrant and rng.random() < 0.015:
            flags.append("service-family")

        state_roll = rng.random()
        town = ""
        if state_roll < 0.04:
            address = AddressData(state=Address.State.NO_FIXED_ABODE, date_from=since)
        elif state_roll < 0.07:
            address = AddressData(state=Address.State.UNKNOWN, date_from=since)
        else:
            address, town = self._known_address(since)

        carers = self._carers(locale, surname)
        contacts = [c for c, _ in carers]
        return _Family(
            locale=locale,
            surname=surname,
            language=language,
            ethnicity=ethnicity,
            country=country,
            address=address,
            town=town or rng.choice(POSTCODE_AREAS[0][1] + POSTCODE_AREAS[8][1]),
            contacts=contacts,
            carer=carers[0][1],
            flags=flags,
        )

    def _carers(self, locale: str, surname: str) -> list[tuple[ContactData, str]]:
        rng = self.rng
        fake = self.fakers[locale]
        shape = rng.choices(
            ["mother", "both", "father", "grandmother", "foster", "aunt"],
            weights=[45, 33, 9, 6, 4, 3],
        )[0]
        female_surname = _female_form(locale, surname)
        result: list[tuple[ContactData, str]] = []

        def contact(
            first: str, last: str, relationship: str, word: str, *, pr: bool = True
        ) -> tuple[ContactData, str]:
            email = self._email(first, last) if rng.random() < 0.45 else ""
            return (
                ContactData(
                    name=f"{first} {last}",
                    relationship=relationship,
                    phone=self._phone() if rng.random() < 0.9 else "",
                    email=email,
                    lives_with_child=True,
                    has_parental_responsibility=pr,
                ),
                word,
            )

        if shape in ("mother", "both"):
            # A mother's surname differs from the child's in about a third of families.
            last = female_surname if rng.random() < 0.65 else _female_form(locale, fake.last_name())
            result.append(contact(fake.first_name_female(), last, "Mother", "mum"))
        if shape in ("father", "both"):
            result.append(contact(fake.first_name_male(), surname, "Father", "dad"))
        if shape == "grandmother":
            result.append(
                contact(
                    fake.first_name_female(), female_surname, "Grandmother", "grandmother", pr=False
                )
            )
        if shape == "aunt":
            result.append(
                contact(fake.first_name_female(), fake.last_name(), "Aunt", "aunt", pr=False)
            )
        if shape == "foster":
            result.append(
                contact(
                    self.en.first_name_female(),
                    self.en.last_name(),
                    "Foster carer",
                    "foster carer",
                    pr=False,
                )
            )
        if shape != "both" and rng.random() < 0.2:
            # A parent living elsewhere, still with parental responsibility.
            if shape == "father":
                other = ContactData(
                    name=f"{fake.first_name_female()} {female_surname}", relationship="Mother"
                )
                word = "mum"
            else:
                other = ContactData(
                    name=f"{fake.first_name_male()} {surname}", relationship="Father"
                )
                word = "dad"
            phone = self._phone() if rng.random() < 0.6 else ""
            result.append((replace(other, phone=phone, lives_with_child=False), word))
        return result

    # ---------------------------------------------------------------------------- children

    def _child(
        self,
        family: _Family,
        *,
        year: int | None = None,
        min_year: int = 0,
        edge: str = "",
        sibling_years: Sequence[int] = (),
    ) -> _ChildPlan:
        rng = self.rng
        plan = _ChildPlan(family=family)
        fake = self.fakers[family.locale]
        for _attempt in range(200):
            sex = rng.choices([Sex.FEMALE, Sex.MALE, Sex.UNKNOWN], weights=[49, 49, 2])[0]
            if family.locale == "en_GB":
                first = rng.choice(GIRLS if sex == Sex.FEMALE else BOYS)
                if rng.random() < 0.2:
                    first = f"{first} {rng.choice(GIRLS if sex == Sex.FEMALE else BOYS)}"
            else:
                first = fake.first_name_female() if sex == Sex.FEMALE else fake.first_name_male()
            surname = family.surname
            if sex == Sex.FEMALE:
                surname = _female_form(family.locale, surname)
            dob = self._dob(year, min_year, edge, sibling_years)
            key = (first.lower(), surname.lower(), dob)
            # Unique name and date of birth, so referral matching never joins two demo children.
            if key not in self.used_identities:
                self.used_identities[key] = True
                break
        else:  # pragma: no cover - 200 collisions in a row would mean a broken word list
            raise SeedError("Could not make a unique child; use fewer children.")
        plan.forenames, plan.surname, plan.sex, plan.dob = first, surname, sex, dob
        if rng.random() < 0.8 and dob is not None:
            plan.upn = self._upn(dob)
        plan.sen_status = rng.choices(
            [SenStatus.NONE, SenStatus.SEN_SUPPORT, SenStatus.EHCP, SenStatus.UNKNOWN],
            weights=[60, 22, 6, 12],
        )[0]
        if rng.random() < 0.1:
            plan.other_names.append(self._other_name(plan))
        if rng.random() < 0.06:
            plan.former_upns.append(self._former_upn(dob))
        if rng.random() < 0.12 and family.address.state == Address.State.KNOWN:
            moved_in = family.address.date_from or self.today
            plan.previous_address, _ = self._known_address(
                moved_in - timedelta(days=rng.randint(300, 1500))
            )
            plan.previous_address_to = moved_in - timedelta(days=1)
        return plan

    def _dob(
        self, year: int | None, min_year: int, edge: str, sibling_years: Sequence[int]
    ) -> date | None:
        rng = self.rng
        if edge == "unknown":
            return None
        if edge == "under":
            # Four years old: compulsory school age starts on the prescribed day *after* the
            # fifth birthday, which is still to come.
            return self.today - timedelta(days=rng.randint(4 * 365 + 150, 5 * 365 - 5))
        if edge == "over":
            # Left compulsory school age on the last leaving date: this school year's Year 12.
            return self._dob_in_year(12)
        if edge == "review":
            # A 16th birthday in 1-7 September: STANDARDS.md says flag it for review.
            born = self.school_year - 16
            return date(born, 9, rng.randint(1, 7))
        if edge == "leap":
            born = rng.choice(
                [
                    y
                    for y in range(self.school_year - 15, self.school_year - 4)
                    if calendar.isleap(y)
                ]
            )
            return date(born, 2, 29)
        dob = self._dob_in_year(7)
        for attempt in range(60):
            # A required year group is tried first, then any year group.
            if year is not None and attempt < 20:
                y = year
            else:
                y = rng.choices(range(12), weights=YEAR_WEIGHTS)[0]
                if y < min_year or y in sibling_years:
                    continue
            dob = self._dob_in_year(y)
            if is_compulsory_school_age(dob, self.today):
                return dob
        return dob

    def _dob_in_year(self, year: int) -> date:
        """A date of birth in national curriculum `year` (Reception = 0) this school year."""
        first = date(self.school_year - year - 5, 9, 1)
        dob = first + timedelta(days=self.rng.randrange(365))
        if national_curriculum_year(dob, self.today) != year:  # 1 Sep of a leap year
            dob -= timedelta(days=1)
        return dob

    def _upn(self, dob: date, la: str = LA_CODE, temporary: bool = False) -> str:
        rng = self.rng
        # Allocated when the child first joined a school (aged 4), by that school.
        year = min(dob.year + 4 + (1 if dob.month >= 9 else 0), self.today.year)
        if rng.random() < 0.15:  # joined later, e.g. after arriving in the country
            year = min(year + rng.randint(1, 6), self.today.year)
        for _ in range(1000):
            estab = rng.choice(self.upn_estabs)
            if temporary:
                serial = f"{rng.randrange(100):02d}{rng.choice(CHECK_LETTERS)}"
            else:
                serial = f"{rng.randrange(1000):03d}"
            body = f"{la}{estab}{year % 100:02d}{serial}"
            upn = upn_check_letter(body) + body
            if upn not in self.used_upns:
                self.used_upns[upn] = True
                if not is_valid_upn(upn):  # pragma: no cover - built with the check letter
                    raise AssertionError(f"generated an invalid UPN {upn}")
                return upn
        raise SeedError("Ran out of UPNs.")  # pragma: no cover

    def _former_upn(self, dob: date | None) -> str:
        dob = dob or self.today - timedelta(days=3650)
        if self.rng.random() < 0.5:
            # A temporary UPN issued before the permanent one came through.
            return self._upn(dob, temporary=True)
        return self._upn(dob, la=self.rng.choice(["341", "340", "344", "888"]))

    def _other_name(self, plan: _ChildPlan) -> tuple[str, str, str]:
        """(kind, forenames, surname) of a name the child is also known by."""
        rng = self.rng
        first = plan.forenames.split()[0]
        roll = rng.random()
        if first in NICKNAMES and roll < 0.4:
            return OtherName.Kind.PREFERRED, NICKNAMES[first], ""
        if roll < 0.7:
            surname = plan.surname
            for pattern, replacement in SPELLINGS:
                if pattern.endswith("$") and surname.endswith(pattern[:-1]):
                    variant = surname[: -len(pattern) + 1] + replacement
                    return OtherName.Kind.SPELLING, "", variant
                if not pattern.endswith("$") and pattern in surname:
                    return OtherName.Kind.SPELLING, "", surname.replace(pattern, replacement, 1)
        if roll < 0.85:
            return OtherName.Kind.FORMER, "", self.fakers[plan.family.locale].last_name()
        return OtherName.Kind.ALIAS, rng.choice(GIRLS if plan.sex == Sex.FEMALE else BOYS), ""

    # ---------------------------------------------------------------------------- planning

    def plan_cases(
        self,
        *,
        cases: int,
        children: int,
        schools: list[School],
        officers: list[User],
        manager: User,
    ) -> list[_CasePlan]:
        rng = self.rng
        self.open_schools = [s for s in schools if s.is_open] or schools
        self.upn_estabs = [
            s.establishment_number for s in schools if s.phase in ("Primary", "All-through")
        ] or [s.establishment_number for s in schools]
        # About one child in fourteen has been missing education before: an older, closed case.
        n_previous = round(cases * 0.07) if cases >= 10 else 0
        n_primary = cases - n_previous

        statuses = covering_list(
            rng, list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()), n_primary
        )
        reason_weights = [REASON_WEIGHTS.get(r.code, 3) for r in self.reasons]
        reasons = covering_list(rng, self.reasons, reason_weights, cases)
        plans = [
            _CasePlan(index=i, status=statuses[i], reason=reasons[i]) for i in range(n_primary)
        ]
        previous = [
            _CasePlan(index=n_primary + i, status=Status.CLOSED, reason=reasons[n_primary + i])
            for i in range(n_previous)
        ]

        self._group_siblings(plans)
        self._choose_outcomes(plans, previous)
        for plan in plans:
            if plan.leader is not None:
                continue
            low, high = STATUS_AGE[plan.status]
            plan.age_days = rng.randint(low, high)
            # A case that was closed too soon and reopened has a longer history.
            reopenable = (Status.ENQUIRIES, Status.LOCATED, Status.PLACED)
            if plan.status in reopenable and rng.random() < 0.07:
                plan.reopen = True
                plan.age_days += rng.randint(45, 120)
        for plan in plans:
            if plan.leader is not None:
                plan.age_days = plan.leader.age_days
                plan.reopen = plan.leader.reopen
        self._pair_previous(plans, previous)
        everyone = plans + previous
        own_child = [p for p in everyone if p.leader is None and p.previous_of is None]
        followers = [p for p in everyone if p.leader is not None]
        if len(own_child) + len(followers) > children:
            raise SeedError(
                f"{cases} cases need at least {len(own_child) + len(followers)} children; "
                "ask for more children or fewer cases."
            )
        self._make_children(own_child, followers)
        self.caseless = children - len(own_child) - len(followers)
        for plan in everyone:
            self._fill_referral(plan, officers, manager)
        self._assign_flags(everyone)
        for plan in everyone:
            plan.steps = self._script(plan, officers, manager)
            self._check_path(plan)
        self._fit_dates(everyone)
        for plan in everyone:
            self._finish_referral(plan)
        return everyone

    def _group_siblings(self, plans: list[_CasePlan]) -> None:
        """Brothers and sisters referred together: same family, reason, date and status."""
        rng = self.rng
        reason_count = Counter(p.reason.code for p in plans)
        leading: dict[int, bool] = {}  # plan index -> has followers
        for i, leader in enumerate(plans):
            if leader.leader is not None or rng.random() > 0.07:
                continue
            wanted = rng.choice([1, 1, 1, 2])
            for follower in plans[i + 1 :]:
                if wanted == 0:
                    break
                if (
                    follower.leader is not None
                    or follower.index in leading
                    or follower.status != leader.status
                    # Never take the only case of a reason: every reason must still appear.
                    or (follower.reason != leader.reason and reason_count[follower.reason.code] < 2)
                ):
                    continue
                reason_count[follower.reason.code] -= 1
                reason_count[leader.reason.code] += 1
                follower.reason = leader.reason
                follower.leader = leader
                leading[leader.index] = True
                wanted -= 1

    def _choose_outcomes(self, plans: list[_CasePlan], previous: list[_CasePlan]) -> None:
        rng = self.rng
        closed = [p for p in plans if p.status == Status.CLOSED]
        outcomes = list(OUTCOME_WEIGHTS)
        weights = list(OUTCOME_WEIGHTS.values())
        if len(closed) >= 2 * len(outcomes):
            drawn = covering_list(rng, outcomes, weights, len(closed))
        else:
            no_death = [
                w if o != Outcome.DIED else 0.0 for o, w in zip(outcomes, weights, strict=True)
            ]
            drawn = rng.choices(outcomes, weights=no_death, k=len(closed))
        for plan, outcome in zip(closed, drawn, strict=True):
            plan.outcome = outcome
        for plan in previous:
            plan.outcome = rng.choice(PREVIOUS_OUTCOMES)
        for plan in closed:
            # A brother or sister shares the family's story, not a final outcome of one child.
            if plan.leader is not None and plan.outcome in (Outcome.OVER_AGE, Outcome.DIED):
                plan.outcome = Outcome.ON_ROLL_OTHER_LA

    def _pair_previous(self, plans: list[_CasePlan], previous: list[_CasePlan]) -> None:
        """Give some children an older, closed case: referred once, placed, then missing again."""
        rng = self.rng
        leaders = {q.leader.index for q in plans if q.leader is not None}
        candidates = [
            p
            for p in plans
            if p.leader is None
            and p.index not in leaders
            and p.age_days <= 330
            and p.outcome not in (Outcome.OVER_AGE, Outcome.DIED, Outcome.DUPLICATE)
        ]
        chosen = rng.sample(candidates, k=min(len(previous), len(candidates)))
        for old, later in zip(previous, chosen, strict=False):
            old.previous_of = later
            later.has_previous = True
            old.age_days = later.age_days + rng.randint(110, 330)
        # Any previous case left without a partner becomes an ordinary closed case.
        for old in previous[len(chosen) :]:
            old.age_days = rng.randint(*STATUS_AGE[Status.CLOSED])

    def _make_children(self, own_child: list[_CasePlan], followers: list[_CasePlan]) -> None:
        rng = self.rng
        for plan in own_child:
            # At this address since before the first referral, including any earlier case.
            history = plan.age_days + (340 if plan.has_previous else 0)
            since = self.today - timedelta(days=history + rng.randint(30, 1500))
            plan.child = self._child(self._family(since), **self._age_rule(plan))
        # Year groups already taken in each family, so siblings are not all the same age.
        taken: dict[int, list[int]] = {}
        for plan in followers:
            leader = plan.leader
            assert leader is not None and leader.child is not None
            years = taken.setdefault(leader.index, [])
            if not years and leader.child.dob is not None:
                years.append(national_curriculum_year(leader.child.dob, self.today))
            plan.child = self._child(leader.child.family, sibling_years=list(years))
            if plan.child.dob is not None:
                years.append(national_curriculum_year(plan.child.dob, self.today))

    def _age_rule(self, plan: _CasePlan) -> dict[str, Any]:
        """Mostly of compulsory school age today; a few edge cases a team meets every term."""
        rng = self.rng
        code = plan.reason.code
        if plan.outcome == Outcome.OVER_AGE:
            return {"edge": "over"}
        if plan.has_previous:
            # Their earlier case was up to two years ago, when they were already of school age.
            return {"min_year": 3}
        roll = rng.random()
        early_years = ("never-started", "awaiting-place", "offered-not-started")
        young_status = plan.status in (Status.REFERRED, Status.ENQUIRIES)
        if code in early_years and young_status and roll < 0.15:
            return {"edge": "under"}
        if plan.status == Status.UNTRACED and roll < 0.06:
            return {"edge": "over"}
        if roll > 0.985:
            return {"edge": "review"}
        if roll > 0.975:
            return {"edge": "leap"}
        if roll < 0.012:
            return {"edge": "unknown"}
        if code == "key-stage-transition":
            return {"year": 7}
        if code == "never-started":
            # Reception children only reach compulsory school age during the year.
            return {"year": rng.choice([1, 1, 2])}
        if code == "excluded":
            return {"year": rng.choice([5, 7, 8, 9, 9, 10, 10, 11])}
        return {}

    def _fill_referral(self, plan: _CasePlan, officers: list[User], manager: User) -> None:
        rng = self.rng
        if plan.previous_of is not None:
            plan.child = plan.previous_of.child
        child = plan.child
        assert child is not None
        if plan.leader is not None and plan.leader.referral_date is not None:
            referral = plan.leader.referral_date
        else:
            referral = self.cal.on_or_before(self.today - timedelta(days=plan.age_days))
        if plan.outcome == Outcome.OVER_AGE and child.dob is not None:
            # Referred while still of school age, closed after the leaving date.
            leaving = compulsory_school_age_end(child.dob)
            referral = self.cal.on_or_before(leaving - timedelta(days=rng.randint(40, 150)))
        plan.referral_date = referral
        plan.age_days = (self.today - referral).days
        leader = plan.leader
        if leader is not None:
            plan.source, plan.referrer = leader.source, leader.referrer
            plan.last_school = None
            plan.category = leader.category
        else:
            plan.source = rng.choice(REASON_SOURCES.get(plan.reason.code, ("other",)))
            plan.referrer = self._referrer(plan)
        if plan.reason.code not in ("never-started", "no-place-after-move", "awaiting-place"):
            plan.last_school = self._school_for(child, prefer_user_school=True)
            days_back = rng.randint(3, 45)
            plan.date_last_attended = self.cal.on_or_before(referral - timedelta(days=days_back))
        if plan.source == ReferralSource.SCHOOL and plan.last_school is not None and leader is None:
            plan.referrer = self._school_referrer(plan.last_school)
        if (
            leader is None
            and plan.source == ReferralSource.SCHOOL
            and plan.reason.code in AT_RISK_REASONS
            and rng.random() < 0.5
        ):
            plan.category = "at_risk"
        if rng.random() < 0.25:
            extra = [r for r in self.reasons if r != plan.reason]
            plan.secondary = rng.sample(extra, k=rng.choice([1, 1, 2]))
        plan.triager = manager if rng.random() < 0.35 else rng.choice(officers)
        # The demo officer carries the biggest caseload, so their dashboard is full.
        plan.officer = rng.choices(officers, weights=[40] + [20] * (len(officers) - 1))[0]
        if plan.status == Status.REFERRED and rng.random() < 0.5:
            plan.officer = None

    def _finish_referral(self, plan: _CasePlan) -> None:
        """What depends on the final referral dates: the move before a second case, the note."""
        child = plan.child
        assert child is not None
        later = plan.previous_of
        if later is not None and child.family.address.state == Address.State.KNOWN:
            # The family has moved since the first case: a second address on the record.
            moved_on = (later.referral_date or self.today) - timedelta(days=self.rng.randint(2, 9))
            child.moved_to, _ = self._known_address(moved_on)
        plan.note = self._referral_note(plan, child.family)

    def _school_for(self, child: _ChildPlan, *, prefer_user_school: bool = False) -> School | None:
        rng = self.rng
        year = national_curriculum_year(child.dob, self.today) if child.dob else 8
        if year < 0:
            return None
        phase = "Primary" if year <= 6 else "Secondary"
        if child.sen_status == SenStatus.EHCP and rng.random() < 0.4:
            phase = "Special"
        if prefer_user_school and phase == "Secondary" and rng.random() < 0.08:
            return self.user_school
        pool = [s for s in self.open_schools if s.phase in (phase, "All-through")]
        return rng.choice(pool or self.open_schools)

    def _school_referrer(self, school: School) -> str:
        name = f"{self.en.first_name()} {self.en.last_name()}"
        return f"{name}, {self.rng.choice(SCHOOL_ROLES)}, {school.name}"

    def _referrer(self, plan: _CasePlan) -> str:
        rng = self.rng
        name = f"{self.en.first_name()} {self.en.last_name()}"
        la = rng.choice(OTHER_LAS)
        match plan.source:
            case ReferralSource.SOCIAL_CARE:
                return f"{name}, social worker, Sefton Children's Social Care"
            case ReferralSource.HEALTH:
                role = rng.choice(["school nurse", "health visitor"])
                return f"{name}, {role}, community health team"
            case ReferralSource.POLICE:
                return f"PC {self.en.last_name()}, missing from home coordinator, police"
            case ReferralSource.HOUSING:
                return f"{name}, housing options officer, Sefton Council"
            case ReferralSource.YOUTH_JUSTICE:
                return f"{name}, case manager, youth justice service"
            case ReferralSource.ADMISSIONS:
                return f"{name}, admissions officer, Sefton school admissions"
            case ReferralSource.EHE_TEAM:
                return f"{name}, elective home education adviser, Sefton Council"
            case ReferralSource.OTHER_LA:
                return f"{name}, CME officer, {la} Council"
            case ReferralSource.PUBLIC:
                return rng.choice(
                    ["Member of the public (name withheld)", "Neighbour (name and number on file)"]
                )
            case ReferralSource.PARENT:
                return "Parent, by phone to the contact centre"
            case ReferralSource.DATA_CHECK:
                return "Termly roll cross-check"
            case _:
                hub = rng.choice(["Bootle", "Southport", "Netherton"])
                return f"{name}, youth worker, {hub} youth hub"

    # ------------------------------------------------------------------------------ flags

    def _assign_flags(self, plans: list[_CasePlan]) -> None:
        rng = self.rng
        for plan in plans:
            child = plan.child
            assert child is not None
            codes: list[str] = []
            if plan.previous_of is None:
                codes += child.family.flags
            correlated = REASON_FLAGS.get(plan.reason.code, ())
            if correlated and rng.random() < 0.55:
                codes.append(rng.choice(correlated))
            if rng.random() < 0.3:
                codes.append(rng.choice(GENERAL_FLAGS))
            if child.sen_status == SenStatus.EHCP and rng.random() < 0.7:
                codes.append("sen-ehcp")
            plan.flags = [
                self.flag_by_code[c]
                for c in dict.fromkeys(codes)
                if c in self.flag_by_code and self._flag_fits(c, plan)
            ]
        # Every flag on at least one child, so every badge and filter has something to show.
        present = {f.code for p in plans for f in p.flags}
        order = list(plans)
        rng.shuffle(order)
        for flag_type in self.flag_types:
            if flag_type.code in present:
                continue
            fits = [p for p in order if self._flag_fits(flag_type.code, p)] or order
            target = min(fits, key=lambda p: len(p.flags))
            target.flags.append(flag_type)
            present.add(flag_type.code)
        for plan in plans:
            # Some concerns only come to light during enquiries.
            if plan.status != Status.REFERRED and plan.flags and rng.random() < 0.3:
                plan.late_flags = [plan.flags.pop()]
            if any(f.escalates for f in plan.flags):
                plan.open_risk = RiskLevel.HIGH
            else:
                plan.open_risk = rng.choices(
                    [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH], weights=[30, 60, 10]
                )[0]
            plan.risk = plan.open_risk

    def _flag_fits(self, code: str, plan: _CasePlan) -> bool:
        child = plan.child
        assert child is not None
        year = national_curriculum_year(child.dob, self.today) if child.dob else 8
        if code == "fgm":
            return child.sex == Sex.FEMALE
        if code in ("pregnant-or-parent", "forced-marriage", "exploitation-sexual"):
            return year >= 8
        if code in ("youth-justice", "exploitation-criminal", "radicalisation", "young-carer"):
            return year >= 5
        if code == "permanently-excluded":
            return year >= 1
        return True

    # ----------------------------------------------------------------------------- scripts

    def _ctx(self, plan: _CasePlan) -> dict[str, str]:
        rng = self.rng
        child = plan.child
        assert child is not None
        family = child.family
        other_town = rng.choice(
            [t for _, towns in POSTCODE_AREAS for t in towns if t != family.town]
        )
        school = plan.last_school or self._school_for(child)
        new_school = self._school_for(child) or rng.choice(self.open_schools)
        return {
            "child": child.forenames.split()[0],
            "carer": family.carer,
            "town": family.town,
            "other_town": other_town,
            "far_place": rng.choice(FAR_PLACES),
            "other_la": rng.choice(OTHER_LAS),
            "school": school.name if school else "the last school",
            "new_school": new_school.name,
            "country": family.country
            if family.country != "United Kingdom"
            else rng.choice(["Ireland", "Spain", "Poland", "Romania", "Pakistan", "Nigeria"]),
            "carer_cap": family.carer[:1].upper() + family.carer[1:],
            "weeks": rng.choice(["two", "three", "four", "five", "six"]),
            "start": rng.choice(["Monday", "Tuesday", "Wednesday", "the first day back"]),
        }

    def _referral_note(self, plan: _CasePlan, family: _Family) -> str:
        c = self._ctx(plan)
        c["date"] = long_date(plan.date_last_attended or plan.referral_date or self.today)
        notes = {
            "never-started": (
                "Admissions data check: {child} has reached compulsory school age but there is no "
                "application or roll entry anywhere in Sefton."
            ),
            "removed-by-parents": (
                "Deletion return from {school}: parents removed {child} from roll saying the "
                "family was moving. No destination school given."
            ),
            "no-place-after-move": (
                "{carer_cap} phoned the contact centre: the family moved to {town} {weeks} weeks "
                "ago and {child} has no school place yet."
            ),
            "moves-regularly": (
                "Referral from {school}: the family has moved three times this year and {child} "
                "left without notice."
            ),
            "family-breakdown": (
                "Parents have separated and {child} is moving between addresses; not in school "
                "since {date}."
            ),
            "key-stage-transition": (
                "Year 6 to Year 7 cross-check: no secondary admission found for {child} after "
                "leaving {school}."
            ),
            "runaway-or-missing": (
                "{child} reported missing from home; not seen at {school} since {date}. Police "
                "aware."
            ),
            "harm-or-neglect": (
                "Children's social care referral: neglect concerns at home and {child} is not "
                "attending school."
            ),
            "excluded": (
                "Permanently excluded from {school}; section 19 provision needed from the sixth "
                "school day."
            ),
            "moved-abroad-believed": (
                "Deletion return from {school}, ground (g): family said to have gone to {country}."
                " Nothing in writing and no destination school."
            ),
            "ehe-unsuitable": (
                "EHE team: home education judged unsuitable after two visits; {child} is now "
                "missing education."
            ),
            "awaiting-place": (
                "In-year application made; {child} is waiting for a place (Fair Access panel to "
                "consider)."
            ),
            "offered-not-started": (
                "Admissions: place offered at {school}; {child} has not started and the family is "
                "not answering."
            ),
            "whereabouts-unknown": (
                "{school} reports 10 continuous school days of unexplained absence. First-day "
                "calls, a letter and a home visit all failed."
            ),
            "other": (
                "{child} seen around {town} during school hours on several days; not known to be "
                "on any roll."
            ),
        }  # fmt: skip
        text = notes.get(plan.reason.code, notes["other"])
        return text.format(**c) if self.rng.random() < 0.9 else ""

    def _script(self, plan: _CasePlan, officers: list[User], manager: User) -> list[_Step]:
        """The case's history after the referral, as steps the services will replay."""
        rng = self.rng
        c = self._ctx(plan)
        steps: list[_Step] = []
        flags_pending = bool(plan.late_flags)

        def note(gap: int, options: Sequence[str]) -> None:
            steps.append(_Step("note", gap, text=rng.choice(options).format(**c)))

        def late_flags(gap: int) -> None:
            nonlocal flags_pending
            if not flags_pending:
                return
            flags_pending = False
            for flag_type in plan.late_flags:
                steps.append(_Step("flag", gap, flag=flag_type))
                if flag_type.escalates:
                    if plan.risk != RiskLevel.HIGH:
                        steps.append(_Step("risk", 0, to=RiskLevel.HIGH))
                        plan.risk = RiskLevel.HIGH
                    note(0, ESCALATION_NOTES)

        if plan.officer is not None:
            steps.append(
                _Step("assign", rng.choice([0, 0, 1, 1, 2]), officer=plan.officer, by=manager)
            )
        if any(f.escalates for f in plan.flags):
            note(0, ESCALATION_NOTES)
        if plan.status == Status.REFERRED:
            if rng.random() < 0.5:
                note(rng.randint(0, 3), TRIAGE_NOTES)
            late_flags(1)
            return steps

        path = self._path(plan)
        previous = Status.REFERRED
        if plan.reopen:
            # First time round it was closed on evidence that turned out wrong, then reopened.
            steps.append(_Step("status", rng.randint(1, 4), to=Status.ENQUIRIES))
            note(rng.randint(3, 10), ENQUIRY_NOTES)
            wrong = Outcome.ON_ROLL_OTHER_LA
            steps.append(
                _Step("close", rng.randint(5, 20), to=wrong, text=CLOSE_NOTES[wrong].format(**c))
            )
            reason = rng.choice(REOPEN_REASONS).format(**c)
            steps.append(_Step("reopen", rng.randint(10, 40), text=reason, by=manager))
            if path and path[0] == Status.ENQUIRIES:
                path = path[1:]
            note(rng.randint(1, 5), ENQUIRY_NOTES)
            previous = Status.ENQUIRIES

        for status in path:
            gap = {
                Status.ENQUIRIES: rng.randint(1, 5)
                if previous == Status.REFERRED
                else rng.randint(5, 20),
                Status.LOCATED: rng.randint(4, 20),
                Status.PLACED: rng.randint(6, 25),
                Status.TRANSFERRED: rng.randint(3, 15),
                Status.UNTRACED: rng.randint(25, 50),
            }[status]
            text = rng.choice(STATUS_NOTES[status]).format(**c) if rng.random() < 0.6 else ""
            steps.append(_Step("status", gap, to=status, text=text))
            if status == Status.ENQUIRIES:
                for option in rng.sample(ENQUIRY_NOTES, k=rng.randint(1, 4)):
                    steps.append(_Step("note", rng.randint(2, 9), text=option.format(**c)))
                late_flags(rng.randint(1, 6))
            elif status == Status.LOCATED and rng.random() < 0.6:
                note(rng.randint(1, 6), LOCATED_NOTES)
            elif status == Status.PLACED:
                note(rng.randint(2, 8), PLACED_NOTES)
            elif status == Status.TRANSFERRED:
                note(rng.randint(5, 15), TRANSFER_NOTES)
            previous = status
        late_flags(rng.randint(1, 5))

        if plan.officer is not None and plan.status != Status.CLOSED and rng.random() < 0.08:
            # Caseloads are rebalanced when an officer leaves or is off.
            others = [o for o in officers if o != plan.officer]
            if others:
                steps.append(
                    _Step("assign", rng.randint(3, 15), officer=rng.choice(others), by=manager)
                )
        if plan.status in (Status.UNTRACED, Status.TRANSFERRED, Status.PLACED, Status.LOCATED):
            # Long-running cases get their termly (untraced) or monthly reviews written up.
            spent = sum(s.gap_days for s in steps)
            interval = 90 if plan.status == Status.UNTRACED else 30
            options = UNTRACED_REVIEWS if plan.status == Status.UNTRACED else MONITORING_NOTES
            reviews = 0
            while spent + interval < plan.age_days - 3 and reviews < 6:
                spent += interval
                reviews += 1
                note(interval + rng.randint(-7, 7), options)
        if plan.status == Status.CLOSED:
            outcome = plan.outcome
            not_before: date | None = None
            if outcome == Outcome.OVER_AGE and plan.child and plan.child.dob:
                leaving = compulsory_school_age_end(plan.child.dob)
                not_before = leaving + timedelta(days=rng.randint(1, 20))
            senior = outcome in (Outcome.DIED, Outcome.OVER_AGE) or rng.random() < 0.15
            # Attendance is confirmed after 10 school days in a new place: two weeks at least.
            settled = outcome in (
                Outcome.ON_ROLL_THIS_LA,
                Outcome.SAO_COMPLIED,
                Outcome.ALTERNATIVE_PROVISION,
            )
            steps.append(
                _Step(
                    "close",
                    rng.randint(15, 30) if settled else rng.randint(7, 25),
                    to=outcome,
                    text=CLOSE_NOTES[outcome].format(**c),
                    by=manager if senior else None,
                    not_before=not_before,
                )
            )
        return steps

    def _path(self, plan: _CasePlan) -> list[Status]:
        rng = self.rng
        E, L, P, T, U = (
            Status.ENQUIRIES,
            Status.LOCATED,
            Status.PLACED,
            Status.TRANSFERRED,
            Status.UNTRACED,
        )
        placed = rng.choices(
            [[E, L, P], [E, P], [L, P], [E, L, P, E, L, P], [E, L, P, L, P]],
            weights=[60, 20, 10, 6, 4],
        )[0]
        match plan.status:
            case Status.ENQUIRIES:
                return [E]
            case Status.LOCATED:
                return rng.choices([[E, L], [L], [E, U, L]], weights=[75, 15, 10])[0]
            case Status.PLACED:
                return placed
            case Status.TRANSFERRED:
                return rng.choices([[E, T], [E, L, T]], weights=[70, 30])[0]
            case Status.UNTRACED:
                return rng.choices([[E, U], [E, U, E, U]], weights=[85, 15])[0]
        outcome = plan.outcome
        if outcome == Outcome.ON_ROLL_THIS_LA:
            return placed
        options: dict[str, list[list[Status]]] = {
            Outcome.ON_ROLL_OTHER_LA: [[E, L], [E, T], [E]],
            Outcome.HANDED_TO_OTHER_LA: [[E, T], [E, L, T]],
            Outcome.MOVED_ABROAD: [[E], [E, U]],
            Outcome.HOME_EDUCATION: [[E, L], [L]],
            Outcome.ALTERNATIVE_PROVISION: [[E, L, P], [L, P]],
            Outcome.SAO_COMPLIED: [[E, L, P]],
            Outcome.OVER_AGE: [[E, U]],
            Outcome.DIED: [[E]],
            Outcome.DUPLICATE: [[]],
            Outcome.NOT_CME: [[], [E]],
        }
        return rng.choice(options[outcome])

    def _check_path(self, plan: _CasePlan) -> None:
        """Walk the script through the real transition table now, not half-way through a write."""
        current = Status.REFERRED
        for step in plan.steps:
            if step.kind == "status":
                check_transition(current, step.to)
                current = Status(step.to)
            elif step.kind == "close":
                check_transition(current, Status.CLOSED)
                current = Status.CLOSED
            elif step.kind == "reopen":
                current = Status.ENQUIRIES
        if current != plan.status:  # pragma: no cover - a script bug
            raise AssertionError(f"script for plan {plan.index} ends {current}, not {plan.status}")

    # ------------------------------------------------------------------------------ times

    def _last_day(self, plan: _CasePlan) -> date:
        """The last day this case's history may reach."""
        later = plan.previous_of
        if later is not None and later.referral_date is not None:
            # An earlier case is over well before the child is referred again.
            return later.referral_date - timedelta(days=10)
        # Yesterday: every backdated time is then before today's midnight, so a second run
        # later the same day gives the same timeline, and rows the services stamp "now" are
        # always later than anything backdated.
        return self.today - timedelta(days=1)

    def _natural_end(self, start: date, steps: Sequence[_Step], scale: float = 1.0) -> date:
        day = start
        for step in steps:
            gap = int(step.gap_days * scale)
            if gap > 0:
                day = self.cal.on_or_after(day + timedelta(days=gap))
            if step.not_before is not None and day < step.not_before:
                day = self.cal.on_or_after(step.not_before)
        return day

    def _fit_dates(self, plans: list[_CasePlan]) -> None:
        """Refer earlier any case whose history would run past its last day, rather than
        squeezing "10 school days" into three. Siblings move together; an earlier case of the
        same child is fitted after the later one, whose referral date bounds it."""
        rng = self.rng
        leaders = [p for p in plans if p.leader is None and p.previous_of is None]
        earlier = [p for p in plans if p.previous_of is not None]
        followers: dict[int, list[_CasePlan]] = {}
        for plan in plans:
            if plan.leader is not None:
                followers.setdefault(plan.leader.index, []).append(plan)
        groups = [[lead, *followers.get(lead.index, [])] for lead in leaders]
        groups += [[p] for p in earlier]
        for group in groups:
            overflow = 0
            for plan in group:
                assert plan.referral_date is not None
                end = self._natural_end(plan.referral_date, plan.steps)
                overflow = max(overflow, (end - self._last_day(plan)).days)
            if overflow <= 0:
                continue
            shift = timedelta(days=overflow + rng.randint(1, 12))
            for plan in group:
                assert plan.referral_date is not None
                plan.referral_date = self.cal.on_or_before(plan.referral_date - shift)
                if plan.date_last_attended is not None:
                    plan.date_last_attended = self.cal.on_or_before(plan.date_last_attended - shift)
                plan.age_days = (self.today - plan.referral_date).days

    def _times(self, plan: _CasePlan) -> list[datetime]:
        """When the referral and each step happened: working hours, in order, by the last day."""
        assert plan.referral_date is not None
        limit = timezone.make_aware(datetime.combine(self._last_day(plan), time(17, 30)))
        opened = self._at(plan.referral_date)
        scale = 1.0
        for _attempt in range(12):
            times = self._walk(opened, plan.steps, scale)
            if times[-1] <= limit:
                return times
            # Rarely needed after _fit_dates: shorten the gaps, keep working days and hours.
            scale *= 0.75
        span = (times[-1] - opened).total_seconds()
        room = max((limit - opened).total_seconds(), 60.0)
        return [
            opened + timedelta(seconds=(t - opened).total_seconds() * room / span) for t in times
        ]

    def _walk(self, opened: datetime, steps: Sequence[_Step], scale: float) -> list[datetime]:
        rng = self.rng
        times = [opened]
        for step in steps:
            prev = times[-1]
            gap = int(step.gap_days * scale)
            if gap <= 0:
                t = prev + timedelta(minutes=rng.randint(4, 50))
            else:
                day = self.cal.on_or_after(timezone.localtime(prev).date() + timedelta(days=gap))
                t = self._at(day)
            if step.not_before is not None and timezone.localtime(t).date() < step.not_before:
                t = self._at(self.cal.on_or_after(step.not_before))
            times.append(max(t, prev + timedelta(minutes=1)))
        return times

    def _at(self, day: date) -> datetime:
        minutes = self.rng.randint(8 * 60 + 40, 17 * 60 + 10)
        return timezone.make_aware(datetime.combine(day, time(minutes // 60, minutes % 60)))

    # -------------------------------------------------------------------------- execution

    def run(self, plans: list[_CasePlan]) -> None:
        # Oldest first: an earlier case is closed before the child's next one opens, and ids
        # grow with time as they would in a live system.
        ordered = sorted(plans, key=lambda p: (p.referral_date or self.today, p.index))
        for done, plan in enumerate(ordered, start=1):
            self._run_case(plan)
            if done % 100 == 0:
                self.say(f"  {done} of {len(ordered)} cases")

    def _run_case(self, plan: _CasePlan) -> None:
        child = plan.child
        assert child is not None and plan.referral_date is not None and plan.triager is not None
        times = self._times(plan)
        opened = times[0]
        new_child = child.record is None
        family = child.family
        data = ReferralData(
            child=ChildData(
                forenames=child.forenames,
                surname=child.surname,
                date_of_birth=child.dob,
                sex=child.sex,
                upn=child.upn,
                first_language=family.language,
                address=family.address,
                contacts=family.contacts,
            ),
            primary_reason=plan.reason,
            referral_source=plan.source,
            referral_date=plan.referral_date,
            secondary_reasons=plan.secondary,
            referrer=plan.referrer,
            last_school=plan.last_school,
            date_last_attended=plan.date_last_attended,
            risk_level=plan.open_risk,
            category=plan.category,
            flags=plan.flags,
            note=plan.note,
        )
        result = referral_record(data=data, by=plan.triager)
        if result.child_was_known == new_child:
            raise SeedError(f"Demo child matching went wrong for plan {plan.index}.")
        case = result.case
        self._backdate(case, opened, several=True)
        ChildFlag.objects.filter(child_id=case.child_id, added_at__gte=self.run_started).update(
            added_at=opened
        )
        record = case.child
        if new_child:
            child.record = record
            self._enrich(child, plan.triager)
        elif child.moved_to is not None:
            self._move(child, plan.triager)

        self._settle_escalations(case, plan.triager, chance=0.8)
        officer = None
        last = opened
        for step, when in zip(plan.steps, times[1:], strict=True):
            by = step.by or officer or plan.triager
            match step.kind:
                case "assign":
                    case = case_assign(case=case, officer=step.officer, by=by)
                    officer = step.officer
                case "status" if step.to == Status.UNTRACED:
                    # Untraced is a manager's decision that enquiries are exhausted.
                    case = case_enquiries_exhausted(case=case, by=self._manager(), note=step.text)
                case "status":
                    case = case_change_status(case=case, to=step.to, by=by, note=step.text)
                case "note":
                    case_add_note(case=case, text=step.text, by=by)
                case "flag":
                    assert step.flag is not None
                    if record.flags.filter(flag_type=step.flag, removed_at__isnull=True).exists():
                        continue
                    case_flag_add(case=case, flag_type=step.flag, by=by)
                    self._settle_escalations(case, by, chance=0.8)
                    ChildFlag.objects.filter(
                        child_id=record.pk, added_at__gte=self.run_started
                    ).update(added_at=when)
                case "risk":
                    if case.risk_level == step.to:
                        continue
                    case = case_set_risk(case=case, risk_level=step.to, by=by)
                case "close":
                    closed_on = timezone.localtime(when).date()
                    self._settle_escalations(case, by, chance=1.0)
                    if closure_needs_approval(case) and not is_manager(by):
                        # A flagged or untraced child: the officer asks, a manager approves.
                        request = closure_request(
                            case=case,
                            outcome=step.to,
                            by=by,
                            closed_on=closed_on,
                            note=step.text,
                        )
                        case = closure_approve(request=request, by=self._manager())
                    else:
                        case = case_close(
                            case=case,
                            outcome=step.to,
                            by=by,
                            closed_on=closed_on,
                            note=step.text,
                        )
                case "reopen":
                    case = case_reopen(case=case, reason=step.text, by=by)
            self._backdate(case, when)
            if step.kind in {"status", "close", "reopen"}:
                # Demo data only, like _backdate: the services date a status change today.
                Case.objects.filter(pk=case.pk).update(
                    status_changed_on=timezone.localtime(when).date()
                )
            last = when
        # Demo data only: the services stamp "now"; move the case's own timestamps to match.
        Case.objects.filter(pk=case.pk).update(opened_at=opened, updated_at=last)
        if new_child:
            Child.objects.filter(pk=record.pk).update(created_at=opened, updated_at=opened)

    def _manager(self) -> User:
        return User.objects.get(username="manager")

    def _settle_escalations(self, case: Case, by: User, *, chance: float) -> None:
        """Most escalations in the demo were dealt with; a few stay open, as on a real day."""
        for escalation in case.escalations.filter(resolved_at__isnull=True):
            if self.rng.random() < chance:
                escalation_resolve(
                    escalation=escalation,
                    by=by,
                    action=self.rng.choice(ESCALATION_ACTIONS).format(
                        trigger=escalation.trigger_label.lower()
                    ),
                )

    def _backdate(self, case: Case, when: datetime, *, several: bool = False) -> None:
        """Move the events the last service call wrote (stamped now) to `when`.

        Demo data only: a queryset update bypasses auditlog on purpose, because the audit log
        must keep saying truthfully when the rows were written (by this seeder, today). Real
        code never rewrites a timeline.
        """
        fresh = CaseEvent.objects.filter(case_id=case.pk, occurred_at__gte=self.run_started)
        if not several:
            fresh.update(occurred_at=when)
            return
        # The referral writes several events at once (opened, flags, note): keep their order.
        for offset, pk in enumerate(fresh.order_by("id").values_list("pk", flat=True)):
            CaseEvent.objects.filter(pk=pk).update(occurred_at=when + timedelta(seconds=offset))

    def _enrich(self, child: _ChildPlan, by: User) -> None:
        """What the referral form does not take yet: other names, former UPNs, an earlier
        address, ethnicity and SEN status. There is no service for these, so they are written
        here under acting_as, which keeps them in the audit log like any other change."""
        record = child.record
        assert record is not None
        with acting_as(by):
            record.ethnicity = child.family.ethnicity
            record.sen_status = child.sen_status
            record.save(update_fields=["ethnicity", "sen_status", "updated_at"])
            for kind, forenames, surname in child.other_names:
                OtherName.objects.create(
                    child=record, kind=kind, forenames=forenames, surname=surname
                )
            for upn in child.former_upns:
                FormerUpn.objects.create(child=record, upn=upn)
            previous = child.previous_address
            if previous is not None:
                Address.objects.create(
                    child=record,
                    line_1=previous.line_1,
                    line_2=previous.line_2,
                    town=previous.town,
                    postcode=_normalised(previous.postcode),
                    postcode_raw=previous.postcode,
                    date_from=previous.date_from,
                    date_to=child.previous_address_to,
                )

    def _move(self, child: _ChildPlan, by: User) -> None:
        """A child referred again has moved since: close the old address, add the new one."""
        record = child.record
        new = child.moved_to
        assert record is not None and new is not None and new.date_from is not None
        with acting_as(by):
            for current in record.addresses.filter(date_to__isnull=True).order_by("pk"):
                current.date_to = new.date_from - timedelta(days=1)
                current.save(update_fields=["date_to"])
            Address.objects.create(
                child=record,
                line_1=new.line_1,
                line_2=new.line_2,
                town=new.town,
                postcode=_normalised(new.postcode),
                postcode_raw=new.postcode,
                date_from=new.date_from,
            )
        child.moved_to = None

    def make_caseless_children(self, count: int, by: User) -> None:
        """Children the team knows without a CME episode: names from cross-checks and other
        authorities' enquiries, kept so that matching has someone to find."""
        rng = self.rng
        for _ in range(count):
            since = self.today - timedelta(days=rng.randint(60, 2000))
            family = self._family(since)
            plan = self._child(family)
            record = child_create(
                data=ChildData(
                    forenames=plan.forenames,
                    surname=plan.surname,
                    date_of_birth=plan.dob,
                    sex=plan.sex,
                    upn=plan.upn,
                    first_language=family.language,
                    address=family.address,
                    contacts=family.contacts,
                ),
                by=by,
            )
            plan.record = record
            created = self._at(
                self.cal.on_or_before(self.today - timedelta(days=rng.randint(1, 540)))
            )
            self._enrich(plan, by)
            Child.objects.filter(pk=record.pk).update(created_at=created, updated_at=created)


def _normalised(postcode: str) -> str:
    return normalise_postcode(postcode) or ""


def _female_form(locale: str, surname: str) -> str:
    """Polish and Slovak surnames take a feminine form."""
    if locale == "pl_PL":
        for male, female in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
            if surname.endswith(male):
                return surname[: -len(male)] + female
        return surname
    if locale == "sk_SK":
        if surname.endswith("ý"):
            return surname[:-1] + "á"
        if surname.endswith("a"):
            return surname[:-1] + "ová"
        if not surname.endswith(("ová", "á")):
            return surname + "ová"
    return surname


# --------------------------------------------------------------------------------------------
# Note templates: plausible caseworker prose, about nobody.
# --------------------------------------------------------------------------------------------

TRIAGE_NOTES = (
    "Triaged: checks against our records found nothing; allocating for LA enquiries.",
    "Referral screened. Asked {school} for the last contact details they hold.",
    "Duplicate check done: not known to the team before. Awaiting allocation.",
)
ENQUIRY_NOTES = (
    (
        "Home visit to the address on file: no answer, neighbour says the family moved to "
        "{far_place} about {weeks} weeks ago."
    ),
    (
        "Home visit: curtains drawn and post piling up behind the door. Calling card left asking "
        "the family to contact the CME team."
    ),
    (
        "Called every number on file at different times of day; the mobile goes straight to "
        "voicemail and the landline is disconnected."
    ),
    "S2S search: no match for {child}.",
    (
        "S2S search: a CTF for {child} was downloaded by a school in {other_la}. Emailed their CME"
        " officer to confirm."
    ),
    "Council tax and housing checks: the tenancy at the address on file ended last month.",
    "Housing: family placed in temporary accommodation in {other_town}; address requested.",
    (
        "Health checks: {child} is still registered with the family's GP practice; the school "
        "nursing team has had no recent contact."
    ),
    "Health visitor says a younger sibling was seen at a new address in {other_town} last month.",
    "MASH checks: family not currently known to children's social care.",
    (
        "MASH checks: family open to a social worker in the Child in Need team; social worker "
        "updated and will raise education at the next visit."
    ),
    (
        "Letter sent to the parent at the last known address asking them to contact the team "
        "within 10 school days."
    ),
    "Emailed the CME officer at {other_la} to ask whether the family is known there.",
    (
        "Spoke to {child}'s last form tutor at {school}: friends say {child} talked about moving "
        "to {far_place}."
    ),
    (
        "Checked public social media with the school's designated safeguarding lead: posts suggest"
        " the family is now living in {far_place}."
    ),
    (
        "Asked admissions whether any in-year application has been made for {child} since the "
        "referral: none found."
    ),
    (
        "Second home visit at a different time of day: a new tenant answered and said the family "
        "left before they moved in."
    ),
)  # fmt: skip
STATUS_NOTES: dict[Status, tuple[str, ...]] = {
    Status.ENQUIRIES: (
        "Starting LA enquiries.",
        "School enquiries exhausted; LA enquiries begin.",
        "Allocated; reasonable enquiries under way.",
    ),
    Status.LOCATED: (
        (
            "{carer_cap} answered the phone: the family is living in {other_town} and has not "
            "applied for a school place yet. In-year application form sent."
        ),
        (
            "Family found in temporary accommodation in {other_town}; {child} is at home and not "
            "in any school."
        ),
        (
            "{carer_cap} came to the contact centre with a new address in {town}; in-year "
            "application made the same day."
        ),
        "Located through the health visitor: the family is staying with relatives in {town}.",
    ),
    Status.PLACED: (
        "Place offered at {new_school}.",
        "Fair Access panel allocated a place at {new_school}.",
        "{new_school} confirms {child} has started.",
    ),
    Status.TRANSFERRED: (
        (
            "Family confirmed living in {other_la}. CME notification sent with the new address; "
            "case stays open until they confirm receipt."
        ),
        "Notified {other_la}'s CME officer through the secure mailbox; awaiting acknowledgement.",
    ),
    Status.UNTRACED: (
        (
            "All reasonable enquiries exhausted (school, S2S, health, housing, MASH, police, "
            "{other_la}). Lost-pupil CTF on S2S. Untraced; review next term."
        ),
        (
            "Enquiries exhausted with no trace of the family. Manager agreed untraced status; "
            "termly review set."
        ),
    ),
}  # fmt: skip
LOCATED_NOTES = (
    (
        "Visited the new address with {carer}: {child} is well and keen to go back to school. "
        "Talked through the in-year application."
    ),
    "Application received by admissions; waiting for a school with a place.",
    (
        "{carer_cap} says {child} has been anxious about starting somewhere new; asked the SENCO "
        "at {new_school} to plan a phased start."
    ),
)  # fmt: skip
PLACED_NOTES = (
    (
        "{new_school} confirms {child} started on {start}. Attendance to be checked after 10 "
        "school days."
    ),
    (
        "Start date agreed with {new_school} for {start}; uniform grant application made for the "
        "family."
    ),
    "{child} started at {new_school}; attendance check booked for 10 school days' time.",
)  # fmt: skip
MONITORING_NOTES = (
    "Monitoring: attendance at {new_school} is 92% so far.",
    "Monitoring: two unexplained absences this month; school has spoken to {carer}.",
    "Review: no change; chased {other_la} for an update.",
    "Monthly review: case still appropriately open; next check in four weeks.",
)  # fmt: skip
UNTRACED_REVIEWS = (
    "Termly review: S2S searched again, no match; health and housing checks repeated, nothing new.",
    (
        "Termly review: asked the CME officers in {other_la} and the neighbouring authorities "
        "again; family not known."
    ),
    "Termly review: GP registration unchanged since the referral. Remains untraced.",
)  # fmt: skip
TRANSFER_NOTES = (
    "Chased {other_la}'s CME officer for an acknowledgement of our notification.",
    "{other_la} acknowledged the notification and has started its own enquiries.",
)
ESCALATION_NOTES = (
    (
        "Escalated to children's social care (MASH) the same day under the escalation rule; the "
        "duty social worker has the details."
    ),
    (
        "Safety concern: referred to MASH at once and the police informed, as missing-person "
        "criteria are met."
    ),
)  # fmt: skip
REOPEN_REASONS = (
    "{new_school} reports {child} never started; reopening enquiries.",
    "Housing says the family is back at an address in {town} and {child} is not in school.",
    "{other_la} says the family is not at the address we gave them.",
)
CLOSE_NOTES: dict[str, str] = {
    Outcome.ON_ROLL_THIS_LA: (
        "{new_school} confirms attendance after 10 school days. Closing: on roll in Sefton."
    ),
    Outcome.ON_ROLL_OTHER_LA: (
        "{other_la} admissions confirm {child} is on roll at a school in their area."
    ),
    Outcome.HANDED_TO_OTHER_LA: (
        "{other_la}'s CME officer has accepted the case and will continue enquiries."
    ),
    Outcome.MOVED_ABROAD: (
        "Confirmation received that the family has moved to {country} (a letter from {child}'s new"
        " school there). Lost-pupil CTF on S2S."
    ),
    Outcome.HOME_EDUCATION: (
        "Parents gave written notice of elective home education; the EHE team visited and judged "
        "the provision suitable. Passed to the EHE team."
    ),
    Outcome.ALTERNATIVE_PROVISION: (
        "Settled in alternative provision arranged under section 19; attendance good. SEN team "
        "monitoring."
    ),
    Outcome.SAO_COMPLIED: (
        "School attendance order named {new_school}; {child} has attended since the order. Order "
        "complied with."
    ),
    Outcome.OVER_AGE: (
        "{child} has passed compulsory school age without being traced. Closing; youth service "
        "told about post-16 options."
    ),
    Outcome.DIED: (
        "Closing following notification from children's social care. Records kept under the "
        "retention policy."
    ),
    Outcome.DUPLICATE: (
        "Duplicate referral: the same concern came in from admissions and the school; the history "
        "is on the other record."
    ),
    Outcome.NOT_CME: (
        "{school} confirms {child} is on roll and attending; the absence was authorised. Not CME."
    ),
}  # fmt: skip


# --------------------------------------------------------------------------------------------


def seed_demo(
    *,
    seed: int = 343,
    schools: int = 100,
    children: int = 600,
    cases: int = 400,
    stdout: _Writer | None = None,
) -> SeedSummary:
    """Build the synthetic demo authority in an empty register; raise SeedError otherwise."""
    if not 4 <= schools <= MAX_SCHOOLS or cases < 1 or children < 1:
        # Establishment numbers come from 1,000-wide DfE bands: a borough has ~100 schools.
        raise SeedError(f"Ask for 4 to {MAX_SCHOOLS} schools and at least 1 child and 1 case.")
    started = time_module.monotonic()
    # One transaction: all or nothing, and on SQLite about ten times faster than autocommit.
    with transaction.atomic():
        if Case.objects.exists():
            raise SeedError(
                "The register already has cases; the demo only loads into an empty one."
            )
        seeder = _Seeder(seed=seed, stdout=stdout)
        seeder.say(f"Creating {schools} schools, the organisations and the demo accounts...")
        school_rows = seeder.make_schools(schools)
        orgs, users = seeder.make_people(school_rows)
        officers = [users["officer"]] + [u for name, u in users.items() if "." in name]
        seeder.say(f"Planning {cases} cases for {children} children...")
        plans = seeder.plan_cases(
            cases=cases,
            children=children,
            schools=school_rows,
            officers=officers,
            manager=users["manager"],
        )
        seeder.say("Recording referrals and working the cases through the services...")
        seeder.run(plans)
        seeder.make_caseless_children(seeder.caseless, users["officer"])
        by_status = Counter(Case.objects.values_list("status", flat=True))
        summary = SeedSummary(
            seed=seed,
            schools=len(school_rows),
            organisations=len(orgs),
            users=len(users),
            children=Child.objects.count(),
            cases=Case.objects.count(),
            events=CaseEvent.objects.count(),
            cases_by_status={s.value: by_status.get(s.value, 0) for s in Status},
            seconds=0.0,
        )
    return replace(summary, seconds=time_module.monotonic() - started)
