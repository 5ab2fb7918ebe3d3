"""`{% case_attachments case as attachments %}`: the case page's Attachments section gets its
rows from the selector, scoped by the user the page is for, without the case view knowing."""

from __future__ import annotations

from typing import Any

from django import template

from cmetrack.cases.models import Case

from ..models import Attachment
from ..selectors import case_attachments as attachments_of

register = template.Library()


@register.simple_tag(takes_context=True)
def case_attachments(context: dict[str, Any], case: Case) -> list[Attachment]:
    request = context.get("request")
    if request is None:
        return []
    return list(attachments_of(user=request.user, case=case))
