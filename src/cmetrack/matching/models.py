"""Blocking keys for the candidate search, and the pairs an officer said are different children."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class ChildMatchKey(models.Model):
    """One blocking key of one child ('dob:2015-03-04', 'snp:SNAT:2015', ...), see keys.py.

    Kept in step with the child by signal handlers (apps.py); `cmetrack rebuild-match-keys`
    rebuilds them all. Lookups are by key, so the search never scans the children table.
    """

    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40, db_index=True)

    class Meta:
        verbose_name = "match key"

    def __str__(self) -> str:
        return self.key


class NonMatch(models.Model):
    """An officer decided these two records are different children: never suggest them again.

    Stored once per pair, the lower primary key first (see `NonMatch.ordered`)."""

    child_a = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    child_b = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name = "not the same child decision"
        constraints = [
            models.CheckConstraint(
                condition=Q(child_a__lt=F("child_b")), name="non_match_canonical_order"
            ),
            models.UniqueConstraint(fields=["child_a", "child_b"], name="non_match_once"),
        ]

    def __str__(self) -> str:
        return f"{self.child_a_id} is not {self.child_b_id}"

    @staticmethod
    def ordered(pk_1: int, pk_2: int) -> tuple[int, int]:
        return (pk_1, pk_2) if pk_1 < pk_2 else (pk_2, pk_1)
