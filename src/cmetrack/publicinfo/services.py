"""Writes for the public page: its text, and the documents published on it. CME managers and
administrators edit it (the authority's own words); every change is audited."""

from __future__ import annotations

import uuid
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.access import is_manager
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.uploads.checks import check_upload

from .models import InformationPage, PublishedDocument, document_file_name

# Guidance and forms: PDFs, Word documents and spreadsheets, as the seed page offers.
DOCUMENT_KINDS = frozenset({"pdf", "docx", "xlsx"})
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


class PageRefused(Exception):
    pass


def _editor(by: User) -> None:
    if not is_manager(by):
        raise PageRefused("Only a CME manager or an administrator can change the public page.")


def information_page_update(
    *, what_is_cme: str, how_to_refer: str, contact: str, by: User
) -> InformationPage:
    _editor(by)
    with transaction.atomic(), acting_as(by):
        page = InformationPage.objects.select_for_update().first() or InformationPage()
        page.what_is_cme = what_is_cme.strip()
        page.how_to_refer = how_to_refer.strip()
        page.contact = contact.strip()
        page.updated_at = timezone.now()
        page.updated_by = by
        page.save()
    return page


def published_document_add(
    *, upload: IO[bytes] | bytes, filename: str, title: str, description: str, by: User
) -> PublishedDocument:
    """Check the file (type from its content, size, no macros), store it under an opaque name
    and list it; a refused file (UploadProblem) stores nothing."""
    _editor(by)
    checked = check_upload(
        upload, filename=filename, allowed=DOCUMENT_KINDS, max_bytes=MAX_DOCUMENT_BYTES
    )
    document_id = uuid.uuid4()
    stored = default_storage.save(
        document_file_name(document_id, checked.kind.extension), ContentFile(checked.content)
    )
    try:
        with transaction.atomic(), acting_as(by):
            return PublishedDocument.objects.create(
                public_id=document_id,
                title=title.strip(),
                description=description.strip(),
                kind=checked.kind.code,
                size=checked.size,
                sha256=checked.sha256,
                stored_name=stored,
                download_name=checked.safe_name,
                uploaded_by=by,
                uploaded_at=timezone.now(),
            )
    except BaseException:
        default_storage.delete(stored)
        raise


def published_document_remove(*, document: PublishedDocument, by: User) -> None:
    """Take the document off the page; its file goes once the removal commits."""
    _editor(by)
    name = document.stored_name
    with transaction.atomic(), acting_as(by):
        PublishedDocument.objects.filter(pk=document.pk).delete()
        transaction.on_commit(lambda: default_storage.delete(name))
