from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("children/<uuid:child>/candidates/", views.candidates, name="candidates"),
    path("children/<uuid:source>/merge/<uuid:target>/", views.merge, name="merge"),
    path(
        "children/<uuid:source>/merge/<uuid:target>/not-the-same/",
        views.not_the_same,
        name="not-the-same",
    ),
]
