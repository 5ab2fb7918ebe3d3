from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path(
        "children/<uuid:public_id>/subject-access.json",
        views.subject_access_export,
        name="subject-access",
    ),
]
