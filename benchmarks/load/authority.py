"""A synthetic authority of any size for the load benchmark, written in bulk.

The demo (cmetrack.demo) replays every case through the services: right for 400 cases, far too
slow for 50,000 (about 0.2 s a case). This builds the same kind of register straight into the
tables with bulk inserts, drawn in the demo's proportions (cmetrack.demo.plans: statuses, ages,
reasons, sources, outcomes, flags) and with the demo's synthetic people (cmetrack.demo.people):

- per case: about 12 or 13 timeline events (opened, assigned, status changes, notes, enquiries,
  flags, escalations, closure), two reasonable enquiries, the child's flags, the submission it
  came from (deletion return, referral, other-LA notification or public concern), and one more
  school return that needed no case; 7% of cases are an earlier, closed case of a child who
  was referred again;
- per child: one or two addresses, one or two parents, now and then another name or a former
  UPN, and the matching keys the candidate search reads;
- about half as many children again without a case (known from earlier registers);
- a waiting incoming queue of 1% of the open cases (at least five);
- tasks from the real deadline rules (`tasks_sync`, what `cmetrack tick` runs), most of those
  already due marked done as officers would have, and done tasks on the closed cases.

Benchmark data, not casework: it bypasses the services (and the audit log) on purpose, as
benchmarks/clock/tick_benchmark.py does. Nothing here is about a real person.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from benchdb import OFFICERS, PASSWORD, SCHOOL_USERS, officer_username, school_username
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection, models, transaction
from django.utils import timezone

from cmetrack.accounts.models import Organisation, User
from cmetrack.cases.models import (
    Case,
    CaseEvent,
    ClosureRequest,
    EnquiryCheck,
    EnquiryCheckType,
    Escalation,
    MissingReason,
    Outcome,
    ReferralSource,
    Task,
)
from cmetrack.cases.services import tasks_escalate_overdue, tasks_sync
from cmetrack.cases.status import Status
from cmetrack.children.models import (
    Address,
    Child,
    ChildFlag,
    Contact,
    FormerUpn,
    OtherName,
    VulnerabilityFlagType,
)
from cmetrack.core.postcode import normalise_postcode
from cmetrack.demo.people import REFERRED, People, given_name, surname
from cmetrack.demo.plans import (
    AT_RISK_REASONS,
    GENERAL_FLAGS,
    OUTCOME_WEIGHTS,
    PREVIOUS_OUTCOMES,
    REASON_FLAGS,
    REASON_SOURCES,
    REASON_WEIGHTS,
    STATUS_AGE,
    STATUS_WEIGHTS,
)
from cmetrack.demo.schools import make_schools
from cmetrack.demo.vocabulary import YEAR_WEIGHTS
from cmetrack.matching.keys import blocking_keys
from cmetrack.matching.models import ChildMatchKey
from cmetrack.referrals.models import (
    CmeReferral,
    DeletionReturn,
    Direction,
    Kind,
    Nature,
    NewPupilReturn,
    OtherLaNotification,
    PublicConcern,
    SharedStatus,
    Submission,
    TriageState,
    new_reference,
)
from cmetrack.schooldays.selectors import school_calendar
from cmetrack.schooldays.services import term_dates_load_bundled
from cmetrack.schools.models import School

CHUNK = 1000  # cases generated and inserted at a time: memory stays flat at any size
BATCH = 2000
SCHOOLS = 100
# The demo's proportions (a 400-case demo, measured): 600 children for 400 cases, 7% of cases
# an earlier case of a child referred again, 3% of cases unassigned, 8% at risk rather than CME.
CASELESS_CHILDREN_PER_CASE = 0.57
PREVIOUS_CASE_SHARE = 0.07
UNASSIGNED_SHARE = 0.03
AT_RISK_SHARE = 0.08
RISK_WEIGHTS = {"low": 22, "medium": 49, "high": 29}
WAITING_QUEUE_SHARE = 0.01  # of open cases: a team that triages daily has a short queue
EXTRA_RETURNS_PER_CASE = 1.0  # returns that needed no case (a pupil moving to a known school)

NOTES = (
    "Called {carer} on the number given by the school: no answer, voicemail left.",
    "Letter sent to the last known address asking {carer} to contact the CME team.",
    "Checked with admissions: no application for {name} in the last 12 months.",
    "Spoke to the school's DSL: {name} last seen at the school gate, family said to be moving.",
    "Health visitor confirms {name} is registered with a GP in the area.",
    "Housing say the tenancy at the last address ended; forwarding address not known.",
    "Home visit: nobody in. Neighbour says the family moved away about three weeks ago.",
    "Emailed the other authority's CME officer with the family's details.",
    "School to School search: no CTF received for {name} yet.",
    "{carer} called back: {name} starts at the new school next week.",
    "Council tax records show a new address for {carer}; visit arranged.",
    "Discussed at the weekly CME panel: continue enquiries for another two weeks.",
    "Social care confirm they know the family; no open plan at present.",
    "Police have no record of the family leaving the country.",
    "Admissions have offered a place; waiting for {carer} to accept.",
)
ACTIONS = (
    "Discussed with the MASH consultant social worker; strategy discussion arranged.",
    "Referred to children's social care; police informed under missing-person procedures.",
    "MASH confirm the child is known and safe; no further action from the CME team.",
)
CARERS = ("mum", "dad", "grandmother", "the carer", "the parents")
ETHNICITIES = ("WBRI", "WOTH", "WIRT", "WROM", "MWBC", "AIND", "APKN", "BAFR", "CHNE", "")
LANGUAGES = ("English", "English", "English", "Polish", "Romanian", "Arabic", "Urdu", "")
RELATIONSHIPS = ("Mother", "Father", "Grandmother", "Step-father", "Aunt", "Foster carer")
SOURCE_LABEL = dict(ReferralSource.choices)
OUTCOME_LABEL = dict(Outcome.choices)
STATUS_LABEL = dict(Status.choices)
# The way to each status from "referred", as officers move cases on (status.TRANSITIONS).
PATHS: dict[Status, tuple[Status, ...]] = {
    Status.REFERRED: (),
    Status.ENQUIRIES: (Status.ENQUIRIES,),
    Status.LOCATED: (Status.ENQUIRIES, Status.LOCATED),
    Status.PLACED: (Status.ENQUIRIES, Status.LOCATED, Status.PLACED),
    Status.TRANSFERRED: (Status.ENQUIRIES, Status.TRANSFERRED),
    Status.UNTRACED: (Status.ENQUIRIES, Status.UNTRACED),
}
CLOSED_PATHS: tuple[tuple[Status, ...], ...] = (
    (Status.ENQUIRIES,),
    (Status.ENQUIRIES, Status.LOCATED),
    (Status.ENQUIRIES, Status.LOCATED, Status.PLACED),
    (Status.ENQUIRIES, Status.PLACED),
    (Status.ENQUIRIES, Status.TRANSFERRED),
)
DELETION_GROUNDS = {  # the ground a school gives for a pupil who becomes a case, by reason
    "removed-by-parents": "f",
    "moves-regularly": "g",
    "moved-abroad-believed": "g",
    "excluded": "o",
    "whereabouts-unknown": "i",
    "runaway-or-missing": "i",
}


@dataclass
class Counts:
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        self.rows[name] = self.rows.get(name, 0) + n


@dataclass
class World:
    """What every chunk draws from: the reference data, schools, organisations and accounts."""

    rng: random.Random
    people: People
    today: date
    schools: list[School]
    open_schools: list[School]
    school_orgs: dict[int, Organisation]
    school_users: dict[int, User]
    la_org: Organisation
    officers: list[User]
    managers: list[User]
    reasons: list[MissingReason]
    reason_weights: list[int]
    flags: dict[str, VulnerabilityFlagType]
    check_types: list[EnquiryCheckType]
    counts: Counts = field(default_factory=Counts)

    def officer_name(self, user: User | None) -> str:
        return user.get_full_name() if user else ""


def aware(day: date, minute_of_day: int) -> datetime:
    """A time on a working day, in the authority's zone."""
    return timezone.make_aware(datetime.combine(day, time(minute_of_day // 60, minute_of_day % 60)))


def working_minutes(rng: random.Random) -> int:
    return rng.randint(8 * 60 + 30, 17 * 60 + 30)


def between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


# ------------------------------------------------------------------ the authority around cases


def build_world(rng: random.Random, *, say: Callable[[str], None]) -> World:
    today = timezone.localdate()
    say("Term dates (the bundled example years), schools through the GIAS import service...")
    term_dates_load_bundled()
    make_schools(rng, SCHOOLS)
    schools = list(School.objects.order_by("urn"))
    open_schools = [s for s in schools if s.is_open]
    la_org = Organisation.objects.create(
        kind=Organisation.Kind.LA_TEAM, name="Benchmark Council CME team", la_code="343"
    )
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(kind=Organisation.Kind.SCHOOL, name=s.name, la_code="343", school=s)
            for s in open_schools
        ]
    )
    school_orgs = {o.school_id: o for o in orgs if o.school_id is not None}
    people = People(rng, today=today, faker_seed=rng.randrange(10_000))
    people.upn_estabs = [s.establishment_number for s in schools if s.phase == "Primary"]
    # One PBKDF2 hash for every account (as the demo does): the production settings check it.
    password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    la_users = []
    for n in range(1, OFFICERS + 1):
        name = officer_username(n)
        role = User.Role.CME_MANAGER if "manager" in name else User.Role.CME_OFFICER
        la_users.append(
            User(
                username=name,
                password=password,
                first_name=people.en.first_name(),
                last_name=people.en.last_name(),
                email=f"{name}@example.invalid",
                role=role,
                organisation=la_org,
            )
        )
    school_accounts = [
        User(
            username=school_username(n),
            password=password,
            first_name=people.en.first_name(),
            last_name=people.en.last_name(),
            email=f"{school_username(n)}@example.invalid",
            role=User.Role.SCHOOL_USER,
            organisation=school_orgs[school.pk],
        )
        for n, school in enumerate(open_schools[:SCHOOL_USERS], start=1)
    ]
    User.objects.bulk_create([*la_users, *school_accounts])
    users = {u.username: u for u in User.objects.all()}
    officers = [users[u.username] for u in la_users if u.role == User.Role.CME_OFFICER]
    managers = [users[u.username] for u in la_users if u.role == User.Role.CME_MANAGER]
    school_users: dict[int, User] = {}
    for u in school_accounts:
        school_id = users[u.username].organisation.school_id  # type: ignore[union-attr]
        assert school_id is not None  # each school account's organisation is its school
        school_users[school_id] = users[u.username]
    current = models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=today)
    reasons = list(MissingReason.objects.filter(current).order_by("display_order", "code"))
    flags = {f.code: f for f in VulnerabilityFlagType.objects.filter(current)}
    return World(
        rng=rng,
        people=people,
        today=today,
        schools=schools,
        open_schools=open_schools,
        school_orgs=school_orgs,
        school_users=school_users,
        la_org=la_org,
        officers=officers,
        managers=managers,
        reasons=reasons,
        reason_weights=[REASON_WEIGHTS.get(r.code, 3) for r in reasons],
        flags=flags,
        check_types=list(EnquiryCheckType.objects.order_by("side", "display_order")),
    )


