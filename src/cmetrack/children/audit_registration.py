"""Every create, update, delete and view of a child's record goes to the audit log."""

from auditlog.registry import auditlog

from .models import Address, Child, ChildFlag, Contact, FormerUpn, OtherName

auditlog.register(Child, exclude_fields=["updated_at"])
for model in (Address, Contact, OtherName, FormerUpn, ChildFlag):
    auditlog.register(model)
