from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "cmetrack administration"
admin.site.site_title = "cmetrack"

urlpatterns = [
    path("", include("cmetrack.cases.urls")),
    path("account/", include("cmetrack.accounts.urls")),
    path("intake/", include("cmetrack.referrals.urls")),
    path("matching/", include("cmetrack.matching.urls")),
    path("audit/", include("cmetrack.audit.urls")),
    path("reports/", include("cmetrack.reports.urls")),
    path("admin/", admin.site.urls),
]
