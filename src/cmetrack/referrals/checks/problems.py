"""What a check finds: errors (the particulars cannot be recorded as they are) and warnings
(recorded, and shown to the CME team: late, incomplete or odd, never a reason to refuse)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    # A field name as the web form spells it; importers translate it to their column names.
    field: str
    message: str


@dataclass
class Verdict:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # The UPN as it is to be stored (normalised), once the check has read it.
    upn: str = ""
    # A UPN that fails the DfE's rules (a wrong check letter, say): kept as typed and shown,
    # never used for exact matching.
    unverified_upn: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, field_name: str, message: str) -> None:
        self.errors.append(Problem(field_name, message))

    def warn(self, field_name: str, message: str) -> None:
        self.warnings.append(Problem(field_name, message))

    def has_error(self, field_name: str) -> bool:
        return any(p.field == field_name for p in self.errors)
