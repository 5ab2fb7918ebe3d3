from django.contrib.auth import views as auth_views
from django.urls import path

from . import two_factor, user_admin_views, views
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
    # The set-up link: the token's page first, then its two steps (no token in their address).
    path("set-up/password/", views.set_up_password, name="set-up-password"),
    path("set-up/two-factor/", views.set_up_two_factor, name="set-up-two-factor"),
    path("set-up/<str:token>/", views.set_up_link, name="set-up-link"),
    # User management, for administrators.
    path("users/", user_admin_views.user_list, name="users"),
    path("users/invite/", user_admin_views.user_invite_page, name="user-invite"),
    path("users/<uuid:public_id>/", user_admin_views.user_detail, name="user-detail"),
    path("users/<uuid:public_id>/resend/", user_admin_views.user_resend, name="user-resend"),
    path(
        "users/<uuid:public_id>/deactivate/",
        user_admin_views.user_deactivate_page,
        name="user-deactivate",
    ),
    path(
        "users/<uuid:public_id>/reactivate/",
        user_admin_views.user_reactivate_page,
        name="user-reactivate",
    ),
    path("password/change/", views.PasswordChangeView.as_view(), name="password-change"),
    path(
        "password/changed/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password-change-done",
    ),
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html"),
        name="password-reset-sent",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
]
