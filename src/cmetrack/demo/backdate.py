"""Demo data only: move the times the services stamped "now" into the past.

The services write every row as of now; a demo history needs them spread over the months
before today. Each function here is a plain queryset UPDATE of timestamp (or date-stamp)
columns and nothing else. It bypasses auditlog on purpose: the audit log must keep saying
truthfully when the rows were written (by the seeder, today). Real code never rewrites a
timeline.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from cmetrack.cases.models import Case, CaseEvent
from cmetrack.children.models import Child, ChildFlag


def events(case: Case, when: datetime, *, since: datetime, several: bool = False) -> None:
    """Move the events written for `case` since `since` (by the last service call) to `when`."""
    fresh = CaseEvent.objects.filter(case_id=case.pk, occurred_at__gte=since)
    if not several:
        fresh.update(occurred_at=when)
        return
    # The referral writes several events at once (opened, flags, note): keep their order.
    for offset, pk in enumerate(fresh.order_by("id").values_list("pk", flat=True)):
        CaseEvent.objects.filter(pk=pk).update(occurred_at=when + timedelta(seconds=offset))


def flags(child_id: int, when: datetime, *, since: datetime) -> None:
    ChildFlag.objects.filter(child_id=child_id, added_at__gte=since).update(added_at=when)


def status_changed_on(case: Case, day: date) -> None:
    # The services date a status change today.
    Case.objects.filter(pk=case.pk).update(status_changed_on=day)


def case_times(case: Case, *, opened: datetime, updated: datetime) -> None:
    Case.objects.filter(pk=case.pk).update(opened_at=opened, updated_at=updated)


def child_times(child_id: int, when: datetime) -> None:
    Child.objects.filter(pk=child_id).update(created_at=when, updated_at=when)
