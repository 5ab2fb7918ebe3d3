"""Trigram indexes for the case search by name (PostgreSQL only).

The search (cases.selectors.search_filter) looks for each word anywhere in a child's legal and
other forenames and surnames with `icontains`, which on PostgreSQL is
`UPPER(column::text) LIKE UPPER('%word%')`: a B-tree cannot serve a pattern with a leading
wildcard, so every search read the whole children table. A pg_trgm GIN index on exactly that
expression can. SQLite has no such index (and its LIKE there is core.like's Python function),
so on SQLite this migration does nothing, and the model state is not changed on any database.

pg_trgm is a trusted extension (PostgreSQL 13 and later): the database's owner may create it.
Reversing drops the indexes and leaves the extension, which something else may use.
"""

from typing import Any

from django.db import migrations

INDEXES = [
    ("child_forenames_trgm_idx", "children_child", "forenames"),
    ("child_surname_trgm_idx", "children_child", "surname"),
    ("othername_forenames_trgm_idx", "children_othername", "forenames"),
    ("othername_surname_trgm_idx", "children_othername", "surname"),
]


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL that runs only when the database is PostgreSQL (a no-op elsewhere)."""

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *args)


class Migration(migrations.Migration):
    # After 0004_child_version (made at the same time by another change): two 0004 leaves
    # would stop `migrate` with "Conflicting migrations". To be renumbered 0005 on integration.
    dependencies = [
        ("children", "0004_child_version"),
    ]

    operations = [
        PostgreSQLOnly(
            sql="CREATE EXTENSION IF NOT EXISTS pg_trgm;\n"
            + "\n".join(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                f"USING gin ((UPPER({column}::text)) gin_trgm_ops);"
                for name, table, column in INDEXES
            ),
            reverse_sql="\n".join(f"DROP INDEX IF EXISTS {name};" for name, _t, _c in INDEXES),
        ),
    ]
