"""Concerns from members of the public, through the form that needs no sign-in."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from cmetrack.audit.context import acting_as
from cmetrack.cases.models import ReferralSource

from ..checks import Verdict
from ..models import Kind, PublicConcern, Submission
from .common import acknowledge
from .errors import refuse_if_errors
from .kinds import CaseStart, KindRules, register


@dataclass(frozen=True)
class PublicConcernData:
    about_child: str
    where: str
    why_worried: str
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


def public_concern_check(data: PublicConcernData) -> Verdict:
    verdict = Verdict()
    for name, value, message in (
        ("about_child", data.about_child, "Tell us what you know about the child"),
        ("where", data.where, "Tell us where the child is, or might be"),
        ("why_worried", data.why_worried, "Tell us why you are worried"),
    ):
        if not value.strip():
            verdict.error(name, message)
    return verdict


@transaction.atomic
def public_concern_submit(*, data: PublicConcernData) -> PublicConcern:
    """No sign-in. Nothing in the answer may reveal whether the child is known."""
    refuse_if_errors(public_concern_check(data))
    concern = PublicConcern(
        kind=Kind.PUBLIC,
        about_child=data.about_child.strip(),
        where=data.where.strip(),
        why_worried=data.why_worried.strip(),
        contact_name=data.contact_name.strip(),
        contact_phone=data.contact_phone.strip(),
        contact_email=data.contact_email.strip(),
    )
    with acting_as(None):
        concern.save()
    acknowledge(concern)
    return concern


def _details(submission: Submission) -> list[str]:
    assert isinstance(submission, PublicConcern)
    return [f"Why the caller is worried: {submission.why_worried}"]


register(
    Kind.PUBLIC,
    KindRules(
        details=_details, source=lambda _s: ReferralSource.PUBLIC, case_start=lambda _s: CaseStart()
    ),
)
