from django.urls import path

from . import views

app_name = "ehe"

urlpatterns = [
    path("", views.register_view, name="register"),
    path("export.<str:fmt>", views.register_export, name="register-export"),
    path("add/", views.notice_add, name="add"),
    path("<uuid:public_id>/", views.record_page, name="record"),
    path("<uuid:public_id>/review/", views.review_add, name="review"),
    path("<uuid:public_id>/end/", views.record_end, name="end"),
    path("<uuid:public_id>/alert/", views.alert_acknowledge, name="alert"),
]
