"""/api/: token-authenticated, outside the site's sign-in (LoginRequiredMiddleware would send
an API client to a sign-in page); each view authenticates its token itself."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseBase
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import views

app_name = "api"


def _open(view: type[views.ApiView]) -> Callable[..., HttpResponseBase]:
    return login_not_required(view.as_view())


urlpatterns = [
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("v1/deletion-returns/", _open(views.DeletionReturnView), name="deletion-returns"),
    path("v1/new-pupil-returns/", _open(views.NewPupilReturnView), name="new-pupil-returns"),
    path("v1/referrals/", _open(views.ReferralView), name="referrals"),
    path(
        "v1/other-la-notifications/",
        _open(views.OtherLaNotificationView),
        name="other-la-notifications",
    ),
    path("v1/batches/", _open(views.BatchView), name="batches"),
    path("v1/imports/", _open(views.ImportUploadView), name="imports"),
    path("v1/imports/<uuid:public_id>/", _open(views.ImportDetailView), name="import"),
    path(
        "v1/imports/<uuid:public_id>/commit/",
        _open(views.ImportCommitView),
        name="import-commit",
    ),
    path("v1/submissions/", _open(views.SubmissionListView), name="submissions"),
    path(
        "v1/submissions/<uuid:public_id>/",
        _open(views.SubmissionDetailView),
        name="submission",
    ),
    path("v1/cases/", _open(views.CaseListView), name="cases"),
    path("v1/cases/<uuid:public_id>/", _open(views.CaseDetailView), name="case"),
    path("v1/tasks/", _open(views.TaskListView), name="tasks"),
    # Other authorities' cmetrack (issue 15). By name: the exchange app sits above the API.
    path("v1/exchange/", include("cmetrack.exchange.api_urls")),
    # Anything else under /api/ answers in the API's own error body, not the site's HTML page.
    re_path(r"^.*$", login_not_required(views.not_found), name="not-found"),
]
