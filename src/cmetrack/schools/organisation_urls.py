"""/account/organisations/: the administrators' organisation pages (organisation_views)."""

from django.urls import path

from . import organisation_views

app_name = "organisations"

urlpatterns = [
    path("", organisation_views.organisation_list, name="list"),
    path("add/", organisation_views.organisation_add, name="add"),
    path("<uuid:public_id>/", organisation_views.organisation_edit, name="edit"),
]
