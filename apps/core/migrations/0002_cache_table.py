"""The database cache's table (federation/settings.py, CACHES), so that `migrate` is enough.

The table is the one ``createcachetable`` makes, by the name the production settings give it,
whatever cache the running settings use (the sharing test needs it in the test database).
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "federation_cache"


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0  # set by the command's handle(), which is not called here
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
