"""The managers' dashboard: how the service is doing, in aggregate figures (issue 10).

Reads only, scoped by the acting user: CME managers and administrators get the figures, anyone
else None (the page and its exports refuse them first). Every figure is counted in the database
(Count with filters, TruncMonth, values + annotate) or from one query's rows per breakdown, so
the number of queries does not grow with the number of cases.

What the period filters (docs/dashboards.md):
- open cases at each month end, referrals and closures per month, and days from referral to
  placement (cases first placed in the period) follow the period;
- open cases by reason, flag, last school, year group and postcode district, and overdue
  tasks per officer, are as they stood at the end of the period (`as_of`: the period's last
  day, or today while the period is still running), read from what the records keep of their
  past: the reason from the timeline, flags from when they were added and removed, addresses
  from their dates, tasks from when they were set, done or cancelled;
- late and unconfirmed school returns per school are the school-patterns figures
  (referrals/school_patterns.py, the one home of those rules) for the academic year the
  period ends in.

Open at a day: referred on or before it and not closed by then (closed_on after it or none).
This reads the case's own dates, so every "open" figure on the page agrees with the others: a
case closed and reopened counts as open from its referral to its last closure. The termly
return (reports.selectors) is the place for figures that follow the status timeline exactly.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cmetrack.accounts.access import AnyUser, is_manager
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import Case, CaseEvent, MissingReason, Task
from cmetrack.cases.selectors import cases_visible_to
from cmetrack.cases.status import OPEN_STATUSES, Status
from cmetrack.children.models import Address, ChildFlag
from cmetrack.core.census import CaseState, Change, history, state_on, year_group_on
from cmetrack.core.year_group import academic_year_start
from cmetrack.referrals.school_patterns import SchoolPatterns, median_of_counts, school_patterns

from .selectors import YEAR_GROUPS


@dataclass(frozen=True)
class PlacementBand:
    label: str
    max_days: int | None  # inclusive; None: no upper limit


PLACEMENT_BANDS = (
    PlacementBand("Up to 1 week (0 to 7 days)", 7),
    PlacementBand("1 to 4 weeks (8 to 28 days)", 28),
    PlacementBand("4 to 8 weeks (29 to 56 days)", 56),
    PlacementBand("8 to 13 weeks (57 to 91 days)", 91),
    PlacementBand("More than 13 weeks (92 days or more)", None),
)


@dataclass(frozen=True)
class Period:
    """Whole calendar months, `first` (the 1st of its month) to `last` (a month's last day)."""

    first: date
    last: date

    @property
    def month_starts(self) -> tuple[date, ...]:
        months = []
        day = self.first
        while day <= self.last:
            months.append(day)
            day = _next_month(day)
        return tuple(months)

    @property
    def label(self) -> str:
        return f"{self.first:%B %Y} to {self.last:%B %Y}"


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class Table:
    """One breakdown: rows of figures under `columns`, as the page, the chart and the exports
    show them. `key` names it in the export URL and file name."""

    key: str
    title: str
    first_column: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    note: str = ""

    def total(self, column: int = 0) -> int:
        return sum(row.values[column] for row in self.rows)


@dataclass(frozen=True)
class Dashboard:
    period: Period
    today: date
    as_of: date  # the day the open-case breakdowns and overdue tasks stand at
    open_now: int
    median_days_to_placement: float | None
    school_year_label: str
    tables: tuple[Table, ...]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_end(first: date) -> date:
    return _next_month(first) - timedelta(days=1)


def default_period(today: date) -> Period:
    """The twelve months to the end of this one."""
    last = month_end(date(today.year, today.month, 1))
    first = date(today.year - 1, today.month, 1)
    first = _next_month(first)
    return Period(first, last)


def _month_label(day: date) -> str:
    return f"{day:%b %Y}"


def _open_at(day: date) -> Q:
    return Q(referral_date__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))


def _open_over_time(cases: QuerySet[Case], period: Period) -> Table:
    months = period.month_starts
    ends = [min(month_end(m), period.last) for m in months]
    counts: dict[str, Any] = cases.aggregate(
        **{f"m{i}": Count("pk", filter=_open_at(end)) for i, end in enumerate(ends)}
    )
    return Table(
        key="open-over-time",
        title="Open cases at each month end",
        first_column="Month end",
        columns=("Open cases",),
        rows=tuple(Row(f"{end:%-d %b %Y}", (counts[f"m{i}"] or 0,)) for i, end in enumerate(ends)),
    )


