from django.urls import URLPattern

app_name = "register_migration"

urlpatterns: list[URLPattern] = []
