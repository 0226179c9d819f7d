"""The database cache's table goes: large lists' counts are remembered in each process's memory
now (federation/settings.py, CACHES)."""

from importlib import import_module

from django.db import migrations

_0002 = import_module("apps.core.migrations.0002_cache_table")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_throttle_counts")]

    operations = [migrations.RunPython(_0002.drop, _0002.create, elidable=False)]
