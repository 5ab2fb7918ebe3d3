"""The EHE register's part in merging two children's records: the records move with the child
(matching repoints every foreign key); two open episodes cannot both stand."""

from cmetrack.children.models import Child
from cmetrack.matching.merge_registry import MergeParticipant

from .models import EheRecord


def _describe(record: EheRecord) -> str:
    state = "open" if record.is_open else f"ended {record.end_date:%d/%m/%Y}"
    return f"{record.reference} (home education from {record.start_date:%d/%m/%Y}, {state})"


def _one_open_record(source: Child, target: Child) -> str:
    open_s = source.ehe_records.filter(end_date__isnull=True).first()
    open_t = target.ehe_records.filter(end_date__isnull=True).first()
    if open_s is None or open_t is None:
        return ""
    return (
        f"Both records are on the home education register ({open_s.reference} and "
        f"{open_t.reference}). End one of them first (reason “Other”, saying it is a "
        "duplicate), then merge."
    )


EHE_IN_A_MERGE = MergeParticipant(
    model=EheRecord, label="Home education records", describe=_describe, blocker=_one_open_record
)
