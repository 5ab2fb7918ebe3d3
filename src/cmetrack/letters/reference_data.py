"""The shipped templates must exist after every migrate and every test-database flush.

Creates each shipped template that is missing, with its version 1 built by `defaults.py`, and
never changes an existing one: an administrator's later versions, and the version 1 already in
use, stand. (A post_migrate hook rather than a data migration: the DOCX is built by code that
may improve, and a migration must not change with it.)
"""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def ensure_shipped_templates(sender: AppConfig, **kwargs: Any) -> None:
    from .services import shipped_templates_install

    shipped_templates_install(using=kwargs.get("using", "default"))
