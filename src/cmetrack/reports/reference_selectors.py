"""The managers' reference-data page (issue 16): every list the service decides by, with its
valid dates and what a change to each row would touch, counted now.

Reads only. The CME team (officers, managers, administrators) sees every case, so the counts are
the whole authority's; anyone else gets None (the page refuses them first). Each count is one
grouped query over its table (values + annotate), never a query per row, so the page costs the
same number of queries with five reasons or five hundred, and with no cases or fifty thousand.

The sentences saying what a change does are written against the code that reads each list (the
module named beside each); change them when that code changes. Edits happen in Django admin
(the administrators' tool), with the timescales in configuration: this page only reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.db.models import Count, Q

from cmetrack.accounts.access import AnyUser, is_la_staff
from cmetrack.cases.models import Case, EnquiryCheck, EnquiryCheckType, MissingReason, Task
from cmetrack.cases.services import timescales
from cmetrack.cases.status import OPEN_STATUSES
from cmetrack.children.models import ChildFlag, VulnerabilityFlagType
from cmetrack.core.deadlines import LABELS, DeadlineKind, Timescales
from cmetrack.ehe.models import EheReason, EheRecord

from .models import CollectionTerm, ReasonMapping

OPEN = sorted(OPEN_STATUSES)


@dataclass(frozen=True)
class Row:
    pk: int
    code: str
    label: str
    valid_from: date | None
    valid_to: date | None
    today: date
    # One figure per heading of the list's `counts`, in that order.
    counts: tuple[int, ...]
    dfe_code: str = ""
    # The list's own extra fact (a flag escalates; a check's side; a reason's return code),
    # and words for it when it is a code (the collection code's label).
    detail: str = ""
    detail_note: str = ""

    @property
    def in_force(self) -> bool:
        return (self.valid_from is None or self.valid_from <= self.today) and (
            self.valid_to is None or self.valid_to >= self.today
        )

    @property
    def state(self) -> str:
        """In force, or why not, in words (a date to come or gone)."""
        if self.valid_from is not None and self.valid_from > self.today:
            return f"Not yet: from {self.valid_from:%-d %B %Y}"
        if self.valid_to is not None and self.valid_to < self.today:
            return f"No: ended {self.valid_to:%-d %B %Y}"
        return "Yes"


@dataclass(frozen=True)
class ReferenceList:
    key: str
    title: str
    # The admin change page's URL name is admin:<app>_<model>_change (the view links it).
    admin_model: str
    counts: tuple[str, ...]
    rows: tuple[Row, ...]
    effects: tuple[str, ...]
    # The heading of Row.detail, and whether the list has a DfE code column.
    detail_heading: str = ""
    has_dfe_code: bool = False

    @property
    def in_force(self) -> int:
        return sum(1 for row in self.rows if row.in_force)


@dataclass(frozen=True)
class TimescaleRow:
    name: str
    label: str
    unit: str
    value: int
    default: int
    # The open tasks this rule made, for the case deadlines; None where no task carries it.
    open_tasks: int | None
    when: str

    @property
    def configured(self) -> bool:
        return self.value != self.default

    @property
    def amount(self) -> str:
        return f"{self.value} {self.unit}{'' if self.value == 1 else 's'}"


@dataclass(frozen=True)
class ReferenceData:
    today: date
    lists: tuple[ReferenceList, ...]
    timescales: tuple[TimescaleRow, ...]
    timescales_error: str
    timescale_effects: tuple[str, ...]
    # The collection term whose code lists a return made today uses (None: none loaded).
    term: CollectionTerm | None

    def list(self, key: str) -> ReferenceList:
        return next(found for found in self.lists if found.key == key)


# --- what each list drives ------------------------------------------------------------------
# Checked against: cases/form_fields.py and referrals/forms (effective()), cases/services/
# casework.py (case_change_primary_reason), reports/selectors.py (build_return: ReasonMapping).
REASON_EFFECTS = (
    "Ending a reason on a date (valid to): cases that have it keep it, as their main or other "
    "reason; from the day after, the forms that record a referral, open a case from the "
    "incoming queue or change a case's main reason no longer offer it, and changing a case's "
    "main reason to it is refused. A reason with a valid-from date in the future is offered "
    "from that day.",
    "The termly return does not read the DfE code on the reason: it counts each case under the "
    "collection code its reason is mapped to in the collection term of the census date "
    "(Django admin, collection terms). The column “in a return made today” shows that "
    "mapping for today's term.",
)
# Checked against: cases/services/flags.py and escalation.py (escalation_raise,
# escalations_raise_missing), cases/services/lifecycle.py (closure_needs_approval).
FLAG_EFFECTS = (
    "A flag marked escalates sends new flags of this kind to MASH at once: adding one to a "
    "child with an open case raises an escalation due today, a banner on the case and an "
    "email to the MASH address (when one is configured). "
    "Marking an existing flag as escalating also escalates, at the next daily job "
    "(cmetrack tick), every open case whose child already has it and was never escalated "
    "for it: the “with an open case” count is how many. Unmarking it raises no new escalations; "
    "those already raised stay until resolved.",
    "Ending a flag on a date: children who have it keep it; the forms that add a flag no longer "
    "offer it. Any active flag, of whatever kind, means a manager must approve the case's "
    "closure.",
)
# Checked against: cases/services/enquiries.py (checklist_in_force, enquiry_checks_missing,
# case_enquiries_exhausted, enquiry_not_applicable), cases/forms.py (EnquiryForm).
CHECK_EFFECTS = (
    "The checklist is the checks in force today. A manager can call enquiries exhausted on a "
    "case only when every one of them is recorded on it (any outcome) or marked not applicable "
    "with a reason. Adding a check, or one reaching its valid-from date, puts it on every open "
    "case's list at once, and decisions to call enquiries exhausted wait for it.",
    "Ending a check takes it off every case's list and out of the form that records an "
    "enquiry; enquiries already recorded against it stay on their cases.",
)
# Checked against: ehe/forms.py and ehe/services.py (_check_start), ehe/selectors.py
# (ehe_figures_over).
EHE_EFFECTS = (
    "Ending a reason on a date: records that have it keep it; the form that puts a child on "
    "the register no longer offers it, and a record starting after that date cannot be given "
    "it.",
    "The home-education half of the termly return lists every reason in force on the census "
    "date, by its DfE code (its label while it has none), and counts each record under its "
    "reason now: changing a reason's DfE code changes how a return made afterwards labels it, "
    "for earlier census dates too.",
)
# Checked against: cases/services/deadlines.py (tasks_sync), referrals/selectors.py (_clock),
# referrals/services/destinations.py (destination_await), referrals/services/joint_enquiries.py.
TIMESCALE_EFFECTS = (
    "Timescales have no valid-from date: they are the service's configuration "
    "(CMETRACK_TIMESCALES), not data in admin, and a change applies from the moment the "
    "service restarts with it.",
    "Changing a case deadline moves the due dates of tasks the daily job makes after the "
    "change; tasks already made keep theirs.",
)

TASK_RULE = "Tasks made after the change; tasks already made keep their due dates (daily job)"
ON_RECORDING = "Returns sent after the change; those already sent keep their dates"
ON_TRIAGE = "Returns triaged after the change; those already triaged keep their dates"
ON_SHOWING = "At once, for every return: worked out each time the incoming queue is shown"

# Every timescale (core.deadlines.Timescales), in words: name -> (label, unit in the singular,
# when a change applies).
# A timescale added there without a line here fails tests/test_reference_data.py.
TIMESCALE_WORDS: Mapping[str, tuple[str, str, str]] = {
    "home_visit": (LABELS[DeadlineKind.HOME_VISIT] + ", after referral", "school day", TASK_RULE),
    "first_review": (
        LABELS[DeadlineKind.FIRST_REVIEW] + ", after referral",
        "school day",
        TASK_RULE,
    ),
    "enquiries_complete": (
        LABELS[DeadlineKind.ENQUIRIES_COMPLETE] + ", after referral",
        "school day",
        TASK_RULE,
    ),
    "attendance_confirmation": (
        LABELS[DeadlineKind.ATTENDANCE_CONFIRMATION] + ", after the case is placed",
        "school day",
        TASK_RULE,
    ),
    "untraced_review_terms": (
        LABELS[DeadlineKind.UNTRACED_REVIEW],
        "term",
        TASK_RULE,
    ),
    "new_pupil_return": (
        "A school's new-pupil return, after the pupil starts",
        "calendar day",
        ON_SHOWING,
    ),
    "joint_enquiry_confirmation": (
        "The authority confirms joint enquiries for a removal under ground (h) or (i), "
        "after the return arrives",
        "school day",
        ON_SHOWING,
    ),
    "destination_confirmation": (
        "A new school named on a deletion return is confirmed, after the expected start",
        "school day",
        ON_TRIAGE,
    ),
    "ground_h_school_days": (
        "Earliest removal under ground (h): days after authorised leave ends",
        "school day",
        ON_RECORDING,
    ),
    "ground_i_school_days": (
        "Earliest removal under ground (i): days of continuous absence",
        "school day",
        ON_RECORDING,
    ),
}
# The timescales that make case tasks, and the task kind each makes.
TASK_KINDS: Mapping[str, DeadlineKind] = {
    "home_visit": DeadlineKind.HOME_VISIT,
    "first_review": DeadlineKind.FIRST_REVIEW,
    "enquiries_complete": DeadlineKind.ENQUIRIES_COMPLETE,
    "attendance_confirmation": DeadlineKind.ATTENDANCE_CONFIRMATION,
    "untraced_review_terms": DeadlineKind.UNTRACED_REVIEW,
}


def reference_data(*, user: AnyUser, today: date) -> ReferenceData | None:
    """Every reference list with today's counts; None for anyone outside the CME team."""
    if not is_la_staff(user):
        return None
    term = CollectionTerm.in_force(today)
    scale, error = _timescales()
    return ReferenceData(
        today=today,
        lists=(
            _reasons(today, term),
            _flags(today),
            _checks(today),
            _ehe_reasons(today),
        ),
        timescales=_timescale_rows(scale),
        timescales_error=error,
        timescale_effects=TIMESCALE_EFFECTS,
        term=term,
    )


