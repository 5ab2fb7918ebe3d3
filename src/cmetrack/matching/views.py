"""Pages for likely duplicates, merging two records and recording "not the same child".

Thin: each reads through selectors, writes through one service. The CME team only (403 for
other roles; sign-in is enforced by middleware). A merged record's URLs redirect to the record
it was merged into.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from cmetrack.accounts.access import la_staff_required
from cmetrack.accounts.models import User
from cmetrack.audit.services import record_view
from cmetrack.children.models import Child

from .forms import MergeForm, NotTheSameForm
from .selectors import candidates_for_child, child_get_any, resolve_child
from .services import MatchingError, child_merge, child_merge_preview, non_match_record


def _candidates_url(child: Child) -> str:
    return reverse("matching:candidates", args=[child.public_id])


def _after_merge_url(child: Child) -> str:
    case = child.cases.order_by("-opened_at").first()
    if case is not None:
        return reverse("cases:detail", args=[case.public_id])
    return _candidates_url(child)


@la_staff_required
@require_safe
def candidates(request: HttpRequest, child: str) -> HttpResponse:
    record = child_get_any(user=request.user, public_id=child)
    live = resolve_child(record)
    if live.pk != record.pk:
        return redirect(_candidates_url(live))
    found = candidates_for_child(user=request.user, child=record)
    # Viewing a child and the records that may be the same child is itself audited.
    for viewed in [record, *(c.child for c in found)]:
        record_view(viewed)
    return render(
        request,
        "matching/candidates_page.html",
        {"child": record, "candidates": found, "not_same_form": NotTheSameForm()},
    )


def _pair(request: HttpRequest, source: str, target: str) -> tuple[Child, Child, str | None]:
    """Both records, and where to go instead if either was merged since the link was made."""
    s = child_get_any(user=request.user, public_id=source)
    t = child_get_any(user=request.user, public_id=target)
    live_s, live_t = resolve_child(s), resolve_child(t)
    if (live_s.pk, live_t.pk) == (s.pk, t.pk):
        return s, t, None
    if live_s.pk == live_t.pk:
        return s, t, _candidates_url(live_t)
    return s, t, reverse("matching:merge", args=[live_s.public_id, live_t.public_id])


@la_staff_required
def merge(request: HttpRequest, source: str, target: str) -> HttpResponse:
    s, t, elsewhere = _pair(request, source, target)
    if elsewhere is not None:
        messages.info(request, "One of these records has been merged: showing the current one.")
        return redirect(elsewhere)
    preview = child_merge_preview(source=s, target=t)
    if request.method == "GET":
        record_view(s)
        record_view(t)
    data = request.POST if request.method == "POST" else None
    form = MergeForm(data, conflicts=preview.conflicts)
    if request.method == "POST" and preview.can_merge and form.is_valid():
        assert isinstance(request.user, User)
        try:
            kept = child_merge(source=s, target=t, choices=form.cleaned_data, by=request.user)
        except MatchingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Records merged. {kept.full_name}'s record is kept.")
            return HttpResponseRedirect(_after_merge_url(kept))
    return render(
        request,
        "matching/merge.html",
        {"preview": preview, "form": form, "source": s, "target": t},
        status=200,
    )


@la_staff_required
@require_POST
def not_the_same(request: HttpRequest, source: str, target: str) -> HttpResponse:
    s, t, _ = _pair(request, source, target)
    form = NotTheSameForm(request.POST)
    assert isinstance(request.user, User)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        non_match_record(child_a=s, child_b=t, by=request.user, reason=reason)
    except MatchingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Recorded: {t.full_name} is not the same child. They will not be suggested again.",
        )
    return redirect(_candidates_url(resolve_child(s)))
