"""The termly CME return page and its CSV, for the CME team."""

import csv
from datetime import date, datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cmetrack.accounts.access import la_staff_required

from .selectors import cme_return


def _census(request: HttpRequest) -> tuple[date, str]:
    text = request.GET.get("census", "").strip()
    if not text:
        return timezone.localdate(), ""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date(), ""
        except ValueError:
            continue
    return timezone.localdate(), "Enter the census date as day/month/year, for example 1/10/2026"


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
