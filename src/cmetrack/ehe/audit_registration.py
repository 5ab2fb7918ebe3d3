"""Every create, update, delete and view of an EHE record or review goes to the audit log; the
reasons list too, since an administrator edits it and the return counts by it."""

from auditlog.registry import auditlog

from .models import EheReason, EheRecord, EheReview

auditlog.register(EheRecord, exclude_fields=["updated_at"])
auditlog.register(EheReview)
auditlog.register(EheReason)