# ----------------------------------------------------------------------------- children


@dataclass
class Kid:
    child: Child
    carer: str
    address: Address
    contacts: list[Contact]


def new_child(w: World) -> Kid:
    rng, people = w.rng, w.people
    sex = rng.choices(("F", "M", "U"), weights=(49, 49, 2))[0]
    for _ in range(20):
        first = given_name(rng, "F" if sex == "U" else sex, REFERRED)
        if rng.random() < 0.3:
            first += " " + given_name(rng, "F" if sex == "U" else sex, REFERRED)
        last = surname(rng)
        year = rng.choices(range(12), weights=YEAR_WEIGHTS)[0]
        dob = people.dob_in_year(year) if rng.random() > 0.02 else None
        if people.claim_identity(first, last, dob):
            break
    upn = people.upn(dob) if dob is not None and rng.random() < 0.85 else ""
    child = Child(
        forenames=first,
        surname=last,
        date_of_birth=dob,
        sex=sex,
        upn=upn,
        first_language=rng.choice(LANGUAGES),
        ethnicity=rng.choice(ETHNICITIES),
        sen_status=rng.choices(("", "N", "K", "E"), weights=(30, 50, 15, 5))[0],
    )
    since = w.today - timedelta(days=rng.randint(30, 2500))
    postal, _town = people.known_address(since)
    address = Address(
        line_1=postal.line_1,
        line_2=postal.line_2,
        town=postal.town,
        postcode=normalise_postcode(postal.postcode) or "",
        postcode_raw=postal.postcode,
        date_from=since,
    )
    contacts = []
    for n in range(rng.choices((1, 2), weights=(50, 50))[0]):
        parent_first = people.en.first_name_female() if n == 0 else people.en.first_name_male()
        contacts.append(
            Contact(
                name=f"{parent_first} {last}",
                relationship=RELATIONSHIPS[n] if rng.random() < 0.85 else rng.choice(RELATIONSHIPS),
                phone=people.phone(),
                email=people.email(parent_first, last) if rng.random() < 0.5 else "",
                lives_with_child=n == 0 or rng.random() < 0.6,
            )
        )
    return Kid(child, rng.choice(CARERS), address, contacts)