def _grouped(rows: Iterable[dict[str, Any]], key: str, *names: str) -> dict[Any, tuple[int, ...]]:
    """One grouped query's rows as {group: (count, ...)}; a group with no rows is absent."""
    return {row[key]: tuple(row[name] for name in names) for row in rows}


def _reasons(today: date, term: CollectionTerm | None) -> ReferenceList:
    open_cases = Case.objects.filter(status__in=OPEN).order_by()
    main = _grouped(
        open_cases.values("primary_reason").annotate(n=Count("pk")), "primary_reason", "n"
    )
    other = _grouped(
        Case.secondary_reasons.through.objects.filter(case__status__in=OPEN)
        .order_by()
        .values("missingreason")
        .annotate(n=Count("case", distinct=True)),
        "missingreason",
        "n",
    )
    mapped: dict[int, tuple[str, str]] = {}
    if term is not None:
        mapped = {
            m.missing_reason_id: (m.code.dfe_code, m.code.label)
            for m in ReasonMapping.objects.filter(term=term).select_related("code")
        }
    unmapped = ("Not mapped" if term is not None else "No collection term", "")
    rows = tuple(
        Row(
            pk=r.pk,
            code=r.code,
            label=r.label,
            dfe_code=r.dfe_code,
            valid_from=r.valid_from,
            valid_to=r.valid_to,
            today=today,
            counts=(main.get(r.pk, (0,))[0], other.get(r.pk, (0,))[0]),
            detail=mapped.get(r.pk, unmapped)[0],
            detail_note=mapped.get(r.pk, unmapped)[1],
        )
        for r in MissingReason.objects.all()
    )
    return ReferenceList(
        key="reasons",
        title="Reasons a child is missing education",
        admin_model=_admin_model(MissingReason),
        counts=("Open cases, main reason", "Open cases, other reason"),
        rows=rows,
        effects=REASON_EFFECTS,
        detail_heading="In a return made today",
        has_dfe_code=True,
    )


