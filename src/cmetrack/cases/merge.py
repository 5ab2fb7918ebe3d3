"""Cases' part in merging two children's records: matching moves the cases with the child, and
asks here how they read, whether the merge may go ahead, and what to write once it has."""

from cmetrack.accounts.models import User
from cmetrack.children.models import Child
from cmetrack.matching.merge_registry import MergeParticipant

from .models import Case
from .services import case_add_note, case_version_bump
from .status import Status


def _open_case(child: Child) -> Case | None:
    return child.cases.exclude(status=Status.CLOSED).first()


def _describe(case: Case) -> str:
    return f"{case.reference} ({case.get_status_display()})"


def _one_open_case(source: Child, target: Child) -> str:
    open_s, open_t = _open_case(source), _open_case(target)
    if open_s is None or open_t is None:
        return ""
    return (
        f"Both records have an open case ({open_s.reference} and {open_t.reference}). "
        "A child can only have one open case: close one of them first (outcome "
        "“Duplicate of another case”), moving anything it needs to the other, "
        "then merge. Closed cases move with the record."
    )


def _note_on_open_case(target: Child, summary: str, by: User) -> None:
    """The kept record's open case says what was merged into it. Every case now on the kept
    record changed (moved to it, or its child's particulars did): each version moves on, so a
    form opened on one before the merge is refused rather than applied to a case it no longer
    describes (docs/concurrent-edits.md)."""
    for moved in target.cases.order_by("pk"):
        case_version_bump(moved)
    case = _open_case(target)
    if case is not None:
        case_add_note(case=case, text=summary, by=by)


CASES_IN_A_MERGE = MergeParticipant(
    model=Case,
    label="Cases",
    describe=_describe,
    blocker=_one_open_case,
    merged=_note_on_open_case,
)
