"""CME referrals from schools, partner agencies and the CME team itself (DOMAIN.md §2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.access import can_refer, is_school_user
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.cases.models import Category, MissingReason, ReferralSource, RiskLevel
from cmetrack.children.models import VulnerabilityFlagType
from cmetrack.core.grounds import Route
from cmetrack.schools.models import School

from ..checks import Verdict
from ..checks.child import check_child, check_event_date, check_lengths, check_not_future
from ..models import CmeReferral, HomeVisit, Kind, ReferralAction, Submission
from ..particulars import ChildParticulars
from .common import fill_child, received_and_acknowledged, stamp
from .errors import IntakeError, refuse_if_errors
from .escalation import escalate_on_arrival, urgent_reasons
from .kinds import CaseStart, KindRules, register


@dataclass(frozen=True)
class ActionData:
    done_on: date
    action: str
    outcome: str = ""


@dataclass(frozen=True)
class HomeVisitData:
    visited_on: date
    address: str
    visited_at: time | None = None
    who_was_seen: str = ""


@dataclass(frozen=True)
class CmeReferralData:
    child: ChildParticulars
    referrer_name: str
    # None only while a form is being checked: the check asks for it.
    primary_reason: MissingReason | None
    referral_source: str = ReferralSource.SCHOOL
    referrer_role: str = ""
    referrer_phone: str = ""
    parent_names: str = ""
    parent_phone: str = ""
    last_school: School | None = None
    date_last_attended: date | None = None
    secondary_reasons: list[MissingReason] = field(default_factory=list)
    flags: list[VulnerabilityFlagType] = field(default_factory=list)
    dsl_risk_view: str = ""
    risk_level: str = RiskLevel.MEDIUM
    social_care_referred: bool = False
    social_care_outcome: str = ""
    still_on_roll: bool = False
    actions: list[ActionData] = field(default_factory=list)
    home_visits: list[HomeVisitData] = field(default_factory=list)


def cme_referral_check(data: CmeReferralData, *, today: date) -> Verdict:
    """The one check of a referral, for the form, the service and the API."""
    verdict = Verdict()
    check_child(data.child, verdict, today=today, need_dob=False)
    if data.primary_reason is None:
        verdict.error("primary_reason", "Choose the main reason")
    if not data.referrer_name.strip():
        verdict.error("referrer_name", "Enter your name")
    if data.referral_source not in ReferralSource.values:
        verdict.error("referral_source", "Choose who is making the referral")
    if data.risk_level not in RiskLevel.values:
        verdict.error("risk_level", "Choose the level of risk")
    check_not_future(
        verdict, data.date_last_attended, "date_last_attended", "Date last attended", today=today
    )
    check_event_date(
        verdict, data.date_last_attended, "date_last_attended", "Date last attended", today=today
    )
    if data.social_care_outcome.strip() and not data.social_care_referred:
        verdict.error(
            "social_care_referred",
            "Say the child was referred to children's social care, or leave the outcome blank",
        )
    for action in data.actions:
        check_not_future(verdict, action.done_on, "actions", "The date of an action", today=today)
        check_event_date(verdict, action.done_on, "actions", "The date of an action", today=today)
        if not action.action.strip():
            verdict.error("actions", "Say what each action was")
    for visit in data.home_visits:
        check_not_future(
            verdict, visit.visited_on, "home_visits", "The date of a home visit", today=today
        )
        check_event_date(
            verdict, visit.visited_on, "home_visits", "The date of a home visit", today=today
        )
        if not visit.address.strip():
            verdict.error("home_visits", "Enter the address of each home visit")
    check_lengths(
        verdict,
        {
            "parent_names": data.parent_names.strip(),
            "parent_phone": data.parent_phone.strip(),
        },
    )
    return verdict


@transaction.atomic
def cme_referral_submit(*, data: CmeReferralData, by: User) -> CmeReferral:
    if not can_refer(by):
        raise IntakeError("Only a school, a partner agency or the CME team can make a referral.")
    verdict = cme_referral_check(data, today=timezone.localdate())
    refuse_if_errors(verdict)
    school = data.last_school
    if is_school_user(by) and by.organisation and school is None:
        school = by.organisation.school
    ref = CmeReferral(
        kind=Kind.REFERRAL,
        school=school,
        referrer_name=data.referrer_name.strip(),
        referrer_role=data.referrer_role.strip(),
        referrer_phone=data.referrer_phone.strip(),
        referral_source=data.referral_source,
        parent_names=data.parent_names.strip(),
        parent_phone=data.parent_phone.strip(),
        date_last_attended=data.date_last_attended,
        primary_reason=data.primary_reason,
        dsl_risk_view=data.dsl_risk_view.strip(),
        risk_level=RiskLevel(data.risk_level).value,
        social_care_referred=data.social_care_referred,
        social_care_outcome=data.social_care_outcome.strip(),
        still_on_roll=data.still_on_roll,
        route=Route.OPEN_CASE.value,
    )
    fill_child(ref, data.child, verdict)
    stamp(ref, by)
    with acting_as(by):
        ref.save()
        ref.secondary_reasons.set([r for r in data.secondary_reasons if r != data.primary_reason])
        ref.flags.set(data.flags)
        for a in data.actions:
            ReferralAction.objects.create(
                referral=ref, done_on=a.done_on, action=a.action.strip(), outcome=a.outcome.strip()
            )
        for v in data.home_visits:
            HomeVisit.objects.create(
                referral=ref,
                visited_on=v.visited_on,
                visited_at=v.visited_at,
                address=v.address.strip(),
                who_was_seen=v.who_was_seen.strip(),
            )
    escalate_on_arrival(
        ref,
        reasons=urgent_reasons(flags=data.flags, risk_level=data.risk_level),
        flags=data.flags,
        risk_level=data.risk_level,
        by=by,
    )
    received_and_acknowledged(ref, by)
    return ref


def _details(submission: Submission) -> list[str]:
    assert isinstance(submission, CmeReferral)
    lines = [f"Referred by {submission.referrer_name} ({submission.referrer_role})."]
    if submission.dsl_risk_view:
        lines.append(f"DSL's view of risk: {submission.dsl_risk_view}")
    return lines


def _source(submission: Submission) -> str:
    assert isinstance(submission, CmeReferral)
    return submission.referral_source


def _case_start(submission: Submission) -> CaseStart:
    assert isinstance(submission, CmeReferral)
    return CaseStart(
        primary_reason=submission.primary_reason,
        secondary_reasons=list(submission.secondary_reasons.all()),
        flags=list(submission.flags.all()),
        risk_level=RiskLevel(submission.risk_level),
        date_last_attended=submission.date_last_attended,
        category=Category.AT_RISK if submission.still_on_roll else Category.CME,
        parent_names=submission.parent_names,
        parent_phone=submission.parent_phone,
    )


register(Kind.REFERRAL, KindRules(details=_details, source=_source, case_start=_case_start))