def insert_children(w: World, kids: Sequence[Kid]) -> None:
    """The children, then everything that hangs off them (their keys pointed at the new rows)."""
    rng = w.rng
    Child.objects.bulk_create([k.child for k in kids], batch_size=BATCH)
    addresses: list[Address] = []
    contacts: list[Contact] = []
    other_names: list[OtherName] = []
    former: list[FormerUpn] = []
    keys: list[ChildMatchKey] = []
    for k in kids:
        child = k.child
        k.address.child = child
        addresses.append(k.address)
        if rng.random() < 0.15 and k.address.date_from is not None:  # an earlier address
            postal, _ = w.people.known_address(k.address.date_from - timedelta(days=900))
            addresses.append(
                Address(
                    child=child,
                    line_1=postal.line_1,
                    town=postal.town,
                    postcode=normalise_postcode(postal.postcode) or "",
                    postcode_raw=postal.postcode,
                    date_from=k.address.date_from - timedelta(days=rng.randint(200, 1500)),
                    date_to=k.address.date_from - timedelta(days=1),
                )
            )
        for c in k.contacts:
            c.child = child
            contacts.append(c)
        if rng.random() < 0.10:
            kind, first, last = w.people.other_name(
                forenames=child.forenames, surname=child.surname, sex=child.sex, locale="en_GB"
            )
            other_names.append(OtherName(child=child, kind=kind, forenames=first, surname=last))
        if rng.random() < 0.06:
            former.append(FormerUpn(child=child, upn=w.people.former_upn(child.date_of_birth)))
    rows: Sequence[models.Model]
    for model, rows in ((Address, addresses), (Contact, contacts), (OtherName, other_names)):
        model._default_manager.bulk_create(rows, batch_size=BATCH)  # type: ignore[arg-type]
        w.counts.add(model.__name__, len(rows))
    FormerUpn.objects.bulk_create(former, batch_size=BATCH)
    w.counts.add("FormerUpn", len(former))
    # The candidate search's keys, as the signals would have written them one save at a time.
    others: dict[int, list[str]] = {}
    for o in other_names:
        others.setdefault(o.child_id, []).append(o.surname)
    formers: dict[int, list[str]] = {}
    for f in former:
        formers.setdefault(f.child_id, []).append(f.upn)
    postcodes: dict[int, list[str]] = {}
    for a in addresses:
        postcodes.setdefault(a.child_id, []).append(a.postcode or a.postcode_raw)
    for k in kids:
        kid = k.child
        for key in blocking_keys(
            surnames=[kid.surname, *others.get(kid.pk, [])],
            date_of_birth=kid.date_of_birth,
            upns=[kid.upn, *formers.get(kid.pk, [])],
            postcodes=postcodes.get(kid.pk, []),
        ):
            keys.append(ChildMatchKey(child=kid, key=key))
    ChildMatchKey.objects.bulk_create(keys, batch_size=BATCH * 2)
    w.counts.add("Child", len(kids))
    w.counts.add("ChildMatchKey", len(keys))


