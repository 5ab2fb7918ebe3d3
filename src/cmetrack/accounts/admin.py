from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import can_administer
from .models import EnrolmentInvite, Organisation, User
from .services import EnrolmentError, enrolment_invite_issue, enrolment_invite_url


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "la_code", "school"]
    list_filter = ["kind"]
    search_fields = ["name", "la_code"]
    raw_id_fields = ["school"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active", "organisation__kind"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        ("cmetrack", {"fields": ("role", "organisation")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("cmetrack", {"fields": ("role", "organisation", "first_name", "last_name", "email")}),
    )
    actions = ["issue_set_up_links"]
    # Adds the "Issue a set-up link" button beside "History".
    change_form_template = "accounts/admin/user_change_form.html"

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:pk>/set-up-link/",
                self.admin_site.admin_view(self.set_up_link_view),
                name="accounts_user_set_up_link",
            )
        ]
        return own + super().get_urls()

    def set_up_link_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """GET asks to confirm; POST issues the link and shows it, this once."""
        user = get_object_or_404(User, pk=pk)
        if not (can_administer(request.user) and self.has_change_permission(request, user)):
            raise PermissionDenied
        if request.method != "POST":
            return TemplateResponse(
                request,
                "accounts/admin/set_up_link_confirm.html",
                {**self.admin_site.each_context(request), "person": user, "opts": self.opts},
            )
        return self._issue(request, [user])

    @admin.action(description="Issue a set-up link (password and two-factor sign-in)")
    def issue_set_up_links(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse:
        if not can_administer(request.user):
            raise PermissionDenied
        return self._issue(request, list(queryset))

    def _issue(self, request: HttpRequest, users: list[User]) -> HttpResponse:
        by = request.user
        assert isinstance(by, User)
        issued: list[dict[str, Any]] = []
        for user in users:
            try:
                invite, token = enrolment_invite_issue(user=user, by=by)
            except EnrolmentError as error:
                messages.error(request, str(error))
                continue
            issued.append({"person": user, "link": enrolment_invite_url(token), "invite": invite})
        if not issued:
            return redirect(reverse("admin:accounts_user_changelist"))
        # The raw tokens exist only in this response: the page says so, and is not cached
        # (NoStoreMiddleware, for every signed-in page).
        return TemplateResponse(
            request,
            "accounts/admin/set_up_links.html",
            {**self.admin_site.each_context(request), "issued": issued, "opts": self.opts},
        )


@admin.register(EnrolmentInvite)
class EnrolmentInviteAdmin(admin.ModelAdmin):
    """Who was sent a set-up link, by whom, and whether it was used. The links themselves are
    never shown again (only their hashes are kept); issue them from the user's page."""

    list_display = ["user", "created_by", "created_at", "expires_at", "used_at", "revoked_at"]
    list_filter = ["created_at", "used_at"]
    search_fields = ["user__username", "user__email"]
    readonly_fields = (
        "user",
        "created_by",
        "created_at",
        "expires_at",
        "password_set_at",
        "used_at",
        "revoked_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Second factors are enrolled only through a set-up link. django-otp's admins could add a
# device with a key the administrator chose, or show a device's key and QR code (with
# OTP_ADMIN_HIDE_SENSITIVE_DATA, settings, they do not): administrators may see and remove
# devices (a lost phone), not add them.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(TOTPDeviceAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(StaticDevice)
class RecoveryCodesAdmin(StaticDeviceAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
