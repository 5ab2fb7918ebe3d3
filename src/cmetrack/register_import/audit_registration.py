"""Every create, update and delete of a register migration and its committed rows goes to the
audit log (the stored rows are the file's content, kept already: not copied there)."""

from auditlog.registry import auditlog

from .models import MigratedRow, RegisterMigration

auditlog.register(RegisterMigration, exclude_fields=["stored_rows", "sheet"])
auditlog.register(MigratedRow)
