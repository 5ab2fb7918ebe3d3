from django.urls import path

from . import views

app_name = "crosschecks"

urlpatterns = [
    path("", views.check_list, name="list"),
    path("run/<str:kind>/", views.start, name="start"),
    path("<uuid:public_id>/", views.run_detail, name="run"),
    path("<uuid:public_id>/export.<str:fmt>", views.run_export, name="export"),
    path("<uuid:public_id>/rerun/", views.rerun, name="rerun"),
    path("<uuid:public_id>/<uuid:candidate_id>/", views.candidate, name="candidate"),
    path("<uuid:public_id>/<uuid:candidate_id>/refer/", views.refer, name="refer"),
    path("<uuid:public_id>/<uuid:candidate_id>/reopen/", views.reopen, name="reopen"),
]
