"""The exchange's pages for the CME team (wired into the site's URLs at `exchange/`)."""

from django.urls import path

from . import web_views

app_name = "exchange"

urlpatterns = [
    path(
        "handovers/<uuid:public_id>/export/",
        web_views.handover_export_download,
        name="handover-export",
    ),
]
