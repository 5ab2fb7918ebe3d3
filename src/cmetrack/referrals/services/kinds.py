"""What differs between the kinds of submission once they have arrived, one entry per kind.

Each kind's module registers how its submissions read on a case's timeline, who the referral
source is and what a case opened from one starts with; triage and the timeline look the kind up
here instead of asking `if kind == ...` in every function. Adding a kind is one `register` call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from cmetrack.cases.models import Category, MissingReason, ReferralSource, RiskLevel
from cmetrack.children.models import VulnerabilityFlagType

from ..models import Kind, Submission


@dataclass(frozen=True)
class CaseStart:
    """What a case opened from a submission of this kind begins with."""

    reason_code: str = "other"
    # cases.Category: CME, or at risk of missing education (on a roll, joint enquiries).
    category: str = Category.CME
    primary_reason: MissingReason | None = None
    secondary_reasons: list[MissingReason] = field(default_factory=list)
    flags: list[VulnerabilityFlagType] = field(default_factory=list)
    risk_level: str = RiskLevel.MEDIUM
    date_last_attended: date | None = None
    whereabouts_unknown: bool = False
    # Parents named and their phone: the contact a new child record starts with.
    parent_names: str = ""
    parent_phone: str = ""


@dataclass(frozen=True)
class KindRules:
    # Lines under the timeline entry: what came in, beyond its kind and reference.
    details: Callable[[Submission], list[str]]
    # The referral source recorded on a case opened from it (a cases.ReferralSource value).
    source: Callable[[Submission], str]
    case_start: Callable[[Submission], CaseStart]


_RULES: dict[str, KindRules] = {}


def register(kind: Kind, rules: KindRules) -> None:
    _RULES[kind.value] = rules


def rules_for(submission: Submission) -> KindRules:
    return _RULES[submission.kind]


def submission_details(submission: Submission) -> str:
    """What came in, beyond its kind and reference: shown under the timeline line."""
    detail = submission.detail
    return "\n".join(rules_for(detail).details(detail))


def school_source(submission: Submission) -> str:
    return ReferralSource.SCHOOL
