"""A roll's year group in words: "Year 6", "Reception", "Nursery (N2)"."""

from __future__ import annotations

from cmetrack.core.year_group import year_group_label


def year_label(year_group: str) -> str:
    if year_group.isdigit():
        return year_group_label(int(year_group))
    return {"R": "Reception", "N1": "Nursery (N1)", "N2": "Nursery (N2)"}.get(
        year_group, f"Year group {year_group}" if year_group else "Year group not given"
    )
