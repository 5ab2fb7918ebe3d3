from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "cmetrack administration"
admin.site.site_title = "cmetrack"

urlpatterns = [
    path("", include("cmetrack.cases.urls")),
    path("account/", include("cmetrack.accounts.urls")),
    path("", include("cmetrack.referrals.urls")),  # intake/ and the team's referral entry
    path("matching/", include("cmetrack.matching.urls")),
    # Subject access keeps the audit/ address it had before privacy became its own app.
    path("audit/", include("cmetrack.privacy.urls")),
    path("reports/", include("cmetrack.reports.urls")),
    path("admin/", admin.site.urls),
]
