"""The termly return page and its CSV, for the CME team."""

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cmetrack.accounts.access import la_staff_required

from .csv_layout import write_return
from .forms import CensusForm
from .selectors import statutory_return


def _census(request: HttpRequest) -> tuple[date, str]:
    """The census date asked for, or today's with the reason the one asked for cannot be used."""
    form = CensusForm(request.GET)
    if form.is_valid():
        return form.cleaned_data["census"], ""
    return timezone.localdate(), " ".join(str(message) for message in form.errors["census"])


@la_staff_required
def cme_return_view(request: HttpRequest) -> HttpResponse:
    census, error = _census(request)
    report = statutory_return(user=request.user, census=census)
    assert report is not None
    if request.GET.get("format") == "csv" and not error:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="statutory-return-{census}.csv"'
        write_return(report, response)
        return response
    return render(
        request,
        "reports/cme_return.html",
        {
            "report": report,
            "census_text": request.GET.get("census", f"{census:%d/%m/%Y}"),
            "error": error,
        },
    )
