"""What the user asked of an export, read from the query string the same way by every list."""

from __future__ import annotations

from django.http import Http404, QueryDict

from .writers import FORMATS

# `?personal=no`: the same rows without names, dates of birth, UPNs or addresses, for a file
# that is to be shared or kept where children's details should not be.
WITHOUT_PERSONAL = "no"
# The export's own parameters: not filters of the list, so neither passed to its filter form
# nor carried back into the list's links.
EXPORT_PARAMETERS = ("personal",)


def export_format(value: str | None) -> str:
    """The format asked for, or 404: a URL with any other is not an export this site has."""
    if value not in FORMATS:
        raise Http404("No such export format.")
    return value


def personal_wanted(query: QueryDict) -> bool:
    return query.get("personal", "") != WITHOUT_PERSONAL


def export_query(query: QueryDict) -> str:
    """The list's filters for its export links: the same rows as the page, every page of them
    (so no `page`), and none of the export's own parameters."""
    query = query.copy()
    for name in ("page", *EXPORT_PARAMETERS):
        query.pop(name, None)
    return query.urlencode()
