from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The figures leadership reads (docs/reports.md): one catalogue, read by the dashboard,
    the summary API and the Excel export alike. It sits on top of the domain apps, reads them
    all, and nothing imports it (docs/architecture.md)."""

    name = "apps.reports"
    verbose_name = _("Reports")

    def ready(self):
        from apps.organizations.roles import ALL_ROLES, Role, grant, model_perms

        # Every role reads the sign-off state of its subtree's figures; villages confirm
        # (station operators, staff, administrators), streets and the district sign off (staff,
        # administrators). The service decides which level acts (docs/reports.md, Sign-off).
        grant(ALL_ROLES, *model_perms("reports", "signoff", "view"))
        grant(
            [Role.DISTRICT_ADMIN, Role.STAFF, Role.STATION_OPERATOR],
            *model_perms("reports", "signoff", "add"),
        )
