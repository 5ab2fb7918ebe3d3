from django.urls import path

from . import views

app_name = "letters"

urlpatterns = [
    path("case/<uuid:public_id>/", views.case_letters, name="case"),
    path("case/<uuid:public_id>/<slug:slug>/", views.letter_preview, name="preview"),
    path("<uuid:public_id>/<str:fmt>/", views.letter_download, name="download"),
    path("templates/", views.template_list, name="templates"),
    path("templates/new/", views.template_add, name="template-add"),
    path("templates/<slug:slug>/upload/", views.template_upload, name="template-upload"),
    path(
        "templates/versions/<uuid:public_id>/",
        views.template_version_download,
        name="template-version",
    ),
    path("forms/<slug:slug>/<str:fmt>/", views.blank_form, name="blank-form"),
]