# -------------------------------------------------------------------------------- cases


@dataclass
class Story:
    """One case and everything written about it, before the rows go in."""

    case: Case
    kid: Kid
    events: list[CaseEvent] = field(default_factory=list)
    enquiries: list[EnquiryCheck] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    closures: list[ClosureRequest] = field(default_factory=list)
    flags: list[ChildFlag] = field(default_factory=list)
    secondary: list[MissingReason] = field(default_factory=list)


def plan_case(
    w: World,
    kid: Kid,
    *,
    status: Status,
    referred: date,
    closed_by: date,
    outcomes: Sequence[str] = tuple(OUTCOME_WEIGHTS),
) -> Story:
    """A case of `status` referred on `referred`; a closed case closes no later than
    `closed_by`, with one of `outcomes`. Its timeline follows the status path, then the times
    are spread over its life."""
    rng = w.rng
    reason = rng.choices(w.reasons, weights=w.reason_weights)[0]
    source = rng.choice(REASON_SOURCES.get(reason.code, ("school",)))
    officer = None if rng.random() < UNASSIGNED_SHARE else rng.choice(w.officers)
    triager = rng.choice(w.officers)
    last_school = rng.choice(w.schools) if rng.random() < 0.8 else None
    is_closed = status == Status.CLOSED
    if is_closed:
        end = min(closed_by, referred + timedelta(days=rng.randint(20, 240)))
        end = max(end, referred + timedelta(days=1))
        path = rng.choice(CLOSED_PATHS)
        outcome = rng.choices(outcomes, weights=[OUTCOME_WEIGHTS[o] for o in outcomes])[0]
    else:
        end = w.today - timedelta(days=1) if referred < w.today else w.today
        path = PATHS[status]
        outcome = ""
    case = Case(
        child=kid.child,
        category="at_risk"
        if reason.code in AT_RISK_REASONS and rng.random() < AT_RISK_SHARE * 3
        else "cme",
        status=status,
        risk_level=rng.choices(list(RISK_WEIGHTS), weights=list(RISK_WEIGHTS.values()))[0],
        primary_reason=reason,
        assigned_to=officer,
        referral_date=referred,
        referral_source=source,
        referrer=f"{w.people.en.name()}, {SOURCE_LABEL[source]}",
        last_school=last_school,
        date_last_attended=referred - timedelta(days=rng.randint(5, 40)) if last_school else None,
        outcome=outcome,
        closed_on=end if is_closed else None,
    )
    story = Story(case, kid)
    if rng.random() < 0.3:
        story.secondary = [rng.choice(w.reasons)]
    actor = officer or triager
    name = kid.child.forenames.split()[0]
    # (kind, payload, actor), in the order they happened; times are given below.
    lines: list[tuple[str, dict[str, Any], User | None]] = [
        ("opened", {"source": SOURCE_LABEL[source]}, triager)
    ]
    if officer is not None:
        lines.append(
            ("assigned", {"to": officer.public_id.hex, "to_name": w.officer_name(officer)}, triager)
        )
    flag_codes = [c for c in REASON_FLAGS.get(reason.code, ()) if rng.random() < 0.35]
    if rng.random() < 0.3:
        flag_codes.append(rng.choice(GENERAL_FLAGS))
    for code in dict.fromkeys(flag_codes):
        flag = w.flags.get(code)
        if flag is None:
            continue
        lines.append(("flag_added", {"code": flag.code, "flag": flag.label}, actor))
        if flag.escalates:
            lines.append(("escalation_raised", {"trigger": flag.label}, actor))
    previous = Status.REFERRED
    steps = len(path)
    notes = rng.randint(1, 2 + min(8, (end - referred).days // 25))
    checks = 0 if status == Status.REFERRED and rng.random() < 0.5 else rng.randint(1, 4)
    body: list[tuple[str, dict[str, Any], User | None]] = []
    for _ in range(notes):
        text = rng.choice(NOTES).format(name=name, carer=kid.carer)
        body.append(("note_added", {"text": text}, actor))
    for _ in range(checks):
        check = rng.choice(w.check_types)
        body.append(("enquiry", {"check": check}, actor))
    if rng.random() < 0.05:
        body.append(("risk_changed", {"from_label": "Medium", "to_label": "High"}, actor))
    rng.shuffle(body)
    # Status changes spread through the notes and enquiries, in path order.
    at = sorted(rng.sample(range(len(body) + steps), steps)) if steps else []
    merged: list[tuple[str, dict[str, Any], User | None]] = []
    step = 0
    for i in range(len(body) + steps):
        if step < steps and i == at[step]:
            new = path[step]
            merged.append(
                (
                    "status_changed",
                    {
                        "to": new.value,
                        "from": previous.value,
                        "note": "",
                        "to_label": STATUS_LABEL[new],
                        "from_label": STATUS_LABEL[previous],
                    },
                    actor,
                )
            )
            previous = new
            step += 1
        else:
            merged.append(body[i - step])
    lines += merged
    if status == Status.UNTRACED:
        exhausted = {"note": "", "off_roll_date": None, "off_roll_label": ""}
        lines.append(("enquiries_exhausted", exhausted, actor))
    needs_approval = is_closed and (bool(flag_codes) or rng.random() < 0.15)
    pending = not is_closed and rng.random() < 0.01
    if needs_approval or pending:
        lines.append(
            ("closure_requested", {"note": "", "outcome_label": "On roll at a school"}, actor)
        )
    if needs_approval:
        lines.append(("closure_approved", {}, rng.choice(w.managers)))
    if is_closed:
        lines.append(
            (
                "closed",
                {
                    "note": "",
                    "outcome": outcome,
                    "closed_on": end.isoformat(),
                    "from_label": STATUS_LABEL[previous],
                    "outcome_label": OUTCOME_LABEL[outcome],
                },
                actor,
            )
        )
    # Times: the first two on the referral day, the rest in order over the case's life.
    days = sorted(between(rng, referred, end) for _ in lines)
    days[0] = referred
    if len(days) > 1 and lines[1][0] == "assigned":
        days[1] = referred
    if is_closed:
        days[-1] = end
    minutes = 0
    last_day: date | None = None
    for (kind, payload, by), day in zip(lines, days, strict=True):
        minutes = minutes + rng.randint(5, 90) if day == last_day else working_minutes(rng)
        minutes = min(minutes, 23 * 60 + 59)
        last_day = day
        when = aware(day, minutes)
        if kind == "enquiry":
            check_type: EnquiryCheckType = payload["check"]
            result = rng.choices(
                ("found", "nothing", "no_reply", "not_applicable"), weights=(30, 40, 20, 10)
            )[0]
            not_applicable = result == "not_applicable"
            story.enquiries.append(
                EnquiryCheck(
                    case=case,
                    check_type=check_type,
                    done_on=day,
                    done_by_name=w.officer_name(by),
                    method="" if not_applicable else rng.choice(("phone", "email", "system")),
                    result=result,
                    note="No data-sharing agreement is in place." if not_applicable else "",
                    recorded_by=by,
                )
            )
            if not_applicable:
                kind = "enquiry_not_applicable"
                payload = {"check": check_type.label, "reason": "No data-sharing agreement."}
            else:
                kind = "enquiry_recorded"
                labels = dict(EnquiryCheck.Result.choices)
                payload = {"note": "", "check": check_type.label, "result_label": labels[result]}
        elif kind == "flag_added":
            flag = w.flags[payload["code"]]
            removed = is_closed and rng.random() < 0.3
            story.flags.append(
                ChildFlag(
                    child=kid.child,
                    flag_type=flag,
                    added_by=by,
                    removed_at=aware(end, 17 * 60) if removed else None,
                )
            )
        elif kind == "escalation_raised":
            # An escalation is due the next day (cases.services.escalation) and a team that keeps
            # to that has only yesterday's and today's open, about half of them.
            still_open = not is_closed and (w.today - day).days <= 1 and rng.random() < 0.5
            flag = next(f for f in w.flags.values() if f.label == payload["trigger"])
            story.escalations.append(
                Escalation(
                    case=case,
                    trigger_code=flag.code,
                    trigger_label=flag.label,
                    raised_at=when,
                    raised_by=by,
                    due_on=day + timedelta(days=1),
                    notified_at=when,
                    acknowledged_at=None if still_open else when + timedelta(hours=2),
                    acknowledged_by=None if still_open else rng.choice(w.managers),
                    action_taken="" if still_open else rng.choice(ACTIONS),
                    resolved_at=None if still_open else when + timedelta(hours=20),
                    resolved_by=None if still_open else rng.choice(w.managers),
                )
            )
        elif kind == "closure_requested":
            story.closures.append(
                ClosureRequest(
                    case=case,
                    outcome=outcome or Outcome.ON_ROLL_THIS_LA,
                    closed_on=end,
                    requested_by=by,
                    state="approved" if needs_approval else "pending",
                    decided_by=rng.choice(w.managers) if needs_approval else None,
                    decided_at=aware(end, 16 * 60) if needs_approval else None,
                )
            )
        story.events.append(
            CaseEvent(case=case, kind=kind, actor=by, occurred_at=when, payload=payload)
        )
    changes = [e for e in story.events if e.kind == "status_changed"]
    case.status_changed_on = timezone.localdate(changes[-1].occurred_at) if changes else referred
    if is_closed:
        case.status_changed_on = end
    for escalation in story.escalations:
        if escalation.resolved_at is not None:
            story.events.append(
                CaseEvent(
                    case=case,
                    kind="escalation_resolved",
                    actor=escalation.resolved_by,
                    occurred_at=escalation.resolved_at,
                    payload={"note": escalation.action_taken, "trigger": escalation.trigger_label},
                )
            )
    return story


def referral_day(w: World, status: Status) -> date:
    low, high = STATUS_AGE[status]
    return w.today - timedelta(days=w.rng.randint(low, high))


# -------------------------------------------------------------------------- submissions


def _child_particulars(child: Child, address: Address | None) -> dict[str, Any]:
    return {
        "forenames": child.forenames,
        "surname": child.surname,
        "date_of_birth": child.date_of_birth,
        "sex": child.sex,
        "upn": child.upn,
        "address_line_1": address.line_1 if address else "",
        "town": address.town if address else "",
        "postcode": address.postcode if address else "",
    }


def origin_submission(w: World, story: Story) -> Submission:
    """The return, referral or notification the case was opened from, triaged and linked."""
    rng, case = w.rng, story.case
    kid = story.kid
    received = aware(case.referral_date, working_minutes(rng) - 30)
    closed = case.status == Status.CLOSED
    common: dict[str, Any] = {
        **_child_particulars(kid.child, kid.address),
        "received_at": received,
        "triage_state": TriageState.LINKED,
        "triaged_by": rng.choice(w.officers),
        "triaged_at": received + timedelta(hours=3),
        "case": case,
        "shared_status": SharedStatus.CLOSED_NO_ACTION if closed else SharedStatus.UNDER_ENQUIRY,
        "shared_status_at": received + timedelta(hours=3),
        "queue_priority": {"high": 1, "medium": 2, "low": 3}[case.risk_level],
        "school": case.last_school,
    }
    source = case.referral_source
    if source == "school" and case.last_school is not None:
        school = case.last_school
        return DeletionReturn(
            kind=Kind.DELETION,
            organisation=w.school_orgs.get(school.pk),
            submitted_by=w.school_users.get(school.pk),
            parent_names=", ".join(c.name for c in kid.contacts if c.lives_with_child),
            emergency_phone=kid.contacts[0].phone,
            ground=DELETION_GROUNDS.get(case.primary_reason.code, "g"),
            deletion_date=case.referral_date - timedelta(days=rng.randint(0, 3)),
            route="open_case",
            **common,
        )
    if source == "other_la":
        return OtherLaNotification(
            kind=Kind.OTHER_LA,
            direction=Direction.INBOUND,
            nature=Nature.MOVED_IN,
            other_la_name=rng.choice(("Liverpool", "Wirral", "Knowsley", "Lancashire")),
            officer_name=w.people.en.name(),
            concerns="Family believed to have moved to the area.",
            **common,
        )
    if source == "public":
        return PublicConcern(
            kind=Kind.PUBLIC,
            about_child=f"{kid.child.forenames} lives near me and is never at school.",
            where="At home during the day",
            why_worried="Seen out in school hours for weeks.",
            **common,
        )
    return CmeReferral(
        kind=Kind.REFERRAL,
        referrer_name=w.people.en.name(),
        referrer_role=SOURCE_LABEL[source],
        referral_source=source,
        primary_reason=case.primary_reason,
        risk_level=case.risk_level,
        parent_names=kid.contacts[0].name,
        parent_phone=kid.contacts[0].phone,
        **common,
    )


def school_return(
    w: World, kid: Kid, *, received: datetime, state: str, school: School | None = None
) -> Submission:
    """A new-pupil or deletion return from a school, of a pupil who needs no case."""
    rng = w.rng
    school = school or rng.choice(w.open_schools)
    common: dict[str, Any] = {
        **_child_particulars(kid.child, kid.address),
        "received_at": received,
        "school": school,
        "organisation": w.school_orgs.get(school.pk),
        "submitted_by": w.school_users.get(school.pk),
        "triage_state": state,
        "route": "record_only",
    }
    if state != TriageState.NEW:
        common |= {
            "triaged_by": rng.choice(w.officers),
            "triaged_at": received + timedelta(hours=5),
            "shared_status": SharedStatus.RECORDED,
            "shared_status_at": received + timedelta(hours=5),
        }
    day = timezone.localdate(received)
    if rng.random() < 0.55:
        return NewPupilReturn(
            kind=Kind.NEW_PUPIL,
            start_date=day - timedelta(days=rng.randint(0, 4)),
            parent_names=kid.contacts[0].name,
            parent_phone=kid.contacts[0].phone,
            previous_school=rng.choice(w.schools).name,
            **common,
        )
    return DeletionReturn(
        kind=Kind.DELETION,
        parent_names=kid.contacts[0].name,
        emergency_phone=kid.contacts[0].phone,
        ground="a",
        new_school=rng.choice(w.open_schools),
        deletion_date=day + timedelta(days=rng.randint(0, 2)),
        destination_due=day + timedelta(days=20),
        destination_confirmed_at=None if state == TriageState.NEW else received + timedelta(days=6),
        **common,
    )


def insert_submissions(w: World, rows: Sequence[Submission]) -> None:
    """Multi-table rows: the Submission parents in bulk (their keys come back), then each
    kind's own table with the insert Model.save() uses for a child table (as audit/bulk.py)."""
    by_model: dict[type[Submission], list[Submission]] = {}
    for row in rows:
        if not row.reference:
            row.reference = new_reference(row.kind)
        by_model.setdefault(type(row), []).append(row)
    parent_fields = Submission._meta.concrete_fields
    for model, objs in by_model.items():
        for start in range(0, len(objs), BATCH):
            chunk = objs[start : start + BATCH]
            parents = [
                Submission(**{f.attname: getattr(o, f.attname) for f in parent_fields})
                for o in chunk
            ]
            Submission.objects.bulk_create(parents)
            for obj, parent in zip(chunk, parents, strict=True):
                obj.pk = parent.pk
                obj.submission_ptr_id = parent.pk  # type: ignore[attr-defined]
                obj._state.adding = False
            model._base_manager._insert(  # type: ignore[attr-defined]
                chunk, fields=model._meta.local_concrete_fields, using="default"
            )
        w.counts.add(model.__name__, len(objs))


# ------------------------------------------------------------------------------ the run


def build_cases(w: World, total: int, *, say: Callable[[str], None]) -> None:
    rng = w.rng
    n_previous = round(total * PREVIOUS_CASE_SHARE) if total >= 10 else 0
    n_primary = total - n_previous
    statuses = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=n_primary)
    with_previous = set(rng.sample(range(n_primary), n_previous))
    open_count = sum(1 for s in statuses if s != Status.CLOSED)
    waiting = max(5, round(open_count * WAITING_QUEUE_SHARE))
    caseless = round(total * CASELESS_CHILDREN_PER_CASE)
    done = 0
    for start in range(0, n_primary, CHUNK):
        with transaction.atomic():
            stories: list[Story] = []
            kids = [new_child(w) for _ in range(min(CHUNK, n_primary - start))]
            insert_children(w, kids)
            for offset, kid in enumerate(kids):
                i = start + offset
                status = statuses[i]
                referred = referral_day(w, status)
                if i in with_previous:
                    # An earlier case, closed well before this referral (demo: previous_of).
                    before = referred - timedelta(days=rng.randint(120, 400))
                    earlier = plan_case(
                        w,
                        kid,
                        status=Status.CLOSED,
                        referred=before,
                        closed_by=referred - timedelta(days=10),
                        outcomes=PREVIOUS_OUTCOMES,
                    )
                    stories.append(earlier)
                stories.append(
                    plan_case(w, kid, status=status, referred=referred, closed_by=w.today)
                )
            insert_stories(w, stories)
            done += len(stories)
        if done % 10_000 < CHUNK or start + CHUNK >= n_primary:
            say(f"  {done:,} of {total:,} cases")
    with transaction.atomic():
        kids = [new_child(w) for _ in range(caseless)]
        insert_children(w, kids)
        # Returns that needed no case, over the last eighteen months, and the waiting queue.
        extra = []
        for kid in rng.choices(kids, k=round(total * EXTRA_RETURNS_PER_CASE)) if kids else []:
            day = w.today - timedelta(days=rng.randint(4, 545))
            extra.append(school_return(w, kid, received=aware(day, 600), state="no_action"))
        for kid in rng.choices(kids, k=waiting) if kids else []:
            day = w.today - timedelta(days=rng.randint(0, 6))
            extra.append(school_return(w, kid, received=aware(day, 600), state=TriageState.NEW))
        insert_submissions(w, extra)
    say(f"  {caseless:,} children with no case, {len(extra):,} returns that needed none")


def insert_stories(w: World, stories: Sequence[Story]) -> None:
    Case.objects.bulk_create([s.case for s in stories], batch_size=BATCH)
    through = Case.secondary_reasons.through
    through.objects.bulk_create(
        [
            through(case_id=s.case.pk, missingreason_id=r.pk)
            for s in stories
            for r in s.secondary
            if r.pk != s.case.primary_reason_id
        ],
        batch_size=BATCH,
    )
    events = [e for s in stories for e in s.events]
    for e in events:
        e.case_id = e.case.pk
    CaseEvent.objects.bulk_create(events, batch_size=BATCH * 2)
    for model, rows in (
        (EnquiryCheck, [r for s in stories for r in s.enquiries]),
        (Escalation, [r for s in stories for r in s.escalations]),
        (ClosureRequest, [r for s in stories for r in s.closures]),
    ):
        for r in rows:
            r.case_id = r.case.pk
        model._default_manager.bulk_create(rows, batch_size=BATCH)  # type: ignore[arg-type]
        w.counts.add(model.__name__, len(rows))
    # A flag raised on a child's earlier case and still active is not raised twice.
    seen: set[tuple[int, int]] = set()
    flags = []
    for s in stories:
        for f in s.flags:
            key = (f.child.pk, f.flag_type_id)
            if f.removed_at is None and key in seen:
                continue
            if f.removed_at is None:
                seen.add(key)
            f.child_id = f.child.pk
            flags.append(f)
    ChildFlag.objects.bulk_create(flags, batch_size=BATCH)
    insert_submissions(w, [origin_submission(w, s) for s in stories])
    w.counts.add("Case", len(stories))
    w.counts.add("CaseEvent", len(events))
    w.counts.add("ChildFlag", len(flags))


def work_tasks(w: World, *, say: Callable[[str], None]) -> None:
    """The deadline rules' tasks, as the daily tick makes them; then most of those already due
    marked done (officers work their lists), which lets the rules make the next ones, twice
    over; then done tasks on the closed cases (their history); then the overdue report."""
    rng = w.rng
    calendar = school_calendar()
    for _round in range(3):
        result = tasks_sync(cases=Case.objects.all(), calendar=calendar)
        gaps = sorted(result.missing_term_dates)
        say(
            f"  tick: {result.created:,} tasks created, {result.cancelled:,} cancelled"
            + (f", term dates missing: {gaps}" if gaps else "")
        )
        due = Task.objects.filter(
            done_at__isnull=True, cancelled_at__isnull=True, due_on__lt=w.today - timedelta(days=2)
        ).values_list("pk", "due_on", "assigned_to_id")
        done: list[Task] = []
        for pk, due_on, officer in due.iterator(chunk_size=5000):
            if rng.random() < 0.85:
                when = aware(due_on - timedelta(days=rng.randint(0, 3)), working_minutes(rng))
                done.append(Task(pk=pk, done_at=when, done_by_id=officer))
        Task.objects.bulk_update(done, ["done_at", "done_by"], batch_size=BATCH)
    history: list[Task] = []
    closed = Case.objects.filter(status=Status.CLOSED).values_list(
        "pk", "referral_date", "closed_on", "assigned_to_id"
    )
    for pk, referred, closed_on, officer in closed.iterator(chunk_size=5000):
        assert closed_on is not None  # a closed case has its date (closed_iff_outcome)
        for kind, label, days in (
            ("home_visit", "Home visit", 5),
            ("first_review", "First review", 10),
            ("enquiries_complete", "Enquiries complete", 20),
        ):
            due_on = referred + timedelta(days=days)
            finished = min(due_on, closed_on)
            history.append(
                Task(
                    case_id=pk,
                    kind=kind,
                    title=label,
                    due_on=due_on,
                    rule_key=f"{kind}:{referred}",
                    assigned_to_id=officer,
                    done_at=aware(finished, working_minutes(rng)),
                    done_by_id=officer,
                )
            )
    Task.objects.bulk_create(history, batch_size=BATCH)
    reported = tasks_escalate_overdue()
    w.counts.add("Task", Task.objects.count())
    say(f"  {len(history):,} done tasks on closed cases; {reported:,} overdue tasks reported")


def backdate() -> None:
    """bulk_create stamps auto_now(_add) fields "now": put them back where the story says."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET opened_at = (referral_date + time '09:00') AT TIME ZONE "
            "'Europe/London' + (id % 480) * interval '1 minute', updated_at = "
            "(COALESCE(closed_on, status_changed_on, referral_date) + time '16:00') "
            "AT TIME ZONE 'Europe/London'"
        )
        cursor.execute(
            "UPDATE cases_task t SET created_at = c.opened_at FROM cases_case c "
            "WHERE c.id = t.case_id"
        )
        cursor.execute(
            "UPDATE cases_enquirycheck SET recorded_at = (done_on + time '17:00') "
            "AT TIME ZONE 'Europe/London'"
        )
        cursor.execute(
            "UPDATE cases_closurerequest SET requested_at = (closed_on + time '10:00') "
            "AT TIME ZONE 'Europe/London'"
        )
        # Every row was just written (and the tasks and cases rewritten): a register in use has
        # had autovacuum through it, so its visibility map is set and index-only scans work.
        cursor.execute("VACUUM (ANALYZE)")


def build(cases: int, *, seed: int, say: Callable[[str], None]) -> Counts:
    rng = random.Random(seed)
    with transaction.atomic():
        w = build_world(rng, say=say)
    say(f"{cases:,} cases with their children, timelines and submissions...")
    build_cases(w, cases, say=say)
    say("Tasks from the deadline rules (the daily tick)...")
    work_tasks(w, say=say)
    backdate()
    return w.counts
