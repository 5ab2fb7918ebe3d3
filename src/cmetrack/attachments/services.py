"""Writes to attachments: attaching evidence to a case, removing it, and retention's deletion
of the files. Keyword-only, one transaction each; each checks the CME team (cases'
`require_team`: importers and commands may call these too), writes the case's timeline line
and, through auditlog, the audit record.

A file is written to storage before its row (the row names it), so a failure anywhere after the
write deletes the file again: a refused or failed upload leaves no row, no file and no event.
Removal and retention delete a file only once their transaction has committed, so a rollback
never leaves a row whose file is gone.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import Case
from cmetrack.cases.services import case_document_event, case_locked, require_team
from cmetrack.uploads.checks import EVIDENCE, CheckedFile, check_upload

from .models import Attachment, EvidenceType, attachment_file_name

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DESCRIPTION_LONGEST = Attachment._meta.get_field("description").max_length or 200
REASON_LONGEST = Attachment._meta.get_field("removal_reason").max_length or 500


class AttachmentError(Exception):
    """An attachment change that cannot be made; the message is shown to the officer."""


def attachment_max_bytes() -> int:
    """The largest file accepted (CMETRACK_ATTACHMENT_MAX_BYTES, default 20 MB): the one place
    the setting is read."""
    return int(getattr(settings, "CMETRACK_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def attachment_add(
    *,
    case: Case,
    upload: File[bytes],
    evidence_type: str,
    description: str,
    by: User,
) -> Attachment:
    """Check the file (type from its bytes, size), store it under an opaque name and record it
    on the case. Raises CaseError (not the team), AttachmentError (the form's other fields or
    the case) or uploads.checks.UploadProblem (the file) before anything is written."""
    require_team(by)
    try:
        evidence = EvidenceType(evidence_type)
    except ValueError as error:
        raise AttachmentError("Choose what the evidence is.") from error
    description = " ".join(description.split())
    if len(description) > DESCRIPTION_LONGEST:
        raise AttachmentError(f"The description must be {DESCRIPTION_LONGEST} characters or fewer.")
    checked = check_upload(
        upload, filename=upload.name or "", allowed=EVIDENCE, max_bytes=attachment_max_bytes()
    )
    public_id = uuid.uuid4()
    stored = default_storage.save(attachment_file_name(public_id), ContentFile(checked.content))
    try:
        return _attachment_record(
            case=case,
            public_id=public_id,
            stored=stored,
            checked=checked,
            evidence=evidence,
            description=description,
            by=by,
        )
    except BaseException:
        # The row was never committed (a refusal, a database error, the commit itself failing):
        # the file it would have named must not outlive it.
        _delete_file(stored)
        raise


@transaction.atomic
def _attachment_record(
    *,
    case: Case,
    public_id: uuid.UUID,
    stored: str,
    checked: CheckedFile,
    evidence: EvidenceType,
    description: str,
    by: User,
) -> Attachment:
    # Locked as every case change is: a merge or an anonymisation cannot interleave.
    case = case_locked(case)
    if case.child.anonymised_at is not None:
        raise AttachmentError("This child's record has been anonymised: nothing can be attached.")
    with acting_as(by):
        attachment = Attachment.objects.create(
            public_id=public_id,
            case=case,
            evidence_type=evidence,
            description=description,
            file_kind=checked.kind.code,
            size=checked.size,
            sha256=checked.sha256,
            stored_file=stored,
            original_name=checked.safe_name,
            uploaded_by=by,
            uploaded_at=timezone.now(),
        )
        # Only the label: the file name or description may name the child.
        case_document_event(
            case=case, kind=EventKind.ATTACHMENT_ADDED, by=by, kind_label=evidence.label
        )
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, reason: str, by: User) -> Attachment:
    """Remove the evidence (attached in error, to the wrong case, superseded): the file is
    deleted once this commits; the row keeps who attached it, when, and who removed it and why."""
    require_team(by)
    reason = " ".join(reason.split())
    if not reason:
        raise AttachmentError("Say why the attachment is being removed.")
    if len(reason) > REASON_LONGEST:
        raise AttachmentError(f"The reason must be {REASON_LONGEST} characters or fewer.")
    case_locked(attachment.case)
    # Re-read under a lock: two officers removing it at once write one removal, not two.
    attachment = Attachment.objects.select_for_update().select_related("case").get(pk=attachment.pk)
    if attachment.removed_at is not None:
        raise AttachmentError("This attachment has already been removed.")
    with acting_as(by):
        attachment.removed_at = timezone.now()
        attachment.removed_by = by
        attachment.removal_reason = reason
        attachment.save(update_fields=["removed_at", "removed_by", "removal_reason"])
        case_document_event(
            case=attachment.case,
            kind=EventKind.ATTACHMENT_REMOVED,
            by=by,
            kind_label=EvidenceType(attachment.evidence_type).label,
        )
    stored = attachment.stored_file
    transaction.on_commit(lambda: _delete_file(stored))
    return attachment


def attachment_content(*, attachment: Attachment) -> bytes:
    """The stored bytes of evidence not removed. The caller has checked who is asking."""
    if attachment.removed_at is not None:
        raise AttachmentError("This attachment has been removed.")
    with default_storage.open(attachment.stored_file, "rb") as stored:
        content: bytes = stored.read()
    return content


def attachments_delete_files_of(*, cases: Iterable[Case]) -> int:
    """Retention (privacy.retention): the files of every attachment on these cases are deleted
    once the caller's transaction commits, and each row not yet removed is marked removed by
    nobody (the system). Run inside the anonymisation's transaction; the text scrub there
    empties the names and descriptions. Safe to re-run: a file already gone is no error.
    Returns how many attachments' files are to be deleted."""
    rows = list(Attachment.objects.filter(case__in=list(cases)).values_list("pk", "stored_file"))
    Attachment.objects.filter(pk__in=[pk for pk, _ in rows], removed_at__isnull=True).update(
        removed_at=timezone.now(), removed_by=None
    )
    names = [name for _, name in rows]
    transaction.on_commit(lambda: _delete_files(names))
    return len(names)


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        _delete_file(name)


def _delete_file(name: str) -> None:
    """Delete a stored file; one already gone is no error, and a failing disk is logged, not
    raised (the row says the file is removed; the operator is told to clear it)."""
    try:
        default_storage.delete(name)
    except FileNotFoundError:
        pass
    except OSError:
        logger.exception("Could not delete the stored attachment %s", name)
