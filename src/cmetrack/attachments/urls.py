from django.urls import path

from . import views

app_name = "attachments"

urlpatterns = [
    path("case/<uuid:public_id>/add/", views.add, name="add"),
    path("<uuid:attachment_id>/download/", views.download, name="download"),
    path("<uuid:attachment_id>/remove/", views.remove, name="remove"),
]
