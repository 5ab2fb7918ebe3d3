from django.contrib.auth import views as auth_views
from django.urls import path

from . import two_factor
from .forms import SignInForm

app_name = "accounts"

urlpatterns = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            template_name="accounts/sign_in.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
        ),
        name="sign-in",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="sign-out"),
    path("two-factor/set-up/", two_factor.setup, name="two-factor-setup"),
    path("two-factor/", two_factor.verify, name="two-factor-verify"),
]
