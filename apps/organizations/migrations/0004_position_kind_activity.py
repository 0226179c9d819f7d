from django.db import migrations, models


def womens_homes_hold_an_event_a_quarter(apps, schema_editor):
    """The rule the reference list now carries (fixtures/reference.json), for an installation
    whose women's homes were listed before it."""
    PositionKind = apps.get_model("organizations", "PositionKind")
    PositionKind.objects.filter(code="womens_home", events_per_quarter=0).update(
        events_per_quarter=1
    )


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0003_plain_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="positionkind",
            name="events_per_quarter",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text=(
                    "Each open position of this kind holds at least this many events a quarter;"
                    " 0: none required. The reports list the positions that fell short."
                ),
                verbose_name="events required a quarter",
            ),
        ),
        migrations.RunPython(womens_homes_hold_an_event_a_quarter, migrations.RunPython.noop),
    ]
