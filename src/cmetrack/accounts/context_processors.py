from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .access import can_administer, can_work_cases, is_manager


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "authority_name": settings.CMETRACK_AUTHORITY_NAME,
        "nav_can_work_cases": can_work_cases(user),
        "nav_is_manager": is_manager(user),
        "nav_can_administer": can_administer(user),
    }
