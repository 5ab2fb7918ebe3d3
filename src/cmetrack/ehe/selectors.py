"""Reads of the EHE register, scoped by the acting user through accounts.access."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from django.db.models import Case, F, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from cmetrack.accounts.access import AnyUser, can_see_ehe
from cmetrack.core.census import SEX_LABELS, year_group_on

from .census import of_school_age, on_register, on_register_during, previous_academic_year
from .models import EheReason, EheRecord

# "Review due soon": within this many days.
DUE_SOON_DAYS = 30


def ehe_records_visible_to(user: AnyUser) -> QuerySet[EheRecord]:
    if can_see_ehe(user):
        return EheRecord.objects.filter(child__merged_into__isnull=True)
    return EheRecord.objects.none()


def ehe_record_get(*, user: AnyUser, public_id: UUID | str) -> EheRecord:
    """A record this user may see, or 404."""
    record = (
        ehe_records_visible_to(user)
        .select_related("child", "reason", "created_by", "cme_case", "alert_acknowledged_by")
        .filter(public_id=public_id)
        .first()
    )
    if record is None:
        raise Http404("No such record.")
    return record


class Status:
    OPEN = "open"
    ENDED = "ended"
    ALL = "all"
    CHOICES = ((OPEN, "On the register"), (ENDED, "Ended"), (ALL, "All"))


class ReviewDue:
    OVERDUE = "overdue"
    SOON = "soon"
    CHOICES = (
        ("", "Any"),
        (OVERDUE, "Overdue"),
        (SOON, f"Due within {DUE_SOON_DAYS} days (or overdue)"),
    )


def ehe_register(
    *, user: AnyUser, status: str = Status.OPEN, review: str = "", today: date | None = None
) -> QuerySet[EheRecord]:
    """The register, filtered; records needing a manager first, then by the next review due."""
    today = today or timezone.localdate()
    records = ehe_records_visible_to(user).select_related("child", "reason")
    if status == Status.OPEN:
        records = records.filter(end_date__isnull=True)
    elif status == Status.ENDED:
        records = records.filter(end_date__isnull=False)
    if review == ReviewDue.OVERDUE:
        records = records.filter(end_date__isnull=True, next_review_due__lt=today)
    elif review == ReviewDue.SOON:
        records = records.filter(
            end_date__isnull=True, next_review_due__lte=today + timedelta(days=DUE_SOON_DAYS)
        )
    waiting = Q(alert_raised_at__isnull=False, alert_acknowledged_at__isnull=True)
    return records.annotate(
        needs_manager=Case(When(waiting, then=Value(0)), default=Value(1))
    ).order_by("needs_manager", F("next_review_due").asc(nulls_last=True), "-start_date", "pk")


def ehe_alerts_open(*, user: AnyUser) -> QuerySet[EheRecord]:
    return (
        ehe_records_visible_to(user)
        .filter(alert_raised_at__isnull=False, alert_acknowledged_at__isnull=True)
        .select_related("child")
        .order_by("alert_raised_at")
    )


def ehe_reasons_in_force(on: date) -> QuerySet[EheReason]:
    return EheReason.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=on),
        Q(valid_to__isnull=True) | Q(valid_to__gte=on),
    )


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    title: str
    text: str = ""
    by: str = ""


def ehe_record_timeline(record: EheRecord) -> list[TimelineEntry]:
    """The record's story, newest first: its start, an alert, each review, the alert's
    acknowledgement, its end."""
    entries = [
        TimelineEntry(
            record.start_date,
            f"Home education started ({record.get_source_display().lower()})",
            f"Reference {record.source_reference}" if record.source_reference else "",
            str(record.created_by or ""),
        )
    ]
    if record.alert_raised_at is not None:
        entries.append(
            TimelineEntry(
                timezone.localdate(record.alert_raised_at),
                "Flagged to a manager",
                record.alert_reason,
            )
        )
    for review in record.reviews.select_related("reviewed_by").order_by("reviewed_on", "pk"):
        next_due = (
            f"Next review due {review.next_review_due:%d/%m/%Y}." if review.next_review_due else ""
        )
        entries.append(
            TimelineEntry(
                review.reviewed_on,
                f"Review ({review.get_method_display().lower()}): {review.get_outcome_display()}",
                " ".join(part for part in (review.note, next_due) if part),
                str(review.reviewed_by or ""),
            )
        )
    if record.alert_acknowledged_at is not None:
        entries.append(
            TimelineEntry(
                timezone.localdate(record.alert_acknowledged_at),
                "Alert acknowledged by a manager",
                record.alert_note,
                str(record.alert_acknowledged_by or ""),
            )
        )
    if record.end_date is not None:
        entries.append(
            TimelineEntry(
                record.end_date, f"Ended: {record.get_end_reason_display()}", record.end_note
            )
        )
    # Stable: on one day, the order above (start, alert, reviews, acknowledgement, end) is the
    # order things happen in.
    ordered = sorted(enumerate(entries), key=lambda pair: (pair[1].on, pair[0]), reverse=True)
    return [entry for _, entry in ordered]


# --- the termly return --------------------------------------------------------------------


@dataclass(frozen=True)
class Breakdown:
    title: str
    rows: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.rows)


@dataclass(frozen=True)
class EheCensusFigures:
    census: date
    on_census: tuple[Breakdown, ...]
    on_census_total: int
    previous_year_label: str
    previous_year: tuple[Breakdown, ...]
    previous_year_total: int


YEAR_GROUPS = ["Reception", *(f"Year {n}" for n in range(1, 12))]
NOT_KNOWN = "Not known"


def _breakdown(title: str, values: list[str], order: list[str]) -> Breakdown:
    counts = Counter(values)
    rows = tuple((key, counts.get(key, 0)) for key in order)
    extra = tuple((key, n) for key, n in sorted(counts.items()) if key not in order)
    return Breakdown(title, rows + extra)


def _one_per_child(records: list[EheRecord]) -> list[EheRecord]:
    """A child with two episodes in the period counts once, under the earlier one."""
    chosen: dict[int, EheRecord] = {}
    for record in sorted(records, key=lambda r: (r.start_date, r.pk)):
        chosen.setdefault(record.child_id, record)
    return list(chosen.values())


def _reason_label(record: EheRecord) -> str:
    if record.reason is None:
        return NOT_KNOWN
    return record.reason.dfe_code or record.reason.label


def ehe_census_figures(*, user: AnyUser, census: date) -> EheCensusFigures | None:
    """The EHE half of the DfE's termly return (DOMAIN.md §7): children on the register on the
    census date, of compulsory school age, by primary reason, year group and sex; and those on
    it at any time in the previous academic year. Computed from the records' dates, so the same
    census date gives the same figures later, whatever happened since. None for a user who may
    not see the register."""
    if not can_see_ehe(user):
        return None
    return ehe_figures_over(ehe_records_visible_to(user), census)


def ehe_figures_over(records: QuerySet[EheRecord], census: date) -> EheCensusFigures:
    """The EHE figures over `records`; callers scope them (the termly return's command counts
    the whole authority's register)."""
    first, last = previous_academic_year(census)
    candidates = list(
        records.filter(child__merged_into__isnull=True, start_date__lte=census).select_related(
            "child", "reason"
        )
    )
    on_census = _one_per_child(
        [
            r
            for r in candidates
            if on_register(r.start_date, r.end_date, census)
            and of_school_age(r.child.date_of_birth, census)
        ]
    )
    last_year = _one_per_child(
        [
            r
            for r in candidates
            if on_register_during(r.start_date, r.end_date, first, last)
            # Of school age on the first day of that year they were on the register.
            and of_school_age(r.child.date_of_birth, max(r.start_date, first))
        ]
    )
    sexes = list(SEX_LABELS.values())
    reasons = [reason.dfe_code or reason.label for reason in ehe_reasons_in_force(census)]
    on_census_breakdowns = (
        _breakdown("Primary reason", [_reason_label(r) for r in on_census], [*reasons, NOT_KNOWN]),
        _breakdown(
            "National curriculum year group",
            [year_group_on(r.child.date_of_birth, census) for r in on_census],
            YEAR_GROUPS,
        ),
        _breakdown("Sex", [SEX_LABELS.get(r.child.sex, "unknown") for r in on_census], sexes),
    )
    previous = (
        _breakdown(
            "National curriculum year group (at the start of that year)",
            [year_group_on(r.child.date_of_birth, first) for r in last_year],
            YEAR_GROUPS,
        ),
        _breakdown("Sex", [SEX_LABELS.get(r.child.sex, "unknown") for r in last_year], sexes),
    )
    return EheCensusFigures(
        census=census,
        on_census=on_census_breakdowns,
        on_census_total=len(on_census),
        previous_year_label=f"{first.year}/{last.year % 100:02d}",
        previous_year=previous,
        previous_year_total=len(last_year),
    )
