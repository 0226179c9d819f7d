"""The case categories, with their fixed English codes and Chinese names (docs/rights.md)."""

from django.db import migrations

# A copy, not an import: a migration keeps the list as it was on the day it was written.
CATEGORIES = [
    ("domestic_violence", "家庭暴力"),
    ("marriage_family", "婚姻家庭纠纷"),
    ("support_custody", "赡养抚养监护"),
    ("property", "财产权益"),
    ("employment", "劳动就业"),
    ("personal_rights", "人身权利"),
    ("childrens_rights", "儿童权益"),
    ("other", "其他"),
]


def seed(apps, schema_editor):
    category = apps.get_model("rights", "CaseCategory")
    for order, (code, name) in enumerate(CATEGORIES, start=1):
        category.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("rights", "0002_cases")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
