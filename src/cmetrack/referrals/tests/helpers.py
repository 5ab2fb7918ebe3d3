"""Builders shared by the intake tests: valid data for each route, and a write counter."""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from auditlog.models import LogEntry
from django.utils import timezone

from cmetrack.cases.models import Case, CaseEvent
from cmetrack.children.models import Child
from cmetrack.referrals.models import ImportBatch, Submission
from cmetrack.referrals.services import ChildParticulars, DeletionData, NewPupilData
from cmetrack.schools.models import School

CHILD = ChildParticulars(
    forenames="Amelia",
    surname="Testington",
    date_of_birth=date(2015, 3, 27),
    sex="F",
    upn="H801200001001",
    address_line_1="1 Example Road",
    town="Bootle",
    postcode="L20 7AE",
)


def deletion_data(school: School, **overrides: Any) -> DeletionData:
    data = DeletionData(
        child=CHILD,
        school=school,
        ground="g",
        deletion_date=timezone.localdate() + timedelta(days=1),
        emergency_phone="07700 900123",
        parent_names="Jo Testington",
    )
    return replace(data, **overrides)


def new_pupil_data(school: School, **overrides: Any) -> NewPupilData:
    data = NewPupilData(
        child=CHILD, school=school, start_date=timezone.localdate(), parent_names="Jo Testington"
    )
    return replace(data, **overrides)


@dataclass(frozen=True)
class Counts:
    submissions: int
    log_entries: int
    cases: int
    events: int
    children: int
    batches: int


def counts() -> Counts:
    return Counts(
        submissions=Submission.objects.count(),
        log_entries=LogEntry.objects.count(),
        cases=Case.objects.count(),
        events=CaseEvent.objects.count(),
        children=Child.objects.count(),
        batches=ImportBatch.objects.count(),
    )


def date_fields(prefix: str, value: date | None) -> dict[str, str]:
    if value is None:
        return {f"{prefix}_0": "", f"{prefix}_1": "", f"{prefix}_2": ""}
    return {
        f"{prefix}_0": str(value.day),
        f"{prefix}_1": str(value.month),
        f"{prefix}_2": str(value.year),
    }
