"""The public information page (no sign-in) and its edit pages (CME managers and
administrators). The page and its documents hold nothing about any child."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from cmetrack.accounts.access import is_manager
from cmetrack.accounts.models import User
from cmetrack.uploads.checks import UploadProblem
from cmetrack.uploads.serving import download_response

from .forms import DocumentForm, PageForm
from .selectors import blank_forms, page_text, published_document_get, published_documents
from .services import information_page_update, published_document_add, published_document_remove


@login_not_required
@require_safe
def information(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "publicinfo/page.html",
        {
            "text": page_text(),
            "documents": published_documents(),
            "blank_forms": blank_forms(),
            "can_edit": is_manager(request.user),
        },
    )


@login_not_required
@require_safe
def document_download(request: HttpRequest, public_id: str) -> HttpResponse:
    document = published_document_get(public_id)
    if document is None:
        raise Http404("No such document.")
    with default_storage.open(document.stored_name, "rb") as stored:
        content = stored.read()
    return download_response(content, kind_code=document.kind, filename=document.download_name)


def _editor(request: HttpRequest) -> User:
    if not is_manager(request.user):
        raise PermissionDenied("The public page is edited by CME managers and administrators.")
    assert isinstance(request.user, User)
    return request.user


@require_http_methods(["GET", "HEAD", "POST"])
def page_edit(request: HttpRequest) -> HttpResponse:
    by = _editor(request)
    text = page_text()
    form = PageForm(
        request.POST or None,
        initial={
            "what_is_cme": text.what_is_cme,
            "how_to_refer": text.how_to_refer,
            "contact": text.contact,
        },
    )
    if request.method == "POST" and form.is_valid():
        information_page_update(**form.cleaned_data, by=by)
        messages.success(request, "The public page has been updated.")
        return redirect("publicinfo:page")
    return render(
        request,
        "publicinfo/edit.html",
        {"form": form, "title": "Edit the public page", "multipart": False},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def document_add(request: HttpRequest) -> HttpResponse:
    by = _editor(request)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            document = published_document_add(
                upload=upload.file,
                filename=upload.name or "",
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                by=by,
            )
        except UploadProblem as problem:
            form.add_error("file", str(problem))
        else:
            messages.success(request, f"{document.title} is now on the public page.")
            return redirect("publicinfo:page")
    return render(
        request,
        "publicinfo/edit.html",
        {"form": form, "title": "Publish a document", "multipart": True},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def document_remove(request: HttpRequest, public_id: str) -> HttpResponse:
    by = _editor(request)
    document = published_document_get(public_id)
    if document is None:
        raise Http404("No such document.")
    if request.method == "POST":
        published_document_remove(document=document, by=by)
        messages.success(request, f"{document.title} has been taken off the public page.")
        return redirect("publicinfo:page")
    return render(request, "publicinfo/remove.html", {"document": document})