def _flags(today: date) -> ReferenceList:
    active = ChildFlag.objects.filter(removed_at__isnull=True, child__merged_into__isnull=True)
    counts = _grouped(
        active.order_by()
        .values("flag_type")
        .annotate(
            children=Count("child", distinct=True),
            on_open_case=Count("child", distinct=True, filter=Q(child__cases__status__in=OPEN)),
        ),
        "flag_type",
        "children",
        "on_open_case",
    )
    rows = tuple(
        Row(
            pk=f.pk,
            code=f.code,
            label=f.label,
            valid_from=f.valid_from,
            valid_to=f.valid_to,
            today=today,
            counts=counts.get(f.pk, (0, 0)),
            detail="Yes" if f.escalates else "No",
        )
        for f in VulnerabilityFlagType.objects.all()
    )
    return ReferenceList(
        key="flags",
        title="Vulnerability flags",
        admin_model=_admin_model(VulnerabilityFlagType),
        counts=("Children with it now", "Of them, with an open case"),
        rows=rows,
        effects=FLAG_EFFECTS,
        detail_heading="Escalates to MASH",
    )


def _checks(today: date) -> ReferenceList:
    counts = _grouped(
        EnquiryCheck.objects.order_by()
        .values("check_type")
        .annotate(
            recorded=Count("pk"),
            on_open=Count("pk", filter=Q(case__status__in=OPEN)),
        ),
        "check_type",
        "recorded",
        "on_open",
    )
    sides = dict(EnquiryCheckType.Side.choices)
    rows = tuple(
        Row(
            pk=c.pk,
            code=c.code,
            label=c.label,
            valid_from=c.valid_from,
            valid_to=c.valid_to,
            today=today,
            counts=counts.get(c.pk, (0, 0)),
            detail=str(sides.get(c.side, c.side)),
        )
        for c in EnquiryCheckType.objects.all()
    )
    return ReferenceList(
        key="checks",
        title="Reasonable-enquiry checks",
        admin_model=_admin_model(EnquiryCheckType),
        counts=("Enquiries recorded", "Of them, on open cases"),
        rows=rows,
        effects=CHECK_EFFECTS,
        detail_heading="Whose check",
    )


