"""Reads for the public page: anyone may read it; the edit pages check the role first."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.db.models import QuerySet

from cmetrack.letters.models import LetterTemplate, TemplateKind

from . import defaults
from .models import InformationPage, PublishedDocument


@dataclass(frozen=True)
class PageText:
    what_is_cme: str
    how_to_refer: str
    contact: str
    edited: bool  # False: the shipped wording, the authority has not changed it yet


def page_text() -> PageText:
    page = InformationPage.objects.first()
    if page is not None:
        return PageText(page.what_is_cme, page.how_to_refer, page.contact, edited=True)
    values = {
        "authority": settings.CMETRACK_AUTHORITY_NAME,
        "phone": getattr(settings, "CMETRACK_AUTHORITY_PHONE", "") or "the council's main number",
    }
    return PageText(
        defaults.WHAT_IS_CME.format(**values),
        defaults.HOW_TO_REFER.format(**values),
        defaults.CONTACT.format(**values),
        edited=False,
    )


def published_documents() -> QuerySet[PublishedDocument]:
    return PublishedDocument.objects.all()


def published_document_get(public_id: UUID | str) -> PublishedDocument | None:
    return PublishedDocument.objects.filter(public_id=public_id).first()


def blank_forms() -> QuerySet[LetterTemplate]:
    """The letters app's blank forms with a version to fill: generated with the authority's
    details each time, so they never show an old phone number."""
    return LetterTemplate.objects.filter(
        kind=TemplateKind.BLANK_FORM, versions__is_current=True
    ).order_by("display_order", "title")
