from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The figures leadership reads (docs/reports.md): one catalogue, read by the dashboard,
    the summary API and the Excel export alike. It sits on top of the domain apps, reads them
    all, and nothing imports it (docs/architecture.md)."""

    name = "apps.reports"
    verbose_name = _("Reports")

    def ready(self):
        from apps.core.xlsx_export import CONTENT_TYPE
        from apps.jobs.kinds import register_file
        from apps.organizations.roles import ALL_ROLES, Role, grant, model_perms
        from apps.reports import exports, word

        # Every role reads the sign-off state of its subtree's figures; villages confirm
        # (station operators, staff, administrators), streets and the district sign off (staff,
        # administrators). The service decides which level acts (docs/reports.md, Sign-off).
        grant(ALL_ROLES, *model_perms("reports", "signoff", "view"))
        grant(
            [Role.DISTRICT_ADMIN, Role.STAFF, Role.STATION_OPERATOR],
            *model_perms("reports", "signoff", "add"),
        )
        # The annual report draft's paragraphs: the district's staff and administrators read
        # them; those of its root change them (the admin checks the level; docs/reports.md).
        grant(
            [Role.DISTRICT_ADMIN, Role.STAFF],
            *model_perms("reports", "draftparagraph", "view", "add", "change", "delete"),
        )
        # The Word draft, as a background job: every account that reads reports may ask.
        register_file(
            word.DRAFT_JOB,
            label=_("Word draft of the annual work report"),
            write=word.write_job,
            allowed=word.allowed,
            content_type=word.CONTENT_TYPE,
        )
        # The Excel file of a large subtree's report (docs/reports.md, Excel).
        register_file(
            exports.EXPORT_JOB,
            label=_("Excel file of a report"),
            write=exports.write_job,
            allowed=exports.allowed,
            content_type=CONTENT_TYPE,
        )
