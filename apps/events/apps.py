from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "apps.events"
    verbose_name = _("Events")

    def ready(self):
        from apps.organizations.roles import RECORD_READERS, Role, grant, model_perms

        # Every role that keeps records reads events, campaigns, funds and the lists they are
        # counted by (docs/roles.md).
        for model in ("event", "campaign", "fund", "lineofwork", "eventcategory"):
            grant(RECORD_READERS, *model_perms("events", model, "view"))
        # Events are written by district admins and staff, and by a station for its own
        # village through the API; deleting (marking deleted) is for admins and staff.
        grant(
            [Role.DISTRICT_ADMIN, Role.STAFF, Role.STATION_OPERATOR],
            *model_perms("events", "event", "add", "change"),
        )
        grant([Role.DISTRICT_ADMIN, Role.STAFF], *model_perms("events", "event", "delete"))
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
