"""Reads of cases, always scoped by the acting user (accounts.access decides)."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from cmetrack.accounts.access import AnyUser, is_la_staff, is_manager
from cmetrack.children.models import Child, ChildFlag, FormerUpn, OtherName
from cmetrack.core.upn import normalise_upn

from .events import describe
from .models import Case, CaseEvent, ClosureRequest, Escalation
from .status import OPEN_STATUSES, Status


def cases_visible_to(user: AnyUser) -> QuerySet[Case]:
    if is_la_staff(user):
        return Case.objects.all()
    return Case.objects.none()


def case_list(*, user: AnyUser) -> QuerySet[Case]:
    """The list page's base query: everything the page shows in one round of queries."""
    return cases_visible_to(user).select_related(
        "child", "assigned_to", "primary_reason", "last_school"
    )


def case_get(*, user: AnyUser, public_id: UUID | str) -> Case:
    """A case this user may see, or 404 (never 403: a refusal would confirm the child exists)."""
    active_flags = ChildFlag.objects.filter(removed_at__isnull=True).select_related("flag_type")
    case = (
        cases_visible_to(user)
        .select_related("child", "assigned_to", "primary_reason", "last_school")
        .prefetch_related(
            "secondary_reasons",
            Prefetch("child__flags", queryset=active_flags, to_attr="active_flags"),
            "child__addresses",
            "child__contacts",
            "child__other_names",
            "child__former_upns",
        )
        .filter(public_id=public_id)
        .first()
    )
    if case is None:
        raise Http404("No such case.")
    return case


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
_UPN_SHAPE = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")


def _as_date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def search_filter(query: str) -> Q:
    """One box for a name, a UPN or a date of birth, as officers type them on the phone. Each
    case matches once (no joins to tables with several rows a child): no DISTINCT needed."""
    text = query.strip()
    if not text:
        return Q()
    if (dob := _as_date(text)) is not None:
        return Q(child__date_of_birth=dob)
    upn = normalise_upn(text)
    if _UPN_SHAPE.match(upn):
        return Q(child__upn=upn) | Q(child__in=FormerUpn.objects.filter(upn=upn).values("child"))
    if text.upper().startswith("CME-"):
        return Q(reference__iexact=text)
    condition = Q()
    for word in text.split():
        # Each name table is searched on its own (children, then other names), not through
        # a join: one table's OR of forenames and surname is what PostgreSQL's trigram indexes
        # (children/migrations/0005_child_name_trigram.py) serve, and no row comes out twice.
        names = Q(forenames__icontains=word) | Q(surname__icontains=word)
        condition &= Q(child__in=Child.objects.filter(names)) | Q(
            child__in=OtherName.objects.filter(names).values("child")
        )
    return condition


def case_timeline(*, case: Case) -> list[dict[str, Any]]:
    events = CaseEvent.objects.filter(case=case).select_related("actor")
    # The free text an officer wrote with the event, whichever key that event keeps it under.
    return [
        {
            "event": e,
            "sentence": describe(e.kind, e.payload),
            "detail": e.payload.get("text") or e.payload.get("note") or e.payload.get("reason"),
        }
        for e in events
    ]


@dataclass(frozen=True)
class DashboardFigures:
    counts_by_status: list[tuple[Status, int]]
    open_total: int
    my_open_cases: QuerySet[Case]
    newest_referrals: QuerySet[Case]
    unassigned_total: int


def dashboard_figures(*, user: AnyUser) -> DashboardFigures:
    visible = cases_visible_to(user)
    counts = dict(visible.values_list("status").annotate(n=Count("id")).order_by())
    open_cases = visible.filter(status__in=OPEN_STATUSES)
    base = visible.select_related("child", "primary_reason", "assigned_to")
    return DashboardFigures(
        counts_by_status=[(s, counts.get(s.value, 0)) for s in Status],
        open_total=sum(counts.get(s.value, 0) for s in OPEN_STATUSES),
        my_open_cases=base.filter(assigned_to=user.pk, status__in=OPEN_STATUSES).order_by(
            "referral_date"
        )[:10],
        newest_referrals=base.order_by("-referral_date", "-opened_at")[:10],
        unassigned_total=open_cases.filter(assigned_to__isnull=True).count(),
    )


def open_escalations(*, user: AnyUser) -> QuerySet[Escalation]:
    """Unresolved escalations, oldest first: shown at the top of every LA dashboard."""
    # A busy authority has hundreds open at once and the dashboard lists them all: only what
    # the list shows is loaded (whole case and child rows cost more to build than to render).
    return (
        Escalation.objects.filter(resolved_at__isnull=True, case__in=cases_visible_to(user))
        .select_related("case", "case__child")
        .only(
            "trigger_label",
            "raised_at",
            "acknowledged_at",
            "resolved_at",
            "case__public_id",
            "case__reference",
            "case__child__forenames",
            "case__child__surname",
        )
        .order_by("raised_at")
    )


@dataclass(frozen=True)
class EscalationTotals:
    escalations: int
    cases: int


def open_escalation_totals(*, user: AnyUser) -> EscalationTotals:
    """How many unresolved escalations there are, and on how many cases: the dashboard shows
    the oldest few and links to the case list of them all (`has_open_escalation`)."""
    found = Escalation.objects.filter(
        resolved_at__isnull=True, case__in=cases_visible_to(user)
    ).aggregate(escalations=Count("id"), cases=Count("case", distinct=True))
    return EscalationTotals(escalations=found["escalations"], cases=found["cases"])


def has_open_escalation() -> Exists:
    """A case with an unresolved escalation (for filtering cases)."""
    return Exists(Escalation.objects.filter(case=OuterRef("pk"), resolved_at__isnull=True))


def pending_closure_count(*, user: AnyUser) -> int:
    if not is_manager(user):
        return 0
    return ClosureRequest.objects.filter(
        state=ClosureRequest.State.PENDING, case__in=cases_visible_to(user)
    ).count()
