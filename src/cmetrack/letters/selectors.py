"""Reads for letters, scoped by the acting user: the CME team sees the templates and every
case's letters; administrators see every template's versions; nobody else sees any of it (the
blank forms reach the public through the public information page, not through these)."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Prefetch, QuerySet

from cmetrack.accounts.access import AnyUser, can_administer, is_la_staff
from cmetrack.cases.models import Case
from cmetrack.cases.selectors import cases_visible_to

from .models import Letter, LetterTemplate, TemplateKind, TemplateVersion


def _with_current_version(templates: QuerySet[LetterTemplate]) -> QuerySet[LetterTemplate]:
    current = TemplateVersion.objects.filter(is_current=True).defer("content")
    return templates.prefetch_related(Prefetch("versions", queryset=current, to_attr="current"))


def case_letter_templates(*, user: AnyUser) -> QuerySet[LetterTemplate]:
    """The letters an officer may produce for a case, each with its current version."""
    if not is_la_staff(user):
        return LetterTemplate.objects.none()
    return _with_current_version(
        LetterTemplate.objects.filter(kind=TemplateKind.CASE_LETTER, versions__is_current=True)
    )


def letter_template_get(*, user: AnyUser, slug: str) -> LetterTemplate | None:
    if not is_la_staff(user):
        return None
    return LetterTemplate.objects.filter(slug=slug).first()


def templates_for_administration(*, user: AnyUser) -> QuerySet[LetterTemplate]:
    if not can_administer(user):
        return LetterTemplate.objects.none()
    return _with_current_version(LetterTemplate.objects.all())


def template_versions(*, user: AnyUser, template: LetterTemplate) -> QuerySet[TemplateVersion]:
    if not can_administer(user):
        return TemplateVersion.objects.none()
    return template.versions.defer("content").select_related("uploaded_by")


def template_version_get(*, user: AnyUser, public_id: UUID | str) -> TemplateVersion | None:
    if not can_administer(user):
        return None
    return TemplateVersion.objects.select_related("template").filter(public_id=public_id).first()


def letters_of_case(*, user: AnyUser, case: Case) -> QuerySet[Letter]:
    if not cases_visible_to(user).filter(pk=case.pk).exists():
        return Letter.objects.none()
    return case.letters.select_related("template_version__template", "produced_by").defer(
        "template_version__content"
    )


def letter_get(*, user: AnyUser, public_id: UUID | str) -> Letter | None:
    """A letter on a case this user may see, or None (the view answers 404)."""
    return (
        Letter.objects.filter(public_id=public_id, case__in=cases_visible_to(user))
        .select_related("case", "template_version__template")
        .defer("template_version__content")
        .first()
    )
