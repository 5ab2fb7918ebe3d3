"""What the case list and the task list export: their columns, and a row per case or task.

The rows are the list's own query (its selector and its filters, every page of it), read once
with `iterator()`; each row names its child, for the per-child audit entry. The personal
columns are the child's name, date of birth, UPN and the postcode of their current address:
the CME team sees names and dates of birth on both pages, so the team's export has them unless
the user asks for the file without them (`?personal=no`).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import OuterRef, QuerySet, Subquery

from cmetrack.children.models import Address, Child
from cmetrack.exports.table import Column, ExportTable, Row

from .models import Case, Task

CHUNK = 2000

CASE_COLUMNS = (
    Column("reference", "Reference"),
    Column("name", "Child", personal=True),
    Column("date_of_birth", "Date of birth", personal=True),
    Column("upn", "UPN", personal=True),
    Column("postcode", "Postcode", personal=True),
    Column("status", "Status"),
    Column("category", "Category"),
    Column("reason", "Main reason"),
    Column("risk", "Risk"),
    Column("referred", "Referred"),
    Column("last_school", "Last school"),
    Column("last_school_urn", "Last school URN"),
    Column("officer", "Officer"),
    Column("closed", "Closed"),
)

TASK_COLUMNS = (
    Column("due", "Due"),
    Column("title", "Task"),
    Column("escalated", "Escalated"),
    Column("name", "Child", personal=True),
    Column("case", "Case reference"),
    Column("officer", "Officer"),
)


def _with_postcode(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The current address's postcode in the same query (the one the case page shows: no end
    date, the latest begun), not one query per case."""
    current = (
        Address.objects.filter(child_id=OuterRef("child_id"), date_to__isnull=True)
        .order_by("-date_from", "-pk")
        .values("postcode")[:1]
    )
    return cases.annotate(current_postcode=Subquery(current))


def _case_rows(cases: QuerySet[Case]) -> Iterator[Row]:
    for case in cases.iterator(chunk_size=CHUNK):
        child, school, officer = case.child, case.last_school, case.assigned_to
        yield Row(
            {
                "reference": case.reference,
                "name": child.full_name,
                "date_of_birth": child.date_of_birth,
                "upn": child.upn,
                "postcode": getattr(case, "current_postcode", None) or "",
                "status": case.get_status_display(),
                "category": case.get_category_display(),
                "reason": case.primary_reason.label if case.primary_reason else "",
                "risk": case.get_risk_level_display(),
                "referred": case.referral_date,
                "last_school": school.name if school else "",
                "last_school_urn": school.urn if school else "",
                "officer": str(officer) if officer else "Unassigned",
                "closed": case.closed_on,
            },
            subject_id=case.child_id,
        )


def case_list_table(cases: QuerySet[Case], *, include_personal: bool) -> ExportTable:
    """`cases`: the list's filtered query (`case_list` through `CaseFilter`)."""
    return ExportTable(
        name="Case list",
        slug="case-list",
        columns=CASE_COLUMNS,
        rows=_case_rows(_with_postcode(cases) if include_personal else cases),
        subject_model=Child,
        include_personal=include_personal,
    )


def _task_rows(tasks: QuerySet[Task]) -> Iterator[Row]:
    for task in tasks.iterator(chunk_size=CHUNK):
        officer = task.assigned_to
        yield Row(
            {
                "due": task.due_on,
                "title": task.title,
                "escalated": task.escalated_at is not None,
                "name": task.case.child.full_name,
                "case": task.case.reference,
                "officer": str(officer) if officer else "Unassigned",
            },
            subject_id=task.case.child_id,
        )


def task_list_table(tasks: QuerySet[Task], *, title: str, include_personal: bool) -> ExportTable:
    """`tasks`: the task page's query (`tasks_in_window`) for the window and people shown."""
    return ExportTable(
        name=title,
        slug="tasks",
        columns=TASK_COLUMNS,
        rows=_task_rows(tasks),
        subject_model=Child,
        include_personal=include_personal,
    )