def _ehe_reasons(today: date) -> ReferenceList:
    counts = _grouped(
        EheRecord.objects.filter(reason__isnull=False)
        .order_by()
        .values("reason")
        .annotate(open=Count("pk", filter=Q(end_date__isnull=True)), all=Count("pk")),
        "reason",
        "open",
        "all",
    )
    rows = tuple(
        Row(
            pk=r.pk,
            code=r.code,
            label=r.label,
            dfe_code=r.dfe_code,
            valid_from=r.valid_from,
            valid_to=r.valid_to,
            today=today,
            counts=counts.get(r.pk, (0, 0)),
        )
        for r in EheReason.objects.all()
    )
    return ReferenceList(
        key="ehe-reasons",
        title="Reasons for elective home education",
        admin_model=_admin_model(EheReason),
        counts=("On the register now", "Records ever"),
        rows=rows,
        effects=EHE_EFFECTS,
        has_dfe_code=True,
    )


def _admin_model(model: type[Any]) -> str:
    return f"{model._meta.app_label}_{model._meta.model_name}"


def _timescales() -> tuple[Timescales, str]:
    """The timescales in use, or the defaults and why, when the configuration is refused (the
    daily job stops with the same error, so the page says it rather than failing)."""
    try:
        return timescales(), ""
    except ValueError as error:
        return Timescales(), (
            f"CMETRACK_TIMESCALES is refused ({error}): the daily job will not run until it "
            "is corrected. The defaults are shown."
        )


def _timescale_rows(scale: Timescales) -> tuple[TimescaleRow, ...]:
    open_tasks = _grouped(
        Task.objects.filter(done_at__isnull=True, cancelled_at__isnull=True)
        .exclude(rule_key="")
        .order_by()
        .values("kind")
        .annotate(n=Count("pk")),
        "kind",
        "n",
    )
    default = Timescales()
    rows = []
    for field in fields(Timescales):
        label, unit, when = TIMESCALE_WORDS[field.name]
        kind = TASK_KINDS.get(field.name)
        rows.append(
            TimescaleRow(
                name=field.name,
                label=label,
                unit=unit,
                value=getattr(scale, field.name),
                default=getattr(default, field.name),
                open_tasks=None if kind is None else open_tasks.get(kind.value, (0,))[0],
                when=when,
            )
        )
    return tuple(rows)