def _per_month(cases: QuerySet[Case], field: str, period: Period) -> dict[date, int]:
    rows = (
        cases.filter(**{f"{field}__range": (period.first, period.last)})
        .annotate(month=TruncMonth(field))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {_as_date(row["month"]): row["n"] for row in rows}


def _as_date(value: Any) -> date:
    # TruncMonth of a DateField gives a date; some backends give a datetime.
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _referrals_and_closures(cases: QuerySet[Case], period: Period) -> Table:
    referred = _per_month(cases, "referral_date", period)
    closed = _per_month(cases.filter(status=Status.CLOSED), "closed_on", period)
    return Table(
        key="referrals-closures",
        title="Referrals and closures each month",
        first_column="Month",
        columns=("Referrals", "Closures"),
        rows=tuple(
            Row(_month_label(m), (referred.get(m, 0), closed.get(m, 0)))
            for m in period.month_starts
        ),
        note="A closure counts in the month of its closure date; a reopened case is not closed.",
    )


def placement_band(days: int) -> str:
    for band in PLACEMENT_BANDS:
        if band.max_days is None or days <= band.max_days:
            return band.label
    raise AssertionError("the last band has no upper limit")  # pragma: no cover


def _days_to_placement(cases: QuerySet[Case], period: Period) -> tuple[Table, float | None]:
    """Cases first placed in the period: the days from referral to that first placement."""
    firsts = (
        CaseEvent.objects.filter(
            case__in=cases.values("pk"),
            kind=EventKind.STATUS_CHANGED,
            payload__to=Status.PLACED.value,
        )
        .values("case_id", "case__referral_date")
        .annotate(first=Min("occurred_at"))
        .order_by()
    )
    days: Counter[int] = Counter()
    for row in firsts:
        placed_on = timezone.localdate(row["first"])
        if period.first <= placed_on <= period.last:
            days[max((placed_on - row["case__referral_date"]).days, 0)] += 1
    banded: Counter[str] = Counter()
    for d, n in days.items():
        banded[placement_band(d)] += n
    table = Table(
        key="days-to-placement",
        title="Days from referral to placement",
        first_column="Time to placement",
        columns=("Cases placed",),
        rows=tuple(Row(b.label, (banded.get(b.label, 0),)) for b in PLACEMENT_BANDS),
        note="Cases first placed in the period, counted once each, by calendar days from "
        "referral to the day their status first became placed.",
    )
    return table, median_of_counts(days)


def _counted(
    key: str, title: str, first_column: str, counts: Iterable[tuple[str, int]], order: list[str]
) -> Table:
    totals: Counter[str] = Counter()
    for label, n in counts:
        totals[label] += n
    labels = [k for k in order if k in totals] + sorted(
        (k for k in totals if k not in order), key=lambda k: (-totals[k], k.casefold())
    )
    return Table(
        key=key,
        title=title,
        first_column=first_column,
        columns=("Open cases",),
        rows=tuple(Row(label, (totals[label],)) for label in labels),
    )


def _day_end(day: date) -> datetime:
    """The first moment after `day` in the service's time zone: a flag added or a task done
    before it had happened by the end of that day."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _reason_codes_on(open_cases: QuerySet[Case], day: date) -> Counter[str]:
    """Each case's main reason at the end of `day`: the timeline's reason changes replayed over
    the reason it has now (core.census.history, the termly return's rule), so a reason changed
    after the period counts as it was then. One query for the changes, one for the cases."""
    changes: dict[int, list[Change]] = defaultdict(list)
    events = (
        CaseEvent.objects.filter(
            case__in=open_cases.values("pk"), kind=EventKind.PRIMARY_REASON_CHANGED
        )
        .order_by("case_id", "occurred_at", "id")
        .values_list("case_id", "occurred_at", "payload")
    )
    for case_id, at, payload in events:
        new = payload.get("to") if isinstance(payload, dict) else None
        if new:
            changes[case_id].append(
                Change(timezone.localdate(at), "reason", payload.get("from") or None, new)
            )
    codes: Counter[str] = Counter()
    rows = open_cases.values_list(
        "pk", "referral_date", "status", "category", "primary_reason__code"
    ).order_by()
    for pk, referred, status, category, code in rows:
        steps = history(referred, CaseState(status, category, code or ""), changes.get(pk, []))
        state = state_on(steps, day)
        codes[(state.reason if state else code) or ""] += 1
    return codes


def _open_by_reason(open_cases: QuerySet[Case], as_of: date) -> Table:
    labels = dict(MissingReason.objects.values_list("code", "label"))
    codes = _reason_codes_on(open_cases, as_of)
    return _counted(
        "open-by-reason",
        f"Open cases by main reason on {as_of:%-d %B %Y}",
        "Main reason",
        ((labels.get(code, code or "No reason recorded"), n) for code, n in codes.items()),
        [],
    )


def _open_by_flag(open_cases: QuerySet[Case], as_of: date) -> Table:
    end = _day_end(as_of)
    rows = (
        ChildFlag.objects.filter(
            Q(removed_at__isnull=True) | Q(removed_at__gte=end),
            added_at__lt=end,
            child_id__in=open_cases.values("child_id"),
        )
        .values("flag_type__label")
        .annotate(n=Count("child_id", distinct=True))
        .order_by()
    )
    table = _counted(
        "open-by-flag",
        f"Children with an open case on {as_of:%-d %B %Y}, by vulnerability flag",
        "Flag",
        ((r["flag_type__label"], r["n"]) for r in rows),
        [],
    )
    return replace(
        table,
        columns=("Children",),
        note="Flags in force that day: added by then and not yet removed. A child with two "
        "flags counts under each; children with no flag are not listed.",
    )


def _open_by_school(open_cases: QuerySet[Case], as_of: date) -> Table:
    rows = (
        open_cases.values("last_school_id", "last_school__name", "last_school__urn")
        .annotate(n=Count("pk"))
        .order_by()
    )
    table = _counted(
        "open-by-school",
        f"Open cases on {as_of:%-d %B %Y} by last school",
        "Last school",
        (
            (
                f"{r['last_school__name']} ({r['last_school__urn']})"
                if r["last_school_id"]
                else "No last school recorded",
                r["n"],
            )
            for r in rows
        ),
        [],
    )
    return replace(
        table,
        note="The school the child last attended before the case, as recorded on the case "
        "(a fact about the past: a later correction is taken to have been true then too).",
    )


def _open_by_year_group(open_cases: QuerySet[Case], as_of: date) -> Table:
    # Grouped by date of birth in the database; core.census turns each into a year group.
    rows = open_cases.values("child__date_of_birth").annotate(n=Count("pk")).order_by()
    return _counted(
        "open-by-year-group",
        f"Open cases by year group (on {as_of:%-d %B %Y})",
        "Year group",
        ((year_group_on(r["child__date_of_birth"], as_of), r["n"]) for r in rows),
        YEAR_GROUPS,
    )


def _open_by_district(open_cases: QuerySet[Case], as_of: date) -> Table:
    """By the outward code of the address the child lived at that day (from its dates: an
    address without a start date is taken to have begun before any case). The stored postcode
    is normalised, "L20 7AE", so the district is what comes before the space. A child with two
    addresses in force counts at the one that began last."""
    children = open_cases.values("child_id")
    in_force = (
        Address.objects.filter(child_id__in=children)
        .filter(Q(date_from__isnull=True) | Q(date_from__lte=as_of))
        .filter(Q(date_to__isnull=True) | Q(date_to__gt=as_of))
        .values_list("child_id", "date_from", "pk", "postcode")
        .order_by()
    )
    latest: dict[int, tuple[date, int, str]] = {}
    for child_id, began, pk, postcode in in_force:
        key = (began or date.min, pk, postcode or "")
        if child_id not in latest or key[:2] > latest[child_id][:2]:
            latest[child_id] = key
    counts: Counter[str] = Counter()
    for child_id in set(open_cases.values_list("child_id", flat=True).order_by()):
        postcode = latest.get(child_id, (date.min, 0, ""))[2]
        counts[postcode.split(" ")[0] if " " in postcode else "No current postcode"] += 1
    table = _counted(
        "open-by-district",
        f"Children with an open case on {as_of:%-d %B %Y}, by postcode district",
        "Postcode district",
        counts.items(),
        [],
    )
    return replace(
        table,
        columns=("Children",),
        note="The district of the address the child lived at that day. No fixed abode, abroad "
        "and unknown whereabouts have no postcode: they count under no current postcode.",
    )


def _overdue_by_officer(cases: QuerySet[Case], as_of: date) -> Table:
    """Tasks overdue at the end of `as_of`: set by then, due before it, and neither done nor
    cancelled by then, on cases open that day. Under the officer the task is assigned to now
    (a task's reassignments are not kept)."""
    end = _day_end(as_of)
    rows = (
        Task.objects.filter(
            Q(done_at__isnull=True) | Q(done_at__gte=end),
            Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=end),
            case__in=cases.filter(_open_at(as_of)).values("pk"),
            created_at__lt=end,
            due_on__lt=as_of,
        )
        .values("assigned_to_id", "assigned_to__first_name", "assigned_to__last_name")
        .annotate(n=Count("pk"), cases=Count("case_id", distinct=True))
        .order_by()
    )
    figures: list[tuple[str, tuple[int, int]]] = []
    for r in rows:
        name = f"{r['assigned_to__first_name']} {r['assigned_to__last_name']}".strip()
        if r["assigned_to_id"] is None:
            name = "Not assigned"
        figures.append((name or f"User {r['assigned_to_id']}", (r["n"], r["cases"])))
    figures.sort(key=lambda item: (-item[1][0], item[0].casefold()))
    return Table(
        key="overdue-by-officer",
        title=f"Overdue tasks by officer on {as_of:%-d %B %Y}",
        first_column="Officer",
        columns=("Overdue tasks", "Cases"),
        rows=tuple(Row(name, values) for name, values in figures),
        note=f"Tasks on cases open on {as_of:%-d %B %Y}, due before that day and not done or "
        "cancelled by its end, under the officer each is assigned to now.",
    )


def _school_returns(patterns: SchoolPatterns) -> Table:
    rows = [
        Row(
            f"{f.school.name} ({f.school.urn})",
            (f.deletions, f.late, f.awaiting_destination, f.lapsed_destination),
        )
        for f in patterns.schools
        if f.late or f.awaiting_destination or f.lapsed_destination
    ]
    rows.sort(key=lambda r: (-(r.values[1] + r.values[2] + r.values[3]), r.label.casefold()))
    return Table(
        key="school-returns",
        title=f"Late and unconfirmed deletion returns by school, {patterns.label}",
        first_column="School",
        columns=(
            "Deletion returns",
            "Late",
            "Destination awaiting confirmation",
            "Destination lapsed",
        ),
        rows=tuple(rows),
        note="The figures of Referrals, patterns per school, for the academic year the period "
        "ends in: schools with a late return or a destination not yet confirmed.",
    )


def manager_dashboard(
    *, user: AnyUser, period: Period, today: date | None = None
) -> Dashboard | None:
    """The dashboard over the cases `user` may see; None for anyone but a CME manager or an
    administrator."""
    if not is_manager(user):
        return None
    today = today or timezone.localdate()
    # The breakdowns' day: the period's last, or today while the period is still running.
    as_of = min(period.last, today)
    cases = cases_visible_to(user)
    open_cases = cases.filter(status__in=OPEN_STATUSES)
    open_then = cases.filter(_open_at(as_of))
    placement, median = _days_to_placement(cases, period)
    patterns = school_patterns(user=user, year=academic_year_start(period.last))
    assert patterns is not None  # a manager is CME team
    return Dashboard(
        period=period,
        today=today,
        as_of=as_of,
        open_now=open_cases.count(),
        median_days_to_placement=median,
        school_year_label=patterns.label,
        tables=(
            _open_over_time(cases, period),
            _referrals_and_closures(cases, period),
            placement,
            _open_by_reason(open_then, as_of),
            _open_by_flag(open_then, as_of),
            _open_by_school(open_then, as_of),
            _open_by_year_group(open_then, as_of),
            _open_by_district(open_then, as_of),
            _overdue_by_officer(cases, as_of),
            _school_returns(patterns),
        ),
    )
