"""Letter pages: a case's letters, the preview and produce step, downloads, and the
administrators' template pages. Thin: selectors read, services write, and every view of a
child's details (the preview, a download) is recorded in the audit log."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from cmetrack.accounts.access import can_administer, la_staff_required
from cmetrack.accounts.models import User
from cmetrack.audit.services import record_view
from cmetrack.cases.models import Case
from cmetrack.cases.selectors import case_get
from cmetrack.uploads.serving import download_response

from .context import authority_context
from .forms import TemplateCreateForm, VersionUploadForm
from .models import LetterTemplate, TemplateKind, TemplateVersion
from .pdf import PdfUnavailable, docx_to_pdf, libreoffice_available
from .placeholders import PLACEHOLDERS
from .rendering import LetterProblem, docx_blocks
from .selectors import (
    case_letter_templates,
    letter_get,
    letter_template_get,
    letters_of_case,
    template_version_get,
    template_versions,
    templates_for_administration,
)
from .services import (
    LetterRefused,
    blank_form_render,
    letter_fill,
    letter_produce,
    template_create,
    template_version_upload,
)

FORMATS = ("docx", "pdf")


def _acting(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # la_staff_required and the admin check come first
    return request.user


def _case(request: HttpRequest, public_id: str) -> Case:
    case = case_get(user=request.user, public_id=public_id)
    record_view(case)
    record_view(case.child)
    return case


@require_safe
@la_staff_required
def case_letters(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _case(request, public_id)
    return render(
        request,
        "letters/case_letters.html",
        {
            "case": case,
            "templates": case_letter_templates(user=request.user),
            "letters": letters_of_case(user=request.user, case=case),
            "pdf_available": libreoffice_available(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@la_staff_required
def letter_preview(request: HttpRequest, public_id: str, slug: str) -> HttpResponse:
    """GET shows the letter filled from the case, or why it cannot be; POST produces it."""
    case = _case(request, public_id)
    template = letter_template_get(user=request.user, slug=slug)
    if template is None or template.kind != TemplateKind.CASE_LETTER:
        raise Http404("No such letter.")
    problem = None
    blocks = []
    version: TemplateVersion | None = None
    try:
        if request.method == "POST":
            letter = letter_produce(case=case, template=template, by=_acting(request))
            messages.success(request, f"{template.title} produced.")
            return redirect(f"{reverse('letters:case', args=[case.public_id])}#{letter.public_id}")
        filled = letter_fill(case=case, template=template, by=_acting(request))
        blocks = docx_blocks(filled.docx)
        version = filled.version
    except LetterProblem as error:
        problem = str(error)
        version = template.versions.filter(is_current=True).defer("content").first()
    except LetterRefused as error:
        raise PermissionDenied(str(error)) from error
    return render(
        request,
        "letters/preview.html",
        {
            "case": case,
            "template": template,
            "version": version,
            "blocks": blocks,
            "problem": problem,
            "pdf_available": libreoffice_available(),
        },
        status=422 if problem and request.method == "POST" else 200,
    )


@require_safe
@la_staff_required
def letter_download(request: HttpRequest, public_id: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("No such format.")
    letter = letter_get(user=request.user, public_id=public_id)
    name = (letter.docx_file if fmt == "docx" else letter.pdf_file) if letter else ""
    if letter is None or not name:
        raise Http404("No such letter, or its files have been removed.")
    record_view(letter)
    with default_storage.open(name, "rb") as stored:
        content = stored.read()
    return download_response(content, kind_code=fmt, filename=f"{letter.download_stem}.{fmt}")


def _admin_only(request: HttpRequest) -> User:
    if not can_administer(request.user):
        raise PermissionDenied("Letter templates are looked after by an administrator.")
    return _acting(request)


@require_safe
def template_list(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    return render(
        request,
        "letters/templates.html",
        {
            "templates": templates_for_administration(user=request.user),
            "placeholders": PLACEHOLDERS,
        },
    )


def _template_or_404(request: HttpRequest, slug: str) -> LetterTemplate:
    template = letter_template_get(user=request.user, slug=slug)
    if template is None:
        raise Http404("No such template.")
    return template


@require_http_methods(["GET", "HEAD", "POST"])
def template_upload(request: HttpRequest, slug: str) -> HttpResponse:
    by = _admin_only(request)
    template = _template_or_404(request, slug)
    form = VersionUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = template_version_upload(
                template=template,
                content=form.cleaned_data["file"].read(),
                note=form.cleaned_data["note"],
                by=by,
            )
        except LetterProblem as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, f"{template.title}: version {version.number} is now in use.")
            return redirect("letters:templates")
    return render(
        request,
        "letters/template_upload.html",
        {
            "form": form,
            "template": template,
            "versions": template_versions(user=request.user, template=template),
            "placeholders": PLACEHOLDERS,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def template_add(request: HttpRequest) -> HttpResponse:
    by = _admin_only(request)
    form = TemplateCreateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = template_create(
                title=form.cleaned_data["title"],
                purpose=form.cleaned_data["purpose"],
                kind=form.cleaned_data["kind"],
                content=form.cleaned_data["file"].read(),
                by=by,
            )
        except LetterProblem as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, f"{template.title} added.")
            return redirect("letters:templates")
    return render(
        request,
        "letters/template_add.html",
        {"form": form, "placeholders": PLACEHOLDERS},
        status=400 if form.errors else 200,
    )


@require_safe
def template_version_download(request: HttpRequest, public_id: str) -> HttpResponse:
    _admin_only(request)
    version = template_version_get(user=request.user, public_id=public_id)
    if version is None:
        raise Http404("No such version.")
    return download_response(
        bytes(version.content), kind_code="docx", filename=version.download_name
    )


@login_not_required
@require_safe
def blank_form(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """A blank form filled with the authority's details only: public, like the page that links
    to it (a school without an account needs it most). Made once a day per version and kept in
    the cache, so nobody can keep LibreOffice busy by asking for it over and over."""
    template = LetterTemplate.objects.filter(slug=slug, kind=TemplateKind.BLANK_FORM).first()
    if template is None or fmt not in FORMATS:
        raise Http404("No such form.")
    version = template.versions.filter(is_current=True).defer("content").first()
    # The authority's details are in the key: a changed phone number is never served stale.
    details = hashlib.sha256(repr(sorted(authority_context().items())).encode()).hexdigest()
    key = f"blank-form:{version.public_id if version else '-'}:{details[:16]}:{fmt}"
    content = cache.get(key)
    if content is None:
        try:
            content = blank_form_render(template=template)
            if fmt == "pdf":
                content = docx_to_pdf(content)
        except LetterProblem as error:
            # The authority's details are not set: a configuration gap, said plainly.
            return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
        except PdfUnavailable as error:
            return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
        cache.set(key, content, 60 * 60 * 24)
    return download_response(content, kind_code=fmt, filename=f"{template.slug}.{fmt}")
