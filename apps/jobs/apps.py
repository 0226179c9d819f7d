from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Work that runs in a worker beside the web server: large imports (docs/jobs.md)."""

    name = "apps.jobs"
    verbose_name = _("Background jobs")

    def ready(self):
        from apps.organizations.roles import ALL_ROLES, grant, model_perms

        # Everyone reads their own jobs (district admins their subtree's): starting one is the
        # right of whatever the job does (an import: adding the rows), checked again as it runs.
        grant(ALL_ROLES, *model_perms("jobs", "job", "view"))

        # An admin export past what a request writes becomes a job (docs/jobs.md, Exports).
        from apps.jobs.admin import start_export
        from apps.organizations.admin_base import connect_large_export

        connect_large_export(start_export)
