from django.urls import URLPattern

app_name = "publicinfo"

urlpatterns: list[URLPattern] = []
