"""Reads of the cross-checks, for the CME team only: other roles get 403 from the views (the
decorator) and these refuse them too, so no other caller can leak a result."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from cmetrack.accounts.access import AnyUser, is_la_staff

from .models import CandidateState, CrossCheckCandidate, CrossCheckRun

# The results page's tabs: what each shows.
TABS = {
    "open": (CandidateState.OPEN,),
    "referred": (CandidateState.REFERRED,),
    "dismissed": (CandidateState.DISMISSED, CandidateState.DISMISSED_BEFORE),
}


def _require_team(user: AnyUser) -> None:
    if not is_la_staff(user):
        raise PermissionDenied("Cross-checks are for the local authority's CME team.")


def runs_visible_to(user: AnyUser) -> QuerySet[CrossCheckRun]:
    _require_team(user)
    return CrossCheckRun.objects.select_related("started_by").annotate(
        open_count=Count("candidates", filter=Q(candidates__state=CandidateState.OPEN))
    )


def run_get(*, user: AnyUser, public_id: UUID | str) -> CrossCheckRun:
    try:
        return runs_visible_to(user).get(public_id=public_id)
    except (CrossCheckRun.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("No such cross-check") from error


def candidates_of(*, user: AnyUser, run: CrossCheckRun, tab: str) -> QuerySet[CrossCheckCandidate]:
    _require_team(user)
    return run.candidates.filter(state__in=TABS.get(tab, TABS["open"])).select_related(
        "last_school", "referral", "dismissed_by"
    )


def tab_counts(run: CrossCheckRun) -> dict[str, int]:
    counts = dict(
        run.candidates.values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    return {tab: sum(counts.get(s, 0) for s in states) for tab, states in TABS.items()}


def candidate_get(
    *, user: AnyUser, run: CrossCheckRun, public_id: UUID | str
) -> CrossCheckCandidate:
    _require_team(user)
    try:
        return run.candidates.select_related("run", "last_school", "referral").get(
            public_id=public_id
        )
    except (CrossCheckCandidate.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("No such candidate") from error
