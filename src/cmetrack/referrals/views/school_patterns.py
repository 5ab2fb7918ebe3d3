"""Patterns per school (off-rolling): the list, one school's page and the list as CSV.

The CME team's pages (`la_staff_required`, as the termly return): anyone else gets 403, a
school's own users included. Only the academic year travels in the URL. Opening a school's
page and downloading the CSV each leave an ACCESS entry in the audit log for every school shown
(School is not an audited model, so `record_view` would write nothing: the entries are written
here, in one insert, the way auditlog writes its own).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence

from auditlog.cid import get_cid
from auditlog.context import auditlog_value
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from cmetrack.accounts.access import la_staff_required
from cmetrack.accounts.models import User
from cmetrack.core.school_calendar import academic_year_label
from cmetrack.schooldays.models import FIRST_ACADEMIC_YEAR, LAST_ACADEMIC_YEAR
from cmetrack.schools.models import School

from ..importing.values import neutralise_formula
from ..school_patterns import (
    SchoolFigures,
    current_academic_year,
    school_pattern_detail,
    school_patterns,
)

CSV_COLUMNS = (
    "School",
    "URN",
    "LAESTAB",
    "Academic year",
    "Deletion returns",
    "Late returns",
    "Median school days late",
    "(h)/(i) returns",
    "(h)/(i) removed before LA agreement",
    "Destinations awaiting confirmation",
    "Destinations lapsed",
    "Possible off-rolling flags",
    "New-pupil returns",
    "Attention total",
)


def chosen_year(request: HttpRequest) -> int:
    """The academic year in `?year=2025`; the current one when absent or not a plausible year."""
    text = request.GET.get("year", "").strip()
    if text.isdigit() and FIRST_ACADEMIC_YEAR <= int(text) <= LAST_ACADEMIC_YEAR:
        return int(text)
    return current_academic_year()


def median_text(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


@la_staff_required
def school_patterns_list(request: HttpRequest) -> HttpResponse:
    patterns = school_patterns(user=request.user, year=chosen_year(request))
    assert patterns is not None  # la_staff_required
    return render(
        request,
        "referrals/school_patterns.html",
        {
            "patterns": patterns,
            "year_options": [(y, academic_year_label(y)) for y in patterns.years],
        },
    )


@la_staff_required
def school_patterns_csv(request: HttpRequest) -> HttpResponse:
    patterns = school_patterns(user=request.user, year=chosen_year(request))
    assert patterns is not None
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="school-patterns-{patterns.label.replace("/", "-")}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for f in patterns.schools:
        writer.writerow(csv_row(f, patterns.label))
    record_school_access(request, [f.school for f in patterns.schools], patterns.label, "CSV")
    return response


def csv_row(f: SchoolFigures, year_label: str) -> list[str | int]:
    text = (f.school.name, f.school.urn, f.school.laestab, year_label)
    return [
        *(neutralise_formula(value) for value in text),
        f.deletions,
        f.late,
        median_text(f.median_days_late),
        f.joint_enquiry,
        f.before_agreement,
        f.awaiting_destination,
        f.lapsed_destination,
        f.off_rolling,
        f.new_pupils,
        f.attention,
    ]


@la_staff_required
def school_pattern_detail_view(request: HttpRequest, urn: str) -> HttpResponse:
    school = get_object_or_404(School, urn=urn)
    detail = school_pattern_detail(user=request.user, school=school, year=chosen_year(request))
    assert detail is not None
    record_school_access(request, [school], detail.label, "page")
    return render(
        request,
        "referrals/school_pattern_detail.html",
        {
            "detail": detail,
            "year_options": [(y, academic_year_label(y)) for y in detail.years],
        },
    )


def record_school_access(
    request: HttpRequest, schools: Sequence[School], year_label: str, what: str
) -> None:
    """One ACCESS audit entry per school, in one insert, with the actor, address and
    correlation id auditlog's own entries carry."""
    if not schools:
        return
    actor = request.user if isinstance(request.user, User) else None
    context = auditlog_value.get(None) or {}
    extra = {
        key: value() if callable(value) else value
        for key, value in context.items()
        if key in ("remote_addr", "remote_port")
    }
    content_type = ContentType.objects.get_for_model(School)
    cid = get_cid()
    note = {"view": f"school patterns {what}", "academic_year": year_label}
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=content_type,
                object_pk=str(school.pk),
                object_id=school.pk,
                object_repr=str(school),
                action=LogEntry.Action.ACCESS,
                actor=actor,
                actor_email=getattr(actor, "email", None),
                cid=cid,
                additional_data=note,
                **extra,
            )
            for school in schools
        ]
    )
