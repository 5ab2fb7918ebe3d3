"""A roll load and its withdrawal go to the audit log. The pupils in it are the schools' own
statement, kept as the file said it; each is not logged one by one (a census of 45,000 pupils
would write 45,000 entries), but the load that brought them, and who, is."""

from auditlog.registry import auditlog

from .models import RollLoad

auditlog.register(RollLoad, exclude_fields=["summary"])
