from django.urls import path

from . import views

app_name = "register_import"

urlpatterns = [
    path("", views.migration_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/columns/", views.columns, name="columns"),
    path("<uuid:public_id>/codes/", views.codes, name="codes"),
    path("<uuid:public_id>/commit/", views.commit, name="commit"),
    path("<uuid:public_id>/undo/", views.undo, name="undo"),
]
