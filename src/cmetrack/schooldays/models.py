"""The authority's term dates, and schools' own, as editable data (STANDARDS.md, "School days").

One row is a term, an INSET day (or run of days) or a closure. Rows with no school are the
authority's dates, which community and maintained schools follow. Rows for a school are its
INSET days, or, for an academy or other school that sets its own dates, its whole year: see
`selectors.school_calendar` for how the two combine.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from cmetrack.core.school_calendar import academic_year_bounds, academic_year_label

# Plausible academic years; also keeps academic_year_bounds inside what `date` can hold.
FIRST_ACADEMIC_YEAR = 2000
LAST_ACADEMIC_YEAR = 2100


class TermDate(models.Model):
    class Kind(models.TextChoices):
        TERM = "term", "Term"
        INSET = "inset", "INSET day"
        CLOSURE = "closure", "Closure"

    academic_year = models.PositiveSmallIntegerField(
        help_text="The calendar year the academic year starts in: 2025 for 2025/26."
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(
        max_length=100, blank=True, help_text="Required for a term, e.g. Autumn 1."
    )
    start = models.DateField()
    end = models.DateField(help_text="The last day, inclusive. The same as the start for one day.")
    school = models.ForeignKey(
        "schools.School",
        null=True,
        blank=True,
        # A school's own dates mean nothing without it; GIAS keeps closed schools, so a school
        # is only deleted when it was entered by mistake.
        on_delete=models.CASCADE,
        related_name="term_dates",
        help_text="Leave empty for the authority's dates. Set it for one school's INSET days, "
        "or for the terms of a school that sets its own dates.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["academic_year", "school", "start", "kind"]
        indexes = [models.Index(fields=["academic_year", "school"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")),
                name="schooldays_termdate_end_not_before_start",
            )
        ]

    def __str__(self) -> str:
        label = self.name or self.get_kind_display()
        if self.start == self.end:
            return f"{self.academic_year_label} {label}: {self.start.isoformat()}"
        return f"{self.academic_year_label} {label}: {self.start.isoformat()} to {self.end}"

    @property
    def academic_year_label(self) -> str:
        return academic_year_label(self.academic_year)

    def clean(self) -> None:
        # The same checks the CSV import makes, so a hand edit in the admin cannot leave a year
        # that the selector has to refuse (see selectors._build_year).
        errors: dict[str, str] = {}
        if self.kind == self.Kind.TERM and not self.name.strip():
            errors["name"] = "A term needs a name, e.g. Autumn 1."
        if self.start and self.end and self.end < self.start:
            errors["end"] = "The end date is before the start date."
        if self.academic_year is not None and not (
            FIRST_ACADEMIC_YEAR <= self.academic_year <= LAST_ACADEMIC_YEAR
        ):
            errors["academic_year"] = "Give the year the academic year starts in, e.g. 2025."
        elif self.academic_year is not None:
            first, last = academic_year_bounds(self.academic_year)
            for field in ("start", "end"):
                value = getattr(self, field)
                if value and not first <= value <= last and field not in errors:
                    errors[field] = (
                        f"{value.isoformat()} is not in {self.academic_year_label} "
                        f"({first.isoformat()} to {last.isoformat()})."
                    )
        if not errors and self.kind == self.Kind.TERM and self.start and self.end:
            same_school = (
                models.Q(school__isnull=True)
                if self.school_id is None
                else models.Q(school_id=self.school_id)
            )
            overlapping = (
                TermDate.objects.filter(
                    same_school,
                    academic_year=self.academic_year,
                    kind=self.Kind.TERM,
                    start__lte=self.end,
                    end__gte=self.start,
                )
                .exclude(pk=self.pk)
                .first()
            )
            if overlapping is not None:
                errors["start"] = f"This term overlaps {overlapping}."
        if errors:
            raise ValidationError(errors)
