"""A produced letter is part of the child's record: its creation, its retention scrub and
every download go to the audit log. Template versions too: what wording was in force is
evidence. (The DOCX bytes themselves are not copied into the log.)"""

from auditlog.registry import auditlog

from .models import Letter, LetterTemplate, TemplateVersion

auditlog.register(Letter)
auditlog.register(LetterTemplate)
auditlog.register(TemplateVersion, exclude_fields=["content"])
