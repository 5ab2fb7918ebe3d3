"""The attachment pages: attach evidence to a case, download it, remove it. Thin: the services
check and write, the selectors scope; every page that shows a child's case or file records
the view (DOMAIN.md §10)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from cmetrack.accounts.access import la_staff_required
from cmetrack.accounts.models import User
from cmetrack.audit.services import record_view
from cmetrack.cases.models import Case
from cmetrack.cases.selectors import case_get
from cmetrack.cases.services import CaseError
from cmetrack.uploads.checks import EVIDENCE, KINDS, UploadProblem
from cmetrack.uploads.serving import download_response

from .forms import AttachmentForm, RemoveForm
from .selectors import attachment_get
from .services import (
    AttachmentError,
    attachment_add,
    attachment_content,
    attachment_max_bytes,
    attachment_remove,
)

logger = logging.getLogger(__name__)


def _case_section(case: Case) -> str:
    return reverse("cases:detail", args=[case.public_id]) + "#attachments"


def _acting(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # la_staff_required let only the team through
    return request.user


def _what_may_be_attached() -> str:
    kinds = [kind.label for code, kind in KINDS.items() if code in EVIDENCE]
    megabytes = f"{attachment_max_bytes() / (1024 * 1024):g} MB"
    return f"You can attach {', '.join(kinds[:-1])} or {kinds[-1]}, smaller than {megabytes}."


@la_staff_required
def add(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_get(user=request.user, public_id=public_id)
    form = AttachmentForm(
        request.POST or None, request.FILES or None, help_text=_what_may_be_attached()
    )
    if request.method == "POST" and form.is_valid():
        try:
            attachment_add(
                case=case,
                upload=form.cleaned_data["file"],
                evidence_type=form.cleaned_data["evidence_type"],
                description=form.cleaned_data["description"],
                by=_acting(request),
            )
        except UploadProblem as problem:
            form.add_error("file", str(problem))
        except (AttachmentError, CaseError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Attachment added")
            return redirect(_case_section(case))
    # The page names the child and the case: a view, recorded like the case page's.
    record_view(case)
    record_view(case.child)
    return render(request, "attachments/add.html", {"case": case, "form": form})


@la_staff_required
@require_safe
def download(request: HttpRequest, attachment_id: str) -> HttpResponse:
    """The file, as a download only (uploads.serving), to whoever may see its case."""
    attachment = attachment_get(user=request.user, public_id=attachment_id)
    if attachment.is_removed:
        raise Http404("This attachment has been removed.")
    try:
        content = attachment_content(attachment=attachment)
    except FileNotFoundError:
        # The row says the file is there and storage has lost it: the operator must know.
        logger.error("Stored file missing for attachment %s", attachment.public_id)
        raise Http404("The file of this attachment cannot be found.") from None
    record_view(attachment)
    return download_response(
        content, kind_code=attachment.file_kind, filename=attachment.download_name
    )


@la_staff_required
def remove(request: HttpRequest, attachment_id: str) -> HttpResponse:
    attachment = attachment_get(user=request.user, public_id=attachment_id)
    case = attachment.case
    if attachment.is_removed:
        messages.info(request, "That attachment has already been removed.")
        return redirect(_case_section(case))
    form = RemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            attachment_remove(
                attachment=attachment, reason=form.cleaned_data["reason"], by=_acting(request)
            )
        except (AttachmentError, CaseError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Attachment removed")
            return redirect(_case_section(case))
    record_view(case)
    record_view(case.child)
    record_view(attachment)
    return render(
        request,
        "attachments/remove.html",
        {"case": case, "attachment": attachment, "form": form},
    )
