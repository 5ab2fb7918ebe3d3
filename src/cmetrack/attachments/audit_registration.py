"""Every create, update and view of an attachment goes to the audit log."""

from auditlog.registry import auditlog

from .models import Attachment

auditlog.register(Attachment)
