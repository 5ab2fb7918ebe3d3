"""Writes for letters: installing the shipped templates, uploading a new version, producing a
letter for a case, and removing a letter's files at retention.

A letter is all or nothing: the template is filled first (LetterProblem, naming each placeholder
the case cannot fill, stops it before anything is written), then the PDF made from the filled
DOCX, then both files stored and the row and the timeline line written in one transaction; if
that transaction fails, the stored files are deleted again.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from cmetrack.accounts.access import can_administer, can_work_cases
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import Case
from cmetrack.cases.services import case_document_event
from cmetrack.uploads.checks import UploadProblem, check_upload

from .context import blank_context, case_context
from .defaults import SHIPPED
from .models import Letter, LetterTemplate, TemplateKind, TemplateVersion, letter_file_name
from .pdf import PdfUnavailable, docx_to_pdf, libreoffice_available
from .placeholders import AUTHORITY_ONLY, KNOWN
from .rendering import LetterProblem, check_template, render_docx

# A Word template is a few tens of kilobytes; a megabyte is a document with pictures in it.
MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


class LetterRefused(Exception):
    """The user may not do this (the view has usually refused them already)."""


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def allowed_placeholders(template: LetterTemplate) -> frozenset[str]:
    return AUTHORITY_ONLY if template.is_blank_form else KNOWN


def _next_number(template: LetterTemplate) -> int:
    latest = template.versions.aggregate(n=Max("number"))["n"]
    return (latest or 0) + 1


def _add_version(
    template: LetterTemplate, content: bytes, *, by: User | None, note: str, found: frozenset[str]
) -> TemplateVersion:
    TemplateVersion.objects.filter(template=template, is_current=True).update(is_current=False)
    return TemplateVersion.objects.create(
        template=template,
        number=_next_number(template),
        content=content,
        sha256=_sha256(content),
        placeholders=sorted(found),
        uploaded_by=by,
        uploaded_at=timezone.now(),
        note=note.strip(),
        is_current=True,
    )


def shipped_templates_install(*, using: str = "default") -> int:
    """Create each shipped template that is missing, with version 1; returns how many."""
    made = 0
    for order, shipped in enumerate(SHIPPED, start=1):
        if LetterTemplate.objects.using(using).filter(slug=shipped.slug).exists():
            continue
        content = shipped.content()
        with transaction.atomic(using=using):
            template = LetterTemplate.objects.using(using).create(
                slug=shipped.slug,
                title=shipped.title,
                purpose=shipped.purpose,
                kind=shipped.kind,
                shipped=True,
                display_order=order * 10,
            )
            found = check_template(content, allowed=allowed_placeholders(template))
            TemplateVersion.objects.using(using).create(
                template=template,
                number=1,
                content=content,
                sha256=_sha256(content),
                placeholders=sorted(found),
                uploaded_at=timezone.now(),
                note="Shipped with cmetrack",
                is_current=True,
            )
        made += 1
    return made


def _checked_template_file(content: bytes) -> bytes:
    """A Word document (.docx, no macros), under the size limit: the upload checks every file
    goes through, then the template's own placeholder check."""
    try:
        check_upload(
            content,
            filename="template.docx",
            allowed={"docx"},
            max_bytes=MAX_TEMPLATE_BYTES,
        )
    except UploadProblem as problem:
        raise LetterProblem(str(problem)) from problem
    return content


def template_version_upload(
    *, template: LetterTemplate, content: bytes, note: str, by: User
) -> TemplateVersion:
    """A new current version of `template`. Refused (LetterProblem, nothing written) if the file
    is not a Word document or names a placeholder this kind of template may not use."""
    if not can_administer(by):
        raise LetterRefused("Only an administrator can change letter templates.")
    _checked_template_file(content)
    found = check_template(content, allowed=allowed_placeholders(template))
    with transaction.atomic():
        template = LetterTemplate.objects.select_for_update().get(pk=template.pk)
        return _add_version(template, content, by=by, note=note, found=found)


