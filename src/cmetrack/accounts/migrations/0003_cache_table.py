"""The table of the shared database cache (settings CACHES, "cmetrack_cache"), so `migrate` alone
readies a new installation. Made whatever cache the settings name at migrate time, so turning
Redis off later needs no `createcachetable`; Django's own command builds it, so it has the
schema DatabaseCache expects."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "cmetrack_cache"


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_enrolmentinvite")]

    operations = [migrations.RunPython(create, drop)]
