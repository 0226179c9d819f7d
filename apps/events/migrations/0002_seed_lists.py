"""The lines of work and event categories the system starts with (docs/events.md): fixed English
codes (docs/api.md, Codes), Chinese names. They belong to no organization: the whole district's.
"""

from django.db import migrations

LINES = [
    ("ideology", "思想引领"),
    ("party_building", "党建带妇建"),
    ("achievement", "建功立业"),
    ("family_education", "家庭家教家风"),
    ("assistance", "关爱帮扶"),
    ("rights", "维权服务"),
]

CATEGORIES = [
    # Family education first: the report counts each of these.
    ("lecture", "讲座", "family_education"),
    ("parent_child", "亲子活动", "family_education"),
    ("publicity_month", "宣传月（周）", "family_education"),
    ("school_family_community", "家校社协同", "family_education"),
    ("consultation", "家教咨询", "family_education"),
    ("online_class", "网上课堂", "family_education"),
    # The federation's other outreach the report counts.
    ("themed_publicity", "主题宣传教育", "ideology"),
    ("mobile_classroom", "流动课堂", "ideology"),
    ("skills_training", "技能培训（如家政培训）", "achievement"),
    ("charity_assistance", "公益帮扶", "assistance"),
    ("party_lecture", "党课", "party_building"),
]


def seed(apps, schema_editor):
    LineOfWork = apps.get_model("events", "LineOfWork")
    EventCategory = apps.get_model("events", "EventCategory")
    lines = {}
    for order, (code, name) in enumerate(LINES, start=1):
        lines[code], _ = LineOfWork.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order * 10}
        )
    for order, (code, name, line) in enumerate(CATEGORIES, start=1):
        EventCategory.objects.get_or_create(
            code=code, defaults={"name": name, "line": lines[line], "sort_order": order * 10}
        )


def unseed(apps, schema_editor):
    apps.get_model("events", "EventCategory").objects.filter(
        code__in=[code for code, _, _ in CATEGORIES], organization=None
    ).delete()
    apps.get_model("events", "LineOfWork").objects.filter(
        code__in=[code for code, _ in LINES], organization=None
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [migrations.RunPython(seed, reverse_code=unseed)]
