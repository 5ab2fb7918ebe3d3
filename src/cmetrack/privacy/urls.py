from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path(
        "children/<uuid:public_id>/subject-access.json",
        views.subject_access_export,
        name="subject-access",
    ),
    path("children/<uuid:public_id>/", views.child_audit, name="child-audit"),
    path("children/<uuid:public_id>/export.csv", views.child_audit_export, name="child-audit-csv"),
]
