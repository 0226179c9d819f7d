# 三会一课 rules change from a date (docs/api-machinery.md; apps/core/effective.py): each change
# is a new row, so a month or quarter that has ended keeps the rule it was judged by.

import datetime

from django.db import migrations, models

# The rules on record before rules had dates: in force from before any meeting on record.
FIRST_RULES_FROM = datetime.date(2000, 1, 1)


def forward(apps, schema_editor):
    """Nothing to do: AddField's default gave every row FIRST_RULES_FROM."""


def keep_one_rule_per_kind(apps, schema_editor):
    """Back to one rule per kind (``kind`` unique again): the one in force today, or the first
    if none is yet; the others are deleted."""
    MeetingRequirement = apps.get_model("members", "MeetingRequirement")
    today = datetime.date.today()
    kept = {}
    for rule in MeetingRequirement.objects.order_by("kind", "effective_from"):
        if rule.kind not in kept or rule.effective_from <= today:
            kept[rule.kind] = rule.pk
    MeetingRequirement.objects.exclude(pk__in=kept.values()).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0005_organization_record"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="meetingrequirement",
            options={
                "ordering": ["kind", "-effective_from"],
                "verbose_name": "meeting requirement",
                "verbose_name_plural": "meeting requirements",
            },
        ),
        migrations.AddField(
            model_name="historicalmeetingrequirement",
            name="effective_from",
            field=models.DateField(
                default=FIRST_RULES_FROM,
                help_text="The periods before this day keep the rule they were judged by.",
                verbose_name="in force from",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="meetingrequirement",
            name="effective_from",
            field=models.DateField(
                default=FIRST_RULES_FROM,
                help_text="The periods before this day keep the rule they were judged by.",
                verbose_name="in force from",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="historicalmeetingrequirement",
            name="kind",
            field=models.CharField(
                choices=[
                    ("general_meeting", "general meeting of the party branch"),
                    ("committee", "branch committee meeting"),
                    ("group", "party group meeting"),
                    ("lecture", "party lecture"),
                    ("themed_day", "themed party day"),
                ],
                max_length=24,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="meetingrequirement",
            name="kind",
            field=models.CharField(
                choices=[
                    ("general_meeting", "general meeting of the party branch"),
                    ("committee", "branch committee meeting"),
                    ("group", "party group meeting"),
                    ("lecture", "party lecture"),
                    ("themed_day", "themed party day"),
                ],
                max_length=24,
                verbose_name="kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="meetingrequirement",
            constraint=models.UniqueConstraint(
                fields=("kind", "effective_from"),
                name="meeting_requirement_once_a_day",
                violation_error_message="This kind already has a rule from that date.",
            ),
        ),
        migrations.RunPython(forward, reverse_code=keep_one_rule_per_kind),
    ]
