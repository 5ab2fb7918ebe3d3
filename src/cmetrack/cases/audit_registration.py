"""Every create, update, delete and view of a case goes to the audit log."""

from auditlog.registry import auditlog

from .models import Case, CaseEvent, ClosureRequest, EnquiryCheck, Escalation, Task

auditlog.register(Case, exclude_fields=["updated_at"], m2m_fields={"secondary_reasons"})
auditlog.register(CaseEvent)
auditlog.register(Task)
auditlog.register(Escalation)
auditlog.register(EnquiryCheck)
auditlog.register(ClosureRequest)
