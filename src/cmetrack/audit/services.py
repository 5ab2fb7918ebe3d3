"""Forensic records that django-auditlog does not make by itself: views of a record."""

from auditlog.signals import accessed
from django.db import models


def record_view(instance: models.Model) -> None:
    """Log that the signed-in user (set by AuditlogMiddleware) viewed this record."""
    accessed.send(sender=instance.__class__, instance=instance)
