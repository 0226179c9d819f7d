"""The rows every install starts with, seeded again after a transactional test's flush.

Migrations seed lists a new install has (lines of work, event categories, case categories,
deadline rules, topic categories, the annual report draft's paragraphs, the required 三会一课
frequencies). A test that runs with ``transaction=True`` (the browser tests, the races) starts
after another's flush removed them; ``seed_lists()`` puts them back through the migrations' own
seeding, which keeps what is there.
"""

from importlib import import_module

from django.apps import apps as django_apps

SEEDING_MIGRATIONS = (  # "module" (its seed()) or "module:function"
    "apps.events.migrations.0002_seed_lists",  # lines of work, event categories
    "apps.rights.migrations.0003_case_categories",
    "apps.rights.migrations.0005_deadlines",  # the case deadlines' default rules
    "apps.councils.migrations.0001_councils_meetings_topics:seed_categories",
    "apps.reports.migrations.0002_default_draft",  # the annual report draft's paragraphs
)


def seed_lists() -> None:
    from apps.members.models import MeetingRequirement

    seeded = import_module("apps.members.migrations.0004_branch_meetings").REQUIREMENTS
    first = import_module("apps.members.migrations.0006_requirements_in_force_from")
    for kind, period, minimum in seeded:
        MeetingRequirement.objects.get_or_create(
            kind=kind,
            defaults={
                "period": period,
                "minimum": minimum,
                "effective_from": first.FIRST_RULES_FROM,
            },
        )
    for entry in SEEDING_MIGRATIONS:
        module, _, function = entry.partition(":")
        getattr(import_module(module), function or "seed")(django_apps, None)
