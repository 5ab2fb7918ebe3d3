from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [path("cme-return/", views.cme_return_view, name="cme-return")]
