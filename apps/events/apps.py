from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "apps.events"
    verbose_name = _("Events")

    def ready(self):
        from apps.organizations.roles import RECORD_READERS, Role, grant, model_perms

        # Every role that keeps records reads events, campaigns, funds and the lists they are
        # counted by (docs/roles.md).
        for model in (
            "event",
            "eventparticipant",
            "campaign",
            "fund",
            "lineofwork",
            "eventcategory",
        ):
            grant(RECORD_READERS, *model_perms("events", model, "view"))
        # Events are written by district admins and staff, and by a station for its own
        # village through the API; deleting (marking deleted) is for admins and staff.
        # A participant list is part of its event: the same rights.
        for model in ("event", "eventparticipant"):
            grant(
                [Role.DISTRICT_ADMIN, Role.STAFF, Role.STATION_OPERATOR],
                *model_perms("events", model, "add", "change"),
            )
            grant([Role.DISTRICT_ADMIN, Role.STAFF], *model_perms("events", model, "delete"))
        # Campaigns and funds: district admins and staff of the organization that runs them.
        for model in ("campaign", "fund"):
            grant(
                [Role.DISTRICT_ADMIN, Role.STAFF],
                *model_perms("events", model, "add", "change", "delete"),
            )
        # The lists serve the district: extended by its root's admins (the admin checks the
        # level), read-only in the API.
        for model in ("lineofwork", "eventcategory"):
            grant([Role.DISTRICT_ADMIN], *model_perms("events", model, "add", "change"))

        from apps.events import services
        from apps.events.models import EventParticipant
        from apps.members.signals import on_person_merged

        # A merge moves the duplicate's places on participant lists (docs/merging.md).
        on_person_merged(services.participants_move, moves=[(EventParticipant, "member")])

        from apps.events import imports
        from apps.jobs.kinds import register_import

        # A large sheet of events is imported by a job (docs/jobs.md).
        register_import(
            imports.EVENTS_JOB,
            label=_("Import events from Excel"),
            importer=imports.EVENTS,
            perm="events.add_event",
            changelist="admin:events_event_changelist",
        )
