"""A run's candidates as CSV or XLSX (exports app: written, answered and audited in one call)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from cmetrack.exports.table import Column, ExportTable, Row

from .kinds import KINDS, CheckKind
from .models import CrossCheckCandidate, CrossCheckRun

COLUMNS = (
    Column("state", "State"),
    Column("forenames", "Forename(s)", personal=True),
    Column("surname", "Surname", personal=True),
    Column("date_of_birth", "Date of birth", personal=True),
    Column("sex", "Sex"),
    Column("upn", "UPN", personal=True),
    Column("postcode", "Postcode", personal=True),
    Column("last_school", "Last school"),
    Column("where", "Found as"),
    Column("why", "Why a candidate"),
    Column("nearest", "Nearest record"),
    Column("dismissed_reason", "Dismissed because"),
    Column("referral", "Referral"),
)

STATE_LABELS = {
    "open": "To look at",
    "dismissed": "Dismissed",
    "dismissed_before": "Dismissed in an earlier run",
    "referred": "Referred",
}


def _rows(candidates: QuerySet[CrossCheckCandidate]) -> Iterator[Row]:
    for c in candidates.iterator(chunk_size=2000):
        nearest = c.explanation.get("nearest") or {}
        yield Row(
            {
                "state": STATE_LABELS.get(c.state, c.state),
                "forenames": c.forenames,
                "surname": c.surname,
                "date_of_birth": c.date_of_birth,
                "sex": c.sex,
                "upn": c.upn,
                "postcode": c.postcode,
                "last_school": c.last_school.name if c.last_school else "",
                "where": c.explanation.get("where", ""),
                "why": " ".join(c.explanation.get("why", [])),
                "nearest": f"{nearest['name']}, {nearest['where']} ({nearest['percent']})"
                if nearest
                else "",
                "dismissed_reason": c.dismissed_reason,
                "referral": c.referral.reference if c.referral else "",
            },
            subject_id=c.pk,
        )


def candidates_table(
    run: CrossCheckRun, candidates: QuerySet[CrossCheckCandidate], *, include_personal: bool
) -> ExportTable:
    title = KINDS[CheckKind(run.kind)].title
    return ExportTable(
        name=f"{title} cross-check",
        slug=f"cross-check-{run.kind.replace('_', '-')}",
        columns=COLUMNS,
        rows=_rows(candidates.select_related("last_school", "referral")),
        title_lines=(f"{title} cross-check of {run.created_at:%d %B %Y %H:%M}",),
        subject_model=CrossCheckCandidate,
        include_personal=include_personal,
    )
