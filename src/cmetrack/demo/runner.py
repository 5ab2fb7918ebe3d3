"""Replaying the plans through the services: referrals, casework, closures, and the children
known without a case. Every write to a child or a case goes through a service, under the acting
user, so the timelines and the audit log are real; only the times are then moved into the past
(backdate.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.utils import timezone

from cmetrack.accounts.access import is_manager
from cmetrack.accounts.models import User
from cmetrack.cases.models import Case, EnquiryCheck, EnquiryCheckType
from cmetrack.cases.services import (
    ReferralData,
    case_add_note,
    case_assign,
    case_change_status,
    case_close,
    case_enquiries_exhausted,
    case_flag_add,
    case_reopen,
    case_set_risk,
    closure_approve,
    closure_needs_approval,
    closure_request,
    enquiry_checks_missing,
    enquiry_mark_not_applicable,
    enquiry_record,
    escalation_resolve,
    referral_record,
)
from cmetrack.cases.status import Status
from cmetrack.children.services import (
    ChildData,
    child_address_add,
    child_create,
    child_details_update,
    child_former_upn_add,
    child_other_name_add,
)

from . import backdate
from .caseload import Planner
from .errors import SeedError
from .notes import ESCALATION_ACTIONS
from .plans import CasePlan, ChildPlan


class Runner:
    def __init__(self, planner: Planner, *, say: Callable[[str], None]) -> None:
        self.planner = planner
        self.rng = planner.rng
        self.today = planner.today
        self.timing = planner.timing
        self.say = say
        # Rows the services write from now on are the ones to move into the past.
        self.run_started = timezone.now()

    def run(self, plans: list[CasePlan]) -> None:
        # Oldest first: an earlier case is closed before the child's next one opens, and ids
        # grow with time as they would in a live system.
        ordered = sorted(plans, key=lambda p: (p.referral_date or self.today, p.index))
        for done, plan in enumerate(ordered, start=1):
            self._run_case(plan)
            if done % 100 == 0:
                self.say(f"  {done} of {len(ordered)} cases")

    def _run_case(self, plan: CasePlan) -> None:
        child = plan.child
        assert child is not None and plan.referral_date is not None and plan.triager is not None
        times = self.timing.times(plan)
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
        backdate.events(case, opened, since=self.run_started, several=True)
        backdate.flags(case.child_id, opened, since=self.run_started)
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
                    # Untraced is a manager's decision that enquiries are exhausted, once
                    # every check on the checklist is recorded or marked not applicable.
                    self._complete_checklist(case, plan, by, timezone.localtime(when).date())
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
                    backdate.flags(record.pk, when, since=self.run_started)
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
            backdate.events(case, when, since=self.run_started)
            if step.kind in {"status", "close", "reopen"}:
                backdate.status_changed_on(case, timezone.localtime(when).date())
            last = when
        # The services stamp "now"; move the case's own timestamps to match.
        backdate.case_times(case, opened=opened, updated=last)
        if new_child:
            backdate.child_times(record.pk, opened)

    def _complete_checklist(self, case: Case, plan: CasePlan, by: User, until: date) -> None:
        """Every check not yet recorded: made, nothing found (the school's by the last school,
        spread between the referral and `until`), or not applicable where it cannot apply."""
        assert plan.referral_date is not None
        missing = enquiry_checks_missing(case=case)
        span = max((until - plan.referral_date).days, 0)
        for n, check in enumerate(missing, start=1):
            if check.code == "la-benefits":
                reason = "No data-sharing agreement for benefits data is in place."
            elif check.side == EnquiryCheckType.Side.SCHOOL and plan.last_school is None:
                reason = "No previous school: the child has not been on a school roll here."
            else:
                school_side = check.side == EnquiryCheckType.Side.SCHOOL
                enquiry_record(
                    case=case,
                    check_type=check,
                    done_on=plan.referral_date + timedelta(days=span * n // len(missing)),
                    done_by_name=plan.last_school.name
                    if school_side and plan.last_school
                    else f"{by}, CME team",
                    method=EnquiryCheck.Method.VISIT
                    if "home-visit" in check.code
                    else EnquiryCheck.Method.PHONE
                    if school_side
                    else EnquiryCheck.Method.SYSTEM,
                    result=EnquiryCheck.Result.NOTHING,
                    by=by,
                )
                continue
            enquiry_mark_not_applicable(case=case, check_type=check, reason=reason, by=by)

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

    def _enrich(self, child: ChildPlan, by: User) -> None:
        """What the referral form does not take: ethnicity, SEN status, other names, former
        UPNs and an earlier address."""
        record = child.record
        assert record is not None
        child_details_update(
            child=record, ethnicity=child.family.ethnicity, sen_status=child.sen_status, by=by
        )
        for kind, forenames, surname in child.other_names:
            child_other_name_add(
                child=record, kind=kind, forenames=forenames, surname=surname, by=by
            )
        for upn in child.former_upns:
            child_former_upn_add(child=record, upn=upn, by=by)
        if child.previous_address is not None:
            child_address_add(
                child=record, data=child.previous_address, date_to=child.previous_address_to, by=by
            )

    def _move(self, child: ChildPlan, by: User) -> None:
        """A child referred again has moved since: the new address closes the old one."""
        record = child.record
        assert record is not None and child.moved_to is not None
        child_address_add(child=record, data=child.moved_to, by=by)
        child.moved_to = None

    def make_caseless_children(self, count: int, by: User) -> None:
        """Children the team knows without a CME episode: names from cross-checks and other
        authorities' enquiries, kept so that matching has someone to find."""
        rng = self.rng
        families = self.planner.families
        days = self.planner.days
        for _ in range(count):
            since = self.today - timedelta(days=rng.randint(60, 2000))
            family = families.family(since)
            plan = families.child(family)
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
            created: datetime = self.timing.at(
                days.on_or_before(self.today - timedelta(days=rng.randint(1, 540)))
            )
            self._enrich(plan, by)
            backdate.child_times(record.pk, created)
