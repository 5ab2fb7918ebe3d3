"""The one error intake services raise; its message is shown to the user."""

from __future__ import annotations

from ..checks import Problem, Verdict


class IntakeError(Exception):
    """A submission or triage step that cannot be made. `field` names the form field it belongs
    to, when there is one; `problems` holds every error a check found (the first is the message)."""

    def __init__(
        self, message: str, field: str | None = None, problems: list[Problem] | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        self.problems = problems or ([Problem(field or "", message)])


def refuse_if_errors(verdict: Verdict) -> None:
    if verdict.errors:
        first = verdict.errors[0]
        raise IntakeError(first.message, first.field or None, list(verdict.errors))
