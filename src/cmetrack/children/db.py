from typing import Any

from django.db.backends.signals import connection_created

from cmetrack.core.like import unicode_like


def _register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("like", 2, unicode_like, deterministic=True)
        connection.connection.create_function("like", 3, unicode_like, deterministic=True)


def connect() -> None:
    connection_created.connect(_register_sqlite_functions, dispatch_uid="cmetrack-unicode-like")
