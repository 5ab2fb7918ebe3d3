"""Each case's story after the referral: the steps the services will replay, and its notes."""

from __future__ import annotations

import calendar
import random
from collections.abc import Sequence
from datetime import date, timedelta

from cmetrack.accounts.models import User
from cmetrack.cases.models import Outcome, RiskLevel
from cmetrack.cases.status import Status, check_transition
from cmetrack.core.school_age import compulsory_school_age_end

from .notes import (
    CLOSE_NOTES,
    ENQUIRY_NOTES,
    ESCALATION_NOTES,
    LOCATED_NOTES,
    MONITORING_NOTES,
    PLACED_NOTES,
    REFERRAL_NOTES,
    REOPEN_REASONS,
    STATUS_NOTES,
    TRANSFER_NOTES,
    TRIAGE_NOTES,
    UNTRACED_REVIEWS,
)
from .plans import CasePlan, Step
from .schools import SchoolChooser
from .vocabulary import FAR_PLACES, OTHER_LAS, POSTCODE_AREAS

MONTHS = tuple(calendar.month_name)[1:]


def long_date(value: date) -> str:
    # Spelled out so notes never depend on the process locale.
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


class Scripts:
    def __init__(self, rng: random.Random, *, today: date, schools: SchoolChooser) -> None:
        self.rng = rng
        self.today = today
        self.schools = schools

    def context(self, plan: CasePlan) -> dict[str, str]:
        rng = self.rng
        child = plan.child
        assert child is not None
        family = child.family
        other_town = rng.choice(
            [t for _, towns in POSTCODE_AREAS for t in towns if t != family.town]
        )
        school = plan.last_school or self.schools.for_child(child)
        new_school = self.schools.for_child(child) or rng.choice(self.schools.open_schools)
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

    def referral_note(self, plan: CasePlan) -> str:
        c = self.context(plan)
        c["date"] = long_date(plan.date_last_attended or plan.referral_date or self.today)
        text = REFERRAL_NOTES.get(plan.reason.code, REFERRAL_NOTES["other"])
        return text.format(**c) if self.rng.random() < 0.9 else ""

    def script(self, plan: CasePlan, officers: list[User], manager: User) -> list[Step]:
        """The case's history after the referral, as steps the services will replay."""
        rng = self.rng
        c = self.context(plan)
        steps: list[Step] = []
        flags_pending = bool(plan.late_flags)

        def note(gap: int, options: Sequence[str]) -> None:
            steps.append(Step("note", gap, text=rng.choice(options).format(**c)))

        def late_flags(gap: int) -> None:
            nonlocal flags_pending
            if not flags_pending:
                return
            flags_pending = False
            for flag_type in plan.late_flags:
                steps.append(Step("flag", gap, flag=flag_type))
                if flag_type.escalates:
                    if plan.risk != RiskLevel.HIGH:
                        steps.append(Step("risk", 0, to=RiskLevel.HIGH))
                        plan.risk = RiskLevel.HIGH
                    note(0, ESCALATION_NOTES)

        if plan.officer is not None:
            steps.append(
                Step("assign", rng.choice([0, 0, 1, 1, 2]), officer=plan.officer, by=manager)
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
            steps.append(Step("status", rng.randint(1, 4), to=Status.ENQUIRIES))
            note(rng.randint(3, 10), ENQUIRY_NOTES)
            wrong = Outcome.ON_ROLL_OTHER_LA
            steps.append(
                Step("close", rng.randint(5, 20), to=wrong, text=CLOSE_NOTES[wrong].format(**c))
            )
            reason = rng.choice(REOPEN_REASONS).format(**c)
            steps.append(Step("reopen", rng.randint(10, 40), text=reason, by=manager))
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
            steps.append(Step("status", gap, to=status, text=text))
            if status == Status.ENQUIRIES:
                for option in rng.sample(ENQUIRY_NOTES, k=rng.randint(1, 4)):
                    steps.append(Step("note", rng.randint(2, 9), text=option.format(**c)))
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
                    Step("assign", rng.randint(3, 15), officer=rng.choice(others), by=manager)
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
                Step(
                    "close",
                    rng.randint(15, 30) if settled else rng.randint(7, 25),
                    to=outcome,
                    text=CLOSE_NOTES[outcome].format(**c),
                    by=manager if senior else None,
                    not_before=not_before,
                )
            )
        return steps

    def _path(self, plan: CasePlan) -> list[Status]:
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

    def check_path(self, plan: CasePlan) -> None:
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
