"""What a closure outcome needs before a case may close with it (issue 9). Pure rules, no Django.

Each function returns None when the closure may go ahead, or the sentence that tells the officer
why not. `cases.services.lifecycle.closure_problem` decides which rule each outcome runs, and
every way a case closes goes through it: the close form, a manager's approval, intake, the
commands and, later, the API.

- **Over compulsory school age**: only once the child's date of birth shows they passed it on
  the closure date (STANDARDS.md, "Compulsory school age"): a child with no date of birth is
  refused. For a 16th birthday on 1-7 September (`needs_age_review`) the end depends on the day
  the autumn term began; given that day the rule is exact, without it such a child closes
  as over-age only after the later of the two possible leaving dates.
- **Moved abroad (confirmed)**: only with a note of the evidence that confirms the move.
"""

from __future__ import annotations

from datetime import date, timedelta

from .school_age import (
    birthday,
    compulsory_school_age_end,
    compulsory_school_age_end_given_term_start,
    long_date,
    needs_age_review,
)

EVIDENCE_EXAMPLE = "Confirmed by the receiving school in Poland by email on 3 November"


def over_compulsory_school_age_problem(
    *, date_of_birth: date | None, closed_on: date, autumn_term_start: date | None = None
) -> str | None:
    """Why a case cannot close as over compulsory school age on `closed_on`, or None.

    `autumn_term_start` is the first day of the autumn term in the calendar year of the child's
    16th birthday; it matters only for the children `needs_age_review` flags.
    """
    if date_of_birth is None:
        return (
            "Record the child's date of birth before closing the case as over compulsory school "
            "age: the date of birth shows whether the child has passed it."
        )
    end = compulsory_school_age_end(date_of_birth)
    if closed_on > end:
        return None
    if needs_age_review(date_of_birth):
        sixteenth = birthday(date_of_birth, 16)
        if autumn_term_start is not None:
            end = compulsory_school_age_end_given_term_start(date_of_birth, autumn_term_start)
            if closed_on > end:
                return None
        else:
            # The earlier reading: the autumn term began after the 16th birthday.
            earliest = compulsory_school_age_end_given_term_start(
                date_of_birth, sixteenth + timedelta(days=1)
            )
            if closed_on > earliest:
                return (
                    f"The child's 16th birthday, {long_date(sixteenth)}, falls in the first days "
                    "of September: compulsory school age ended on "
                    f"{long_date(earliest)} if the autumn term began after that birthday, and "
                    f"ends on {long_date(end)} if it began on or before it. Load the "
                    f"authority's term dates for {sixteenth.year}/{(sixteenth.year + 1) % 100:02d}"
                    " so cmetrack can tell, or choose another outcome."
                )
            end = earliest
    return (
        f"The child is of compulsory school age until {long_date(end)}, so the case cannot "
        f"close as over compulsory school age on {long_date(closed_on)}. Choose the outcome "
        "that applies, or keep the case open."
    )


def moved_abroad_evidence_problem(evidence: str) -> str | None:
    """Why a case cannot close as moved abroad (confirmed) with this evidence note, or None."""
    if evidence.strip():
        return None
    return (
        "Say what confirms the move abroad, and when, in the closing note: for example "
        f"'{EVIDENCE_EXAMPLE}'."
    )
