from django.urls import path

from . import views

app_name = "publicinfo"

urlpatterns = [
    path("", views.information, name="page"),
    path("edit/", views.page_edit, name="edit"),
    path("documents/new/", views.document_add, name="document-add"),
    path("documents/<uuid:public_id>/", views.document_download, name="document"),
    path("documents/<uuid:public_id>/remove/", views.document_remove, name="document-remove"),
]