def template_create(
    *, title: str, purpose: str, kind: str, content: bytes, by: User
) -> LetterTemplate:
    """A template of the authority's own, with its first version."""
    if not can_administer(by):
        raise LetterRefused("Only an administrator can add letter templates.")
    if kind not in TemplateKind.values:
        raise LetterProblem("Choose whether this is a letter about a case or a blank form.")
    slug = slugify(title)[:50]
    if not slug:
        raise LetterProblem("Give the template a title.")
    if LetterTemplate.objects.filter(slug=slug).exists():
        raise LetterProblem(f"There is already a template called {title!r}. Upload a new version.")
    _checked_template_file(content)
    allowed = AUTHORITY_ONLY if kind == TemplateKind.BLANK_FORM else KNOWN
    found = check_template(content, allowed=allowed)
    with transaction.atomic():
        template = LetterTemplate.objects.create(
            slug=slug, title=title.strip(), purpose=purpose.strip(), kind=kind
        )
        _add_version(template, content, by=by, note="First version", found=found)
    return template


@dataclass(frozen=True)
class Filled:
    """A letter filled but not yet produced: what the preview shows."""

    version: TemplateVersion
    docx: bytes


def letter_fill(
    *, case: Case, template: LetterTemplate, by: User, on: date | None = None
) -> Filled:
    """The current version of `template` filled from `case`, or LetterProblem. Writes nothing."""
    if not can_work_cases(by):
        raise LetterRefused("Only the local authority's CME team can produce letters.")
    if template.is_blank_form:
        raise LetterProblem(f"{template.title} is a blank form: it is not filled from a case.")
    version = template.versions.filter(is_current=True).first()
    if version is None:
        raise LetterProblem(f"{template.title} has no version to fill. Upload one.")
    docx = render_docx(bytes(version.content), case_context(case, by=by, on=on))
    return Filled(version=version, docx=docx)


def _store(name: str, content: bytes) -> str:
    return default_storage.save(name, ContentFile(content))


def letter_produce(
    *, case: Case, template: LetterTemplate, by: User, on: date | None = None
) -> Letter:
    """Fill the template, make its PDF, store both and record the letter on the case.

    The PDF is made by LibreOffice; where the server has none, the letter is produced as DOCX
    alone and the page says so (the PDF is a copy of the letter, not the letter itself)."""
    filled = letter_fill(case=case, template=template, by=by, on=on)
    pdf: bytes | None = None
    if libreoffice_available():
        try:
            pdf = docx_to_pdf(filled.docx)
        except PdfUnavailable:
            pdf = None
    letter_id = uuid.uuid4()
    stored: list[str] = []
    try:
        docx_name = _store(letter_file_name(letter_id, "docx"), filled.docx)
        stored.append(docx_name)
        pdf_name = _store(letter_file_name(letter_id, "pdf"), pdf) if pdf else ""
        if pdf_name:
            stored.append(pdf_name)
        with transaction.atomic(), acting_as(by):
            letter = Letter.objects.create(
                public_id=letter_id,
                case=case,
                template_version=filled.version,
                produced_by=by,
                produced_at=timezone.now(),
                docx_file=docx_name,
                docx_sha256=_sha256(filled.docx),
                pdf_file=pdf_name,
                download_stem=f"{case.reference}-{template.slug}"[:120],
            )
            case_document_event(
                case=case,
                kind=EventKind.LETTER_PRODUCED,
                by=by,
                template=template.title,
                version=filled.version.number,
                letter=str(letter.public_id),
            )
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return letter


def blank_form_render(*, template: LetterTemplate, on: date | None = None) -> bytes:
    """A blank form with the authority's details: no case, nothing stored, anyone may have it
    (the public page offers them)."""
    if not template.is_blank_form:
        raise LetterProblem(f"{template.title} is a letter about a case, not a blank form.")
    version = template.versions.filter(is_current=True).first()
    if version is None:
        raise LetterProblem(f"{template.title} has no version to fill. Upload one.")
    return render_docx(bytes(version.content), blank_context(on=on))


def letters_remove_files_of(*, cases: QuerySet[Case]) -> int:
    """Retention: the letters' files on these cases go (they name the child), once the caller's
    transaction commits, so a rolled-back anonymisation leaves every letter whole. The rows
    stay, saying who produced which letter from which version, and when. Returns how many."""
    letters = Letter.objects.filter(case__in=cases, files_removed_at__isnull=True)
    names = [n for pair in letters.values_list("docx_file", "pdf_file") for n in pair if n]
    count = letters.update(
        docx_file="", pdf_file="", docx_sha256="", files_removed_at=timezone.now()
    )

    def delete() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(delete)
    return count
