"""School roll pages: the loads and what the rolls cover today, loading a file, a load's page
(its schools, what the reader flagged), withdrawing a load. The CME team alone (403 for anyone
else; a load that does not exist is 404). Thin: the services decide."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from cmetrack.accounts.access import la_staff_required
from cmetrack.accounts.models import User
from cmetrack.audit.services import record_view

from .forms import RollUploadForm, WithdrawForm
from .reading import RollFormat
from .selectors import load_get, loads_visible_to, school_rolls_as_of
from .services import DEFAULT_MAX_BYTES, RollRefused, roll_load, roll_withdraw


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@la_staff_required
def load_list(request: HttpRequest) -> HttpResponse:
    loads = loads_visible_to(_user(request))[:200]
    today = timezone.localdate()
    return render(
        request,
        "rolls/list.html",
        {"loads": loads, "today": today, "covered": school_rolls_as_of(today)},
    )


@la_staff_required
def upload(request: HttpRequest) -> HttpResponse:
    form = RollUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        fmt = form.cleaned_data.get("format")
        try:
            if f.size > DEFAULT_MAX_BYTES:
                raise RollRefused(
                    f"The file must be smaller than {DEFAULT_MAX_BYTES // 1_000_000} MB"
                )
            load = roll_load(
                content=f.read(),
                filename=f.name,
                by=_user(request),
                as_of=form.cleaned_data.get("as_of"),
                school=form.cleaned_data.get("school"),
                description=form.cleaned_data.get("description", ""),
                format=RollFormat(fmt) if fmt else None,
            )
        except RollRefused as error:
            form.add_error("file", str(error))
        else:
            messages.success(
                request, f"Loaded {load.pupil_count:,} pupils on {load.school_count:,} roll(s)."
            )
            return redirect(reverse("rolls:detail", args=[load.public_id]))
    return render(
        request,
        "rolls/upload.html",
        {"form": form, "max_megabytes": DEFAULT_MAX_BYTES // 1_000_000},
    )


@la_staff_required
def load_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    load = load_get(user=_user(request), public_id=public_id)
    record_view(load)
    return render(
        request,
        "rolls/detail.html",
        {"load": load, "rolls": load.school_rolls.select_related("school").order_by("school_name")},
    )


@la_staff_required
def withdraw(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    load = load_get(user=user, public_id=public_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            roll_withdraw(load=load, reason=form.cleaned_data["reason"], by=user)
        except RollRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The load is withdrawn: no roll includes it from now on.")
            return redirect(reverse("rolls:detail", args=[load.public_id]))
    return render(request, "rolls/withdraw.html", {"load": load, "form": form})
