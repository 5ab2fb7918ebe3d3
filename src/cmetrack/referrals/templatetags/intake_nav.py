"""Navigation by role for base.html: the template asks accounts.access, never compares roles."""

from typing import Any

from django import template

from cmetrack.accounts.access import (
    can_notify_as_other_la,
    can_refer,
    can_submit_school_returns,
    can_triage,
    is_partner,
)

register = template.Library()


@register.simple_tag(takes_context=True)
def intake_nav(context: dict[str, Any]) -> dict[str, bool]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return {}
    partner = is_partner(user)
    return {
        "partner": partner,
        "incoming": can_triage(user),
        "returns": partner and can_submit_school_returns(user),
        "refer": partner and can_refer(user),
        "notify": partner and can_notify_as_other_la(user),
    }
