from django.urls import path

from . import views

app_name = "rolls"

urlpatterns = [
    path("", views.load_list, name="list"),
    path("load/", views.upload, name="upload"),
    path("<uuid:public_id>/", views.load_detail, name="detail"),
    path("<uuid:public_id>/withdraw/", views.withdraw, name="withdraw"),
]
