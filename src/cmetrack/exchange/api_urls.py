"""/api/v1/exchange/: included by the API's URLs (by name, as the API sits below the exchange)."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseBase
from django.urls import path

from . import views

app_name = "exchange-api"


def _open(view: type[views.ExchangeView]) -> Callable[..., HttpResponseBase]:
    return login_not_required(view.as_view())


urlpatterns = [
    path("notifications/", _open(views.NotificationReceiveView), name="notifications"),
    path("replies/", _open(views.ReplyReceiveView), name="replies"),
    path("withdrawals/", _open(views.WithdrawalReceiveView), name="withdrawals"),
]
