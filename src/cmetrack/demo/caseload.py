"""The demo caseload: how many cases of each status, reason and outcome, whose, and when."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from cmetrack.accounts.models import User
from cmetrack.cases.models import MissingReason, Outcome, ReferralSource, RiskLevel
from cmetrack.cases.status import Status
from cmetrack.children.models import Address, SenStatus, Sex, VulnerabilityFlagType
from cmetrack.core.school_age import compulsory_school_age_end
from cmetrack.core.year_group import national_curriculum_year
from cmetrack.schools.models import School

from .dates import Timing, WorkingDays
from .draws import covering_list
from .errors import SeedError
from .families import AgeRule, Families
from .people import People
from .plans import (
    AT_RISK_REASONS,
    GENERAL_FLAGS,
    OUTCOME_WEIGHTS,
    PREVIOUS_OUTCOMES,
    REASON_FLAGS,
    REASON_SOURCES,
    REASON_WEIGHTS,
    STATUS_AGE,
    STATUS_WEIGHTS,
    CasePlan,
)
from .schools import SchoolChooser
from .scripts import Scripts
from .vocabulary import OTHER_LAS, SCHOOL_ROLES


class Planner:
    """Draws every case, child and family, and each case's script, before anything is written."""

    def __init__(
        self,
        *,
        people: People,
        days: WorkingDays,
        schools: list[School],
        reasons: list[MissingReason],
        flag_types: list[VulnerabilityFlagType],
    ) -> None:
        self.people = people
        self.rng = people.rng
        self.today = people.today
        self.days = days
        self.reasons = reasons
        self.flag_types = flag_types
        self.flag_by_code = {f.code: f for f in flag_types}
        people.upn_estabs = [
            s.establishment_number for s in schools if s.phase in ("Primary", "All-through")
        ] or [s.establishment_number for s in schools]
        self.families = Families(people)
        self.schools = SchoolChooser(self.rng, today=self.today, schools=schools)
        self.scripts = Scripts(self.rng, today=self.today, schools=self.schools)
        self.timing = Timing(self.rng, today=self.today, days=days)
        self.caseless = 0  # children to make without a case, once the plans are drawn

    def plan_cases(
        self,
        *,
        cases: int,
        children: int,
        officers: list[User],
        manager: User,
    ) -> list[CasePlan]:
        rng = self.rng
        # About one child in fourteen has been missing education before: an older, closed case.
        n_previous = round(cases * 0.07) if cases >= 10 else 0
        n_primary = cases - n_previous

        statuses = covering_list(
            rng, list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()), n_primary
        )
        reason_weights = [REASON_WEIGHTS.get(r.code, 3) for r in self.reasons]
        reasons = covering_list(rng, self.reasons, reason_weights, cases)
        plans = [CasePlan(index=i, status=statuses[i], reason=reasons[i]) for i in range(n_primary)]
        previous = [
            CasePlan(index=n_primary + i, status=Status.CLOSED, reason=reasons[n_primary + i])
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
            plan.steps = self.scripts.script(plan, officers, manager)
            self.scripts.check_path(plan)
        self.timing.fit_dates(everyone)
        for plan in everyone:
            self._finish_referral(plan)
        return everyone

    def _group_siblings(self, plans: list[CasePlan]) -> None:
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

    def _choose_outcomes(self, plans: list[CasePlan], previous: list[CasePlan]) -> None:
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

    def _pair_previous(self, plans: list[CasePlan], previous: list[CasePlan]) -> None:
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

    def _make_children(self, own_child: list[CasePlan], followers: list[CasePlan]) -> None:
        rng = self.rng
        for plan in own_child:
            # At this address since before the first referral, including any earlier case.
            history = plan.age_days + (340 if plan.has_previous else 0)
            since = self.today - timedelta(days=history + rng.randint(30, 1500))
            plan.child = self.families.child(self.families.family(since), **self._age_rule(plan))
        # Year groups already taken in each family, so siblings are not all the same age.
        taken: dict[int, list[int]] = {}
        for plan in followers:
            leader = plan.leader
            assert leader is not None and leader.child is not None
            years = taken.setdefault(leader.index, [])
            if not years and leader.child.dob is not None:
                years.append(national_curriculum_year(leader.child.dob, self.today))
            plan.child = self.families.child(leader.child.family, sibling_years=list(years))
            if plan.child.dob is not None:
                years.append(national_curriculum_year(plan.child.dob, self.today))

    def _age_rule(self, plan: CasePlan) -> AgeRule:
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

    def _fill_referral(self, plan: CasePlan, officers: list[User], manager: User) -> None:
        rng = self.rng
        if plan.previous_of is not None:
            plan.child = plan.previous_of.child
        child = plan.child
        assert child is not None
        if plan.leader is not None and plan.leader.referral_date is not None:
            referral = plan.leader.referral_date
        else:
            referral = self.days.on_or_before(self.today - timedelta(days=plan.age_days))
        if plan.outcome == Outcome.OVER_AGE and child.dob is not None:
            # Referred while still of school age, closed after the leaving date.
            leaving = compulsory_school_age_end(child.dob)
            referral = self.days.on_or_before(leaving - timedelta(days=rng.randint(40, 150)))
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
            plan.last_school = self.schools.for_child(child, prefer_user_school=True)
            days_back = rng.randint(3, 45)
            plan.date_last_attended = self.days.on_or_before(referral - timedelta(days=days_back))
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

    def _finish_referral(self, plan: CasePlan) -> None:
        """What depends on the final referral dates: the move before a second case, the note."""
        child = plan.child
        assert child is not None
        later = plan.previous_of
        if later is not None and child.family.address.state == Address.State.KNOWN:
            # The family has moved since the first case: a second address on the record.
            moved_on = (later.referral_date or self.today) - timedelta(days=self.rng.randint(2, 9))
            child.moved_to, _ = self.families.known_address(moved_on)
        plan.note = self.scripts.referral_note(plan)

    def _school_referrer(self, school: School) -> str:
        name = f"{self.people.en.first_name()} {self.people.en.last_name()}"
        return f"{name}, {self.rng.choice(SCHOOL_ROLES)}, {school.name}"

    def _referrer(self, plan: CasePlan) -> str:
        rng = self.rng
        name = f"{self.people.en.first_name()} {self.people.en.last_name()}"
        la = rng.choice(OTHER_LAS)
        match plan.source:
            case ReferralSource.SOCIAL_CARE:
                return f"{name}, social worker, Sefton Children's Social Care"
            case ReferralSource.HEALTH:
                role = rng.choice(["school nurse", "health visitor"])
                return f"{name}, {role}, community health team"
            case ReferralSource.POLICE:
                return f"PC {self.people.en.last_name()}, missing from home coordinator, police"
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

    def _assign_flags(self, plans: list[CasePlan]) -> None:
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

    def _flag_fits(self, code: str, plan: CasePlan) -> bool:
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
