"""Term dates drive every statutory deadline, so who changed which date, and when, is kept.

`updated_at` is left out: it changes with every save and would only add noise to each entry.
"""

from auditlog.registry import auditlog

from .models import TermDate

auditlog.register(TermDate, exclude_fields=["updated_at"])
