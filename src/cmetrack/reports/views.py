"""The termly CME return page and its CSV, for the CME team."""

import csv
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cmetrack.accounts.access import la_staff_required

from .forms import CensusForm
from .selectors import cme_return


def _census(request: HttpRequest) -> tuple[date, str]:
    """The census date asked for, or today's with the reason the one asked for cannot be used."""
    form = CensusForm(request.GET)
    if form.is_valid():
        return form.cleaned_data["census"], ""
    return timezone.localdate(), " ".join(str(message) for message in form.errors["census"])


@la_staff_required
def cme_return_view(request: HttpRequest) -> HttpResponse:
    census, error = _census(request)
    report = cme_return(user=request.user, census=census)
    assert report is not None
    if request.GET.get("format") == "csv" and not error:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="cme-return-{census}.csv"'
        writer = csv.writer(response)
        writer.writerow(["section", "breakdown", "category", "count"])
        for section, breakdowns in (
            (f"CME on {census:%d/%m/%Y}", report.on_census),
            (f"CME at any time in {report.previous_year_label}", report.previous_year),
        ):
            for breakdown in breakdowns:
                for label, count in breakdown.rows:
                    writer.writerow([section, breakdown.title, label, count])
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
