from django.urls import path

from . import dashboard_views, reference_views, views

app_name = "reports"

urlpatterns = [
    path("cme-return/", views.cme_return_view, name="cme-return"),
    path("dashboard/", dashboard_views.manager_dashboard_view, name="dashboard"),
    path(
        "dashboard/export/<slug:key>.<slug:fmt>",
        dashboard_views.manager_dashboard_export,
        name="dashboard-export",
    ),
    path("reference-data/", reference_views.reference_data_view, name="reference-data"),
]
