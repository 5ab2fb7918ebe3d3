"""What the API returns: for a sender, the status the authority shares about what it sent (as
its own page shows, nothing the CME team recorded); for the CME team, cases and tasks as the
case list and task list show them. Plain functions to dictionaries, documented for the OpenAPI
document by the serializers beside them."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from cmetrack.cases.models import Case, Task
from cmetrack.referrals.models import Submission


def submission_status(s: Submission) -> dict[str, Any]:
    return {
        "id": str(s.public_id),
        "reference": s.reference,
        "kind": s.kind,
        "received_at": s.received_at.isoformat(),
        "status": s.shared_status,
        "status_label": s.get_shared_status_display(),
        "status_changed_at": s.shared_status_at.isoformat(),
    }


class SubmissionStatusSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    kind = serializers.ChoiceField(choices=Submission._meta.get_field("kind").choices)
    received_at = serializers.DateTimeField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    status_changed_at = serializers.DateTimeField()


def case_summary(case: Case) -> dict[str, Any]:
    child = case.child
    return {
        "id": str(case.public_id),
        "reference": case.reference,
        "status": case.status,
        "category": case.category,
        "risk_level": case.risk_level,
        "primary_reason": case.primary_reason.code,
        "referral_date": case.referral_date.isoformat(),
        "closed_on": case.closed_on.isoformat() if case.closed_on else None,
        "outcome": case.outcome or None,
        "assigned_to": case.assigned_to.get_full_name() if case.assigned_to else None,
        "last_school_urn": case.last_school.urn if case.last_school else None,
        "child": {
            "id": str(child.public_id),
            "forenames": child.forenames,
            "surname": child.surname,
            "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
            "upn": child.upn or None,
        },
    }


class ChildSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    forenames = serializers.CharField()
    surname = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    upn = serializers.CharField(allow_null=True)


class CaseSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    status = serializers.CharField()
    category = serializers.CharField()
    risk_level = serializers.CharField()
    primary_reason = serializers.CharField()
    referral_date = serializers.DateField()
    closed_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField(allow_null=True)
    assigned_to = serializers.CharField(allow_null=True)
    last_school_urn = serializers.CharField(allow_null=True)
    child = ChildSerializer()


def task_summary(task: Task) -> dict[str, Any]:
    return {
        "id": str(task.public_id),
        "case": task.case.reference,
        "title": task.title,
        "due_on": task.due_on.isoformat(),
        "assigned_to": task.assigned_to.get_full_name() if task.assigned_to else None,
    }


class TaskSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    case = serializers.CharField()
    title = serializers.CharField()
    due_on = serializers.DateField()
    assigned_to = serializers.CharField(allow_null=True)


def paged(item: type[serializers.Serializer[Any]]) -> type[serializers.Serializer[Any]]:
    """A page of `item`s as the list endpoints answer (count, next and previous page links)."""
    name = item.__name__.removesuffix("Serializer")
    fields: dict[str, Any] = {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": item(many=True),
    }
    return type(f"Paged{name}", (serializers.Serializer,), fields)


PagedSubmissions = paged(SubmissionStatusSerializer)
PagedCases = paged(CaseSerializer)
PagedTasks = paged(TaskSerializer)
