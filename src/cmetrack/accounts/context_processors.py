from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .access import can_administer, can_see_ehe, can_work_cases, is_manager


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    # Until the second factor is given, the service's navigation is not offered.
    verified = not settings.CMETRACK_REQUIRE_2FA or bool(getattr(user, "is_verified", bool)())
    return {
        "nav_ready": user.is_authenticated and verified,
        "authority_name": settings.CMETRACK_AUTHORITY_NAME,
        "nav_can_work_cases": can_work_cases(user),
        "nav_is_manager": is_manager(user),
        "nav_can_administer": can_administer(user),
        "nav_can_see_ehe": can_see_ehe(user),
    }
