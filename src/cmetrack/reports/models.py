"""The DfE collection's code lists, versioned per collection term (DOMAIN.md §7).

The DfE revises the lists (five CME reasons were added in autumn 2025), and a return must be
made with the list in force on its census date, so each version is a CollectionTerm holding its
codes and the mapping of cmetrack's reasons onto them. Reference data: loaded by migration,
corrected by an administrator in Django admin when the collection guide says otherwise.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models


class CollectionTerm(models.Model):
    """One version of the code lists: used for every census date from `valid_from` until the
    next version begins."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=100)
    valid_from = models.DateField(
        unique=True, help_text="The first census date this version of the code lists is used for."
    )
    source = models.TextField(
        blank=True, help_text="Where the lists come from (the collection guide and its version)."
    )
    confirmed = models.BooleanField(
        default=False,
        help_text="Ticked once every code has been checked against the DfE's collection guide.",
    )

    class Meta:
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return self.label

    @classmethod
    def in_force(cls, census: date) -> CollectionTerm | None:
        return cls.objects.filter(valid_from__lte=census).order_by("-valid_from").first()


class CodeList(models.TextChoices):
    CME_REASON = "cme_reason", "CME primary reason"
    EHE_REASON = "ehe_reason", "EHE reason"
    LENGTH_BAND = "length_band", "Length of time missing education"


class CollectionCode(models.Model):
    term = models.ForeignKey(CollectionTerm, on_delete=models.CASCADE, related_name="codes")
    code_list = models.CharField(max_length=20, choices=CodeList.choices)
    dfe_code = models.CharField("DfE code", max_length=40)
    label = models.CharField(max_length=200)
    # Length bands only: the longest time (calendar days) in the band; blank for the open-ended
    # band and for the "unknown" band (`is_unknown`).
    max_days = models.PositiveIntegerField(null=True, blank=True)
    is_unknown = models.BooleanField(
        default=False, help_text="The code for a value that is not known (reason or length)."
    )
    confirmed = models.BooleanField(
        default=False, help_text="Checked against the collection guide."
    )
    display_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["term", "code_list", "display_order", "dfe_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "code_list", "dfe_code"], name="one_dfe_code_per_list_and_term"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dfe_code}: {self.label}"


class ReasonMapping(models.Model):
    """Which collection reason a cmetrack reason is counted under, in one term's lists."""

    term = models.ForeignKey(CollectionTerm, on_delete=models.CASCADE, related_name="mappings")
    missing_reason = models.ForeignKey(
        "cases.MissingReason", on_delete=models.CASCADE, related_name="collection_mappings"
    )
    code = models.ForeignKey(
        CollectionCode,
        on_delete=models.PROTECT,
        related_name="mappings",
        limit_choices_to={"code_list": CodeList.CME_REASON},
    )

    class Meta:
        ordering = ["term", "missing_reason"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "missing_reason"], name="one_mapping_per_reason_and_term"
            )
        ]

    def __str__(self) -> str:
        return f"{self.missing_reason} → {self.code}"

    def clean(self) -> None:
        if self.code_id and self.term_id and self.code.term_id != self.term_id:
            raise ValidationError({"code": "Choose a code from the same collection term."})
