import uuid

from django.db import models


class School(models.Model):
    """An establishment from Get Information About Schools (GIAS), keyed on its URN."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    urn = models.CharField("URN", max_length=8, unique=True)
    la_code = models.CharField("LA code", max_length=3, db_index=True)
    la_name = models.CharField("LA name", max_length=100, blank=True)
    establishment_number = models.CharField(max_length=4, blank=True)
    name = models.CharField(max_length=200, db_index=True)
    phase = models.CharField(max_length=100, blank=True)
    type_name = models.CharField("type of establishment", max_length=150, blank=True)
    status_name = models.CharField("establishment status", max_length=100, blank=True)
    is_open = models.BooleanField(default=True, db_index=True)
    postcode = models.CharField(max_length=10, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"

    @property
    def laestab(self) -> str:
        """DfE number: LA code and establishment number, the form schools quote on returns."""
        if not (self.la_code and self.establishment_number):
            return ""
        return f"{self.la_code}/{self.establishment_number}"
