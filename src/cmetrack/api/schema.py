"""The bearer token, described in the OpenAPI document (drf-spectacular finds this extension
by the authentication class's dotted path)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "cmetrack.api.authentication.TokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token issued by the authority's administrator "
            "(`cmetrack api-token issue`), sent as `Authorization: Bearer cmt_…`.",
        }
